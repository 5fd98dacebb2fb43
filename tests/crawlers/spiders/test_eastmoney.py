"""Eastmoney 7x24 and news columns, on responses shaped like the real API."""

import json
from urllib.parse import parse_qs, urlsplit

from crawlers.spiders.eastmoney import EastmoneyFastNewsSpider, EastmoneyNewsSpider
from tests.conftest import shared_path
from tests.crawlers.spiders.helpers import (
    fixture,
    fixture_json,
    follow,
    make_spider,
    respond,
    split,
    start_requests,
    stat,
)

LIST_URL = "https://np-weblist.eastmoney.com/comm/web/getFastNewsList?x=1"


async def test_first_request_asks_for_the_newest_7x24_page_with_the_referer():
    spider = make_spider(EastmoneyFastNewsSpider, "eastmoney_724")
    (request,) = await start_requests(spider)
    query = parse_qs(urlsplit(request.url).query, keep_blank_values=True)
    assert query["biz"] == ["web_724"] and query["fastColumn"] == ["102"]
    assert query["sortEnd"] == [""] and "callback" not in query
    assert request.headers[b"Referer"] == b"https://kuaixun.eastmoney.com/"


def test_fast_news_items_and_the_sortend_cursor():
    spider = make_spider(EastmoneyFastNewsSpider, "eastmoney_724", max_pages=2)
    items, requests = split(spider.parse(respond(fixture("eastmoney/fastnews.json"), LIST_URL)))
    assert [i.external_id for i in items] == ["202608213848200001", "202608213848200002"]
    first, second = items
    assert first.title == "多家光伏玻璃企业宣布减产30%"
    assert first.url == "https://finance.eastmoney.com/a/202608213848200001.html"
    assert first.published_at.isoformat() == "2026-08-21T11:05:00+08:00"
    assert second.title.startswith("国家统计局：7月份") and "工业增加值" in second.body
    (next_page,) = requests
    assert parse_qs(urlsplit(next_page.url).query)["sortEnd"] == ["1787280300001002"]


def test_paging_stops_at_max_pages_and_when_the_cursor_repeats():
    spider = make_spider(EastmoneyFastNewsSpider, "eastmoney_724", max_pages=1)
    _, requests = split(spider.parse(respond(fixture("eastmoney/fastnews.json"), LIST_URL)))
    assert requests == []
    spider = make_spider(EastmoneyFastNewsSpider, "eastmoney_724", max_pages=5)
    body = fixture("eastmoney/fastnews.json")
    _, requests = split(spider.parse(respond(body, LIST_URL), page=2, sort_end="1787280300001002"))
    assert requests == []


def test_jsonp_wrapped_answer_and_refusals():
    spider = make_spider(EastmoneyFastNewsSpider, "eastmoney_724")
    wrapped = b"jQuery35108_1(" + fixture("eastmoney/fastnews.json") + b");"
    items, _ = split(spider.parse(respond(wrapped, LIST_URL)))
    assert len(items) == 2
    assert list(spider.parse(respond({"code": "-1", "message": "bad"}, LIST_URL))) == []
    assert stat(spider, "capwatch/api_errors") == 1
    assert list(spider.parse(respond({"code": "1", "data": {"list": []}}, LIST_URL))) == []
    assert stat(spider, "capwatch/parse_errors") == 1


def test_every_real_item_of_a_full_day_parses():
    """807 raw items as getFastNewsList returned them on 2026-08-21 (../shared)."""
    path = shared_path(
        "fixtures", "sources", "eastmoney", "eastmoney_fastnews_archive_2026-08-21.jsonl"
    )
    lines = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    payload = {"code": "1", "data": {"fastNewsList": [r["raw"] for r in lines], "sortEnd": "x"}}
    spider = make_spider(EastmoneyFastNewsSpider, "eastmoney_724")
    items, _ = split(spider.parse(respond(payload, LIST_URL)))
    assert len(items) == len(lines) > 800
    assert all(i.title and i.body and i.published_at for i in items)
    assert len({i.url for i in items}) == len(items)
    # showTime is Beijing: it must equal the archive's own epoch `ctime`
    for item, line in zip(items, lines, strict=True):
        assert int(item.published_at.timestamp()) == int(line["ctime"])


def test_news_columns_list_then_article_body():
    spider = make_spider(EastmoneyNewsSpider, "eastmoney_news")
    url = "https://np-listapi.eastmoney.com/comm/web/getNewsByColumns?column=350"
    items, requests = split(spider.parse(respond(fixture("eastmoney/columns.json"), url)))
    assert items == [] and len(requests) == 2
    assert requests[0].url == "https://finance.eastmoney.com/a/202608213848300001.html"
    assert requests[1].url == "https://finance.eastmoney.com/a/202608213848300002.html"
    item = follow(requests[0], fixture("eastmoney/article.html"))
    assert item.title == "工信部：推动重点行业产能治理" and item.author == "证券时报"
    assert item.body.startswith("工信部8月21日表示") and "淘汰落后产能" in item.body
    assert "var x" not in item.body and "责任编辑" not in item.body
    assert item.published_at.isoformat() == "2026-08-21T09:30:12+08:00"


async def test_news_columns_one_request_per_column_and_list_only_mode():
    spider = make_spider(EastmoneyNewsSpider, "eastmoney_news", columns=[350, 1207])
    requests = await start_requests(spider)
    columns = [parse_qs(urlsplit(r.url).query)["column"][0] for r in requests]
    assert columns == ["350", "1207"]
    spider = make_spider(EastmoneyNewsSpider, "eastmoney_news", fetch_articles=False)
    items, _ = split(spider.parse(respond(fixture_json("eastmoney/columns.json"), requests[0].url)))
    assert [i.body for i in items] == [
        "工信部表示，将推动光伏、锂电等行业产能治理。",
        "多省发布水泥错峰生产计划。",
    ]
