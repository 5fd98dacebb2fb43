"""Sina 7x24 zhibo and roll news (+ real saved finance.sina.com.cn article pages)."""

from urllib.parse import parse_qs, urlsplit

import pytest

from crawlers.items import ArticleItem
from crawlers.spiders.sina import SinaRollSpider, SinaZhiboSpider, parse_article
from tests.conftest import shared_path
from tests.crawlers.spiders.helpers import (
    fixture,
    follow,
    make_spider,
    respond,
    split,
    start_requests,
    stat,
)

ZHIBO = "https://zhibo.sina.com.cn/api/zhibo/feed?x=1"
ROLL = "https://feed.mix.sina.com.cn/api/roll/get?x=1"


async def test_zhibo_request_params_and_referer():
    spider = make_spider(SinaZhiboSpider, "sina_724")
    (request,) = await start_requests(spider)
    query = parse_qs(urlsplit(request.url).query)
    assert query["zhibo_id"] == ["152"] and query["page"] == ["1"] and query["dire"] == ["f"]
    assert request.headers[b"Referer"] == b"https://finance.sina.com.cn/"


def test_zhibo_items_use_the_ext_docurl_or_a_per_item_link():
    spider = make_spider(SinaZhiboSpider, "sina_724", max_pages=2)
    items, requests = split(spider.parse(respond(fixture("sina/zhibo.json"), ZHIBO)))
    focus, plain = items
    assert focus.external_id == "4567801"
    assert focus.title == "水泥行业协会：倡议错峰生产 控产能稳价格"
    assert focus.url == "https://finance.sina.com.cn/jjxw/2026-08-21/doc-inafxyz1234567.shtml"
    assert focus.published_at.isoformat() == "2026-08-21T11:02:33+08:00"
    assert plain.url == "https://finance.sina.com.cn/7x24/#4567800"
    assert plain.title == "美元指数短线走高，现报98.12。"
    assert parse_qs(urlsplit(requests[0].url).query)["page"] == ["2"]


def test_zhibo_refusal_is_an_api_error():
    spider = make_spider(SinaZhiboSpider, "sina_724")
    body = {"result": {"status": {"code": 11, "msg": "参数错误"}, "data": []}}
    assert list(spider.parse(respond(body, ZHIBO))) == []
    assert stat(spider, "capwatch/api_errors") == 1


def test_roll_list_then_article_page():
    spider = make_spider(SinaRollSpider, "sina_roll")
    items, requests = split(spider.parse(respond(fixture("sina/roll.json"), ROLL)))
    assert items == [] and len(requests) == 2
    assert (
        requests[0].url == "https://finance.sina.com.cn/china/2026-08-21/doc-inafxyz7654321.shtml"
    )
    assert requests[0].headers[b"Referer"] == b"https://news.sina.com.cn/"
    item = follow(requests[0], fixture("sina/article.html"))
    assert item.external_id == "comos:nafxyz7654321"
    assert item.title == "发改委：坚决遏制低价无序竞争" and item.author == "新京报"
    assert item.body == "国家发展改革委21日表示，将综合整治“内卷式”竞争。\n推动落后产能有序退出。"
    assert item.published_at.isoformat() == "2026-08-21T19:00:00+08:00"


def test_roll_list_only_mode_keeps_intro_and_epoch_time():
    spider = make_spider(SinaRollSpider, "sina_roll", fetch_articles=False)
    items, _ = split(spider.parse(respond(fixture("sina/roll.json"), ROLL)))
    assert items[0].body.startswith("国家发展改革委表示")
    assert items[0].published_at.isoformat() == "2026-08-21T03:00:00+00:00"


@pytest.mark.parametrize(
    ("name", "title", "published", "author", "body_start"),
    [
        (
            "sina_finance_roll_article_2018-12-28.html",
            '60万"12306账号"外泄? 中铁总辟谣称消息不实',
            "2018-12-28T19:56:29+08:00",
            "新京报",
            "新京报快讯（记者 裴剑飞）今日（12月28日）",
        ),
        (
            "sina_finance_usstock_article_2019-09-09.html",
            "债券市场是否存在泡沫？世界知名首席投资官们这么说",
            "2019-09-09T20:52:38+08:00",
            "新浪财经-自媒体综合",
            "",
        ),
    ],
)
def test_real_saved_article_pages(name, title, published, author, body_start):
    path = shared_path("fixtures", "sources", "sina", name)
    item = ArticleItem(
        source_key="sina_roll",
        external_id="x",
        url="https://finance.sina.com.cn/x",
        title="list title",
    )
    response = respond(path.read_bytes(), "https://finance.sina.com.cn/x", html=True)
    item = parse_article(response, item)
    assert item.title == title and item.author == author
    assert item.published_at.isoformat() == published
    assert len(item.body) > 200 and item.body.startswith(body_start)
    assert "<" not in item.body and "扫二维码" not in item.body
