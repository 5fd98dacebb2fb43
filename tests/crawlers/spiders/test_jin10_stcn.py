"""Jin10 flash (script and API forms) and STCN 快讯."""

import ast
import json
from urllib.parse import parse_qs, urlsplit

from crawlers.spiders.jin10 import Jin10FlashSpider
from crawlers.spiders.stcn import StcnKuaixunSpider
from tests.conftest import shared_path
from tests.crawlers.spiders.helpers import (
    fixture,
    make_spider,
    respond,
    split,
    start_requests,
    stat,
)

SCRIPT = "https://www.jin10.com/flash_newest.js?t=1"
API = "https://flash-api.jin10.com/get_flash_list"


def test_script_form_skips_market_data_and_titles_by_headline():
    spider = make_spider(Jin10FlashSpider, "jin10")
    items, requests = split(spider.parse(respond(fixture("jin10/flash_newest.js"), SCRIPT)))
    assert requests == [] and len(items) == 2 and stat(spider, "capwatch/skipped_items") == 1
    cut, fx = items
    assert cut.title == "铜冶炼厂联合减产" and cut.body.startswith("【铜冶炼厂联合减产】中国铜原料")
    assert cut.url == "https://flash.jin10.com/detail/20260821110230123400"
    assert cut.published_at.isoformat() == "2026-08-21T11:02:30+08:00"
    assert fx.title == "欧元/美元短线下挫20点。"


async def test_api_form_sends_the_app_id_and_pages_by_max_time():
    spider = make_spider(Jin10FlashSpider, "jin10", url=API, max_pages=2)
    (request,) = await start_requests(spider)
    assert request.headers[b"x-app-id"] == b"bVBF4FyRTn5NJF5n"
    assert parse_qs(urlsplit(request.url).query)["channel"] == ["-8200"]
    items, requests = split(spider.parse(respond(fixture("jin10/flash_list.json"), request.url)))
    assert len(items) == 2
    assert parse_qs(urlsplit(requests[0].url).query)["max_time"] == ["2026-08-21 10:55:00"]


def test_a_changed_script_is_a_parse_error():
    spider = make_spider(Jin10FlashSpider, "jin10")
    assert list(spider.parse(respond("window.newest = ", SCRIPT))) == []
    assert list(spider.parse(respond("var newest = [{broken;", SCRIPT))) == []
    assert stat(spider, "capwatch/parse_errors") == 2


KX = "https://www.stcn.com/article/list.html?type=kx"


async def test_stcn_asks_as_an_xhr():
    spider = make_spider(StcnKuaixunSpider, "stcn_kx")
    (request,) = await start_requests(spider)
    assert request.headers[b"X-Requested-With"] == b"XMLHttpRequest"


def test_stcn_items():
    spider = make_spider(StcnKuaixunSpider, "stcn_kx")
    items, _ = split(spider.parse(respond(fixture("stcn/kx.json"), KX)))
    first, second = items
    assert first.url == "https://www.stcn.com/article/detail/1790001.html"
    assert (
        first.author == "人民财讯" and first.published_at.isoformat() == "2026-08-21T03:00:00+00:00"
    )
    assert second.title == "A股三大指数集体高开"
    assert second.url == "https://www.stcn.com/article/detail/1790000.html"


def test_stcn_waf_page_is_reported():
    spider = make_spider(StcnKuaixunSpider, "stcn_kx")
    page = "<html><script>var arg1='acw_sc__v2';</script></html>"
    assert list(spider.parse(respond(page, KX))) == []
    assert stat(spider, "capwatch/parse_errors") == 1


def test_stcn_real_saved_items_in_the_xhr_shape():
    """20 real 快讯 (../shared, 2025-03-18), put back into the XHR's `data` shape."""
    path = shared_path("fixtures", "sources", "stcn", "stcn_kx_normalized_2025-03-18.json")
    saved = json.loads(path.read_text("utf-8"))["data"]
    if isinstance(saved, str):
        saved = ast.literal_eval(saved)
    from datetime import datetime

    from core.tz import BEIJING

    rows = [
        {
            "id": s["id"],
            "title": s["title"],
            "content": s["description"],
            "url": s["link"].replace("https://www.stcn.com", ""),
            "time": int(datetime.fromisoformat(s["pub_date"]).replace(tzinfo=BEIJING).timestamp()),
        }
        for s in saved
    ]
    spider = make_spider(StcnKuaixunSpider, "stcn_kx")
    items, _ = split(spider.parse(respond({"data": rows}, KX)))
    assert [i.url for i in items] == [s["link"] for s in saved]
    assert all(i.title and i.body and i.published_at.year == 2025 for i in items)
