"""The densest block of prose as a second pick of the article body (our own small pages in
the shapes of real Chinese news pages: an article laid out in two containers, a blog post
followed by its comments, an article beside a list of recommended headlines)."""

from __future__ import annotations

from parsel import Selector

from crawlers.extract import extract_article
from crawlers.extract.prose import (
    block_text,
    compare,
    densest_block,
    prose_chars,
    prose_left_out,
)

PARAGRAPHS = [
    "今年以来，多晶硅行业持续推进产能整合，龙头企业宣布阶段性减产，行业开工率明显回落。",
    "协会表示，将引导企业有序退出落后产能，严禁低于成本价销售，维护公平竞争的市场秩序。",
    "业内人士认为，价格底部已经显现，但库存消化仍需时间，下游组件企业的排产也在调整。",
    "记者了解到，部分二三线企业已经停产检修，复产时间视市场情况而定，短期内难以恢复。",
    "分析师指出，本轮减产力度超过市场预期，硅料价格有望在四季度企稳，全年均价仍偏低。",
    "一位企业负责人说，眼下最重要的是控制库存，不再盲目扩张，把现金流放在第一位。",
]
POINTS = [
    "一、减产安排：",
    "龙头企业自十一月起将开工率降至五成以下，并暂停新建项目的审批与投产。",
    "二、价格纪律：",
    "会员企业承诺不以低于成本的价格销售产品，协会将定期公布行业成本价格。",
]
HEADLINES = [f"第{i}条推荐：某地钢厂检修计划公布" for i in range(10)]
NAV = "".join(f'<li><a href="/n/{i}">栏目{i}</a></li>' for i in range(5))


def _page(inner: str) -> str:
    return (
        "<html><head><title>多晶硅减产</title></head><body>"
        f"<ul class='nav'>{NAV}</ul>{inner}</body></html>"
    )


def _text_div(paragraphs: list[str]) -> str:
    return (
        "<div id='main'><div class='text'>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</div></div>"
    )


def test_the_densest_block_is_the_article_not_the_menu_or_a_headline_list() -> None:
    links = "".join(f'<li><a href="/r/{i}">{h}</a></li>' for i, h in enumerate(HEADLINES))
    sel = Selector(text=_page(f"<ul class='more'>{links}</ul>{_text_div(PARAGRAPHS[:3])}"))
    block = densest_block(sel.css("body")[0].root)
    assert block is not None
    text = block_text(block)
    assert PARAGRAPHS[0] in text and PARAGRAPHS[2] in text
    assert "栏目1" not in text and HEADLINES[0] not in text
    assert (
        densest_block(Selector(text="<html><body><a href='/'>首页</a></body></html>").root) is None
    )


def test_prose_lines_are_long_and_punctuated() -> None:
    assert prose_chars(PARAGRAPHS[:1]) == len(PARAGRAPHS[0])
    assert (
        prose_chars(["一、减产安排：", HEADLINES[0], "某地钢厂检修计划公布某地钢厂检修计划公布"])
        == 0
    )
    teaser = "就在多晶硅价格创出新低之际，市场却传来消息：龙头企业二季度减产了，事情的真相是"
    assert prose_chars([teaser, "美军声称正护航海峡，逾6亿桶原油已突破封锁"]) == 0  # cut, headline
    assert prose_chars([PARAGRAPHS[0], PARAGRAPHS[0]]) == len(PARAGRAPHS[0])  # a slide repeated


def test_a_block_completes_the_body_only_with_prose_paragraphs() -> None:
    body = "\n".join(PARAGRAPHS[:3])
    completed = compare(body, "\n".join([*PARAGRAPHS[:3], PARAGRAPHS[3], PARAGRAPHS[4]]))
    assert completed.completes and not completed.replaces
    with_list = compare(body, "\n".join([*PARAGRAPHS[:3], *HEADLINES]))
    assert not with_list.completes
    elsewhere = compare(body, "\n".join(PARAGRAPHS[3:]))
    assert elsewhere.replaces and not elsewhere.completes


def test_points_laid_out_beside_the_paragraphs_join_the_body() -> None:
    page = _page(
        "<div class='wrap'><div class='points'>" + "<br>".join(POINTS) + "</div>"
        f"{_text_div(PARAGRAPHS)}</div>"
    )
    found = extract_article(page, "http://news.example.cn/a/1.html")
    assert found.method == "readability+densest block"
    assert POINTS[1] in found.text and POINTS[3] in found.text
    assert all(p in found.text for p in PARAGRAPHS)
    assert "栏目1" not in found.text


def test_comments_under_a_blog_post_stay_out() -> None:
    comments = "".join(
        f"<div class='c'><h4># re: 多晶硅减产</h4>"
        f"<p>网友{i}：说得好，支持行业自律，价格该回来了。</p>"
        f"<span>2026-11-2{i % 10} 10:0{i % 10}</span></div>"
        for i in range(20)
    )
    page = _page(
        f"<div class='wrap'>{_text_div(PARAGRAPHS[:2])}<div class='cs'>{comments}</div></div>"
    )
    found = extract_article(page, "http://blog.example.cn/p/1.html")
    assert PARAGRAPHS[0] in found.text and PARAGRAPHS[1] in found.text
    assert "网友3" not in found.text


def test_prose_left_out_counts_only_paragraphs_the_body_lacks() -> None:
    page = "\n".join(["栏目1", *HEADLINES, *PARAGRAPHS])
    assert prose_left_out(page, "\n".join(PARAGRAPHS)) == 0
    assert prose_left_out(page, "\n".join(PARAGRAPHS[1:])) == len(PARAGRAPHS[0])
