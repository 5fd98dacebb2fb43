"""Choosing between readability's and trafilatura's body by link density (our own small pages
in the shapes of real Chinese forum and split-article pages)."""

from __future__ import annotations

from parsel import Selector

from crawlers.extract import extract_article
from crawlers.extract.clean import is_boilerplate
from crawlers.extract.density import anchor_texts, density

POST = "导游的收入很大一部分来自购物的回扣，这是业内的行规，境内游境外游都是这样的。"
THREAD = "".join(
    f'<li><a href="/t/{i}">第{i}个回复：旅行中谁忽悠了你，说说你的经历吧</a> 【网友{i}】</li>'
    for i in range(40)
)


def test_link_text_counts_once_per_anchor_and_short_anchors_are_ignored() -> None:
    sel = Selector(text='<p><a href="/a">光伏组件价格</a> <a href="/b">首页</a></p>')
    assert anchor_texts(sel) == ["光伏组件价格"]
    found = density("光伏组件价格 光伏组件价格 首页", anchor_texts(sel))
    assert (found.own, found.linked) == (8, 6)
    assert density("", []).link_share == 0.0


def test_a_short_post_is_not_replaced_by_the_threads_link_index() -> None:
    page = (
        "<html><head><title>你知道导游为什么热衷购物吗</title></head><body>"
        f"<div class='post'><h2>你知道导游为什么热衷购物吗</h2><p>{POST}{POST}</p></div>"
        f"<ul class='thread'>{THREAD}</ul></body></html>"
    )
    body = extract_article(page, "http://bbs.example.cn/thread?id=1").text
    assert POST in body
    assert "旅行中谁忽悠了你" not in body


def test_byline_rows_and_page_furniture_lines_are_boilerplate() -> None:
    assert is_boilerplate("2005-02-06 13:26更新 来源：转载文章")
    assert is_boilerplate("来源：南方都市报")
    assert is_boilerplate("发表评论")
    assert is_boilerplate("Trackback: http://tb.example.net/TrackBack.aspx?PostId=1")
    assert is_boilerplate("作者：芊草凡凡 时间：2005-08-22 19:13:18")
    assert is_boilerplate("发布时间：2019-05-18 来源：中国地理学会 浏览次数：33")
    assert not is_boilerplate("时间：2019年，多家企业宣布减产，行业协会表示支持。")
    assert not is_boilerplate("作者认为：减产势在必行。")
    assert not is_boilerplate("2005年2月6日，多晶硅企业宣布联合减产。")
    assert not is_boilerplate("来源于行业协会的数据显示，产能利用率下降。")


def test_the_byline_row_still_gives_the_author_after_the_body_drops_it() -> None:
    page = (
        "<html><head><title>煤炭行业限产保价</title></head><body>"
        "<h1>煤炭行业限产保价</h1><div>2026-11-20 来源：中国煤炭工业协会</div>"
        f"<div class='content'><p>{POST * 4}</p><p>{POST * 3}</p></div></body></html>"
    )
    found = extract_article(page)
    assert "来源" not in found.text
    assert found.author == "中国煤炭工业协会"
