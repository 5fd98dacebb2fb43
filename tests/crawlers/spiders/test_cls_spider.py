"""The CLS spider's parsing, on responses shaped like the real API (no network)."""

import hashlib
import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawlers.items import ArticleItem
from crawlers.sources import builtin_sources
from crawlers.spiders.cls import ClsTelegraphSpider, item_title, signed_query
from tests.conftest import REPO, shared_path

OWN_ITEMS = json.loads((REPO / "tests/fixtures/cls/roll_items.json").read_text("utf-8"))


def make_spider(max_pages: int = 1) -> ClsTelegraphSpider:
    source = builtin_sources()["cls"].model_copy(
        update={"options": {"page_size": 50, "max_pages": max_pages}}
    )
    crawler = get_crawler(ClsTelegraphSpider)
    spider = ClsTelegraphSpider.from_crawler(crawler, source=source)
    crawler.spider = spider
    if crawler.stats is None:
        crawler._apply_settings()
    return spider


def respond(body: bytes | str, url: str = "https://www.cls.cn/v1/roll/get_roll_list?x=1"):
    data = body.encode() if isinstance(body, str) else body
    return TextResponse(url=url, body=data, encoding="utf-8")


def test_sign_is_md5_of_sha1_of_the_sorted_query_that_is_sent():
    query = signed_query({"rn": 50, "app": "CailianpressWeb", "last_time": 1, "category": ""})
    pairs = parse_qsl(query, keep_blank_values=True)
    assert [k for k, _ in pairs] == ["app", "category", "last_time", "rn", "sign"]
    unsigned = query.rsplit("&sign=", 1)[0]
    assert unsigned == "app=CailianpressWeb&category=&last_time=1&rn=50"
    sha1 = hashlib.sha1(unsigned.encode()).hexdigest()
    assert dict(pairs)["sign"] == hashlib.md5(sha1.encode()).hexdigest()


def test_title_rule():
    assert item_title({"title": " 标题 ", "content": "【别的】正文"}) == "标题"
    assert (
        item_title({"title": "", "content": "【光伏玻璃减产】财联社8月21日电，正文"})
        == "光伏玻璃减产"
    )
    assert item_title({"title": "", "content": "财联社8月21日电，一句话快讯。", "brief": ""}) == (
        "一句话快讯。"
    )


def test_parse_yields_regular_items_with_beijing_epoch_times_and_skips_vip():
    spider = make_spider()
    payload = {"errno": 0, "data": {"roll_data": OWN_ITEMS["roll_data"]}}
    out = list(spider.parse(respond(json.dumps(payload, ensure_ascii=False)), page=1))
    items = [o for o in out if isinstance(o, ArticleItem)]
    assert len(items) == len(OWN_ITEMS["roll_data"]) - 1  # the VIP (type 20015) one is skipped
    first = items[0]
    assert first.title == "光伏玻璃龙头企业集体减产30%"
    assert first.url == "https://www.cls.cn/detail/2461000"
    assert first.published_at.isoformat() == "2026-08-21T08:13:20+00:00"  # 16:13:20 Beijing
    assert spider.crawler.stats.get_value("capwatch/skipped_items") == 1


def test_next_page_uses_the_oldest_ctime_as_cursor():
    spider = make_spider(max_pages=2)
    payload = {"errno": 0, "data": {"roll_data": OWN_ITEMS["roll_data"]}}
    out = list(spider.parse(respond(json.dumps(payload)), page=1, last_time=1787400000))
    requests = [o for o in out if not isinstance(o, ArticleItem)]
    assert len(requests) == 1
    query = dict(parse_qsl(urlsplit(requests[0].url).query, keep_blank_values=True))
    assert int(query["last_time"]) == min(i["ctime"] for i in OWN_ITEMS["roll_data"])
    assert requests[0].headers[b"Referer"] == b"https://www.cls.cn/telegraph"


@pytest.mark.parametrize(
    ("body", "stat"),
    [
        (b"<html>WAF says no</html>", "capwatch/parse_errors"),
        (b'{"errno": 1, "msg": "sign error", "data": null}', "capwatch/api_errors"),
        (b'{"errno": 0, "data": {"roll": []}}', "capwatch/parse_errors"),
        (b"\xff\xfe\x00garbage", "capwatch/parse_errors"),
    ],
)
def test_bad_responses_are_counted_and_yield_nothing(body, stat):
    spider = make_spider()
    assert list(spider.parse(respond(body), page=1)) == []
    assert spider.crawler.stats.get_value(stat) == 1


def test_every_real_item_of_a_full_day_parses():
    """The 611 items of one real day (../shared), as the API returned them."""
    path = shared_path("fixtures", "sources", "cls", "cls_roll_archive_2026-08-21.jsonl")
    raws = [json.loads(line)["raw"] for line in path.read_text("utf-8").splitlines()]
    spider = make_spider()
    payload = {"errno": 0, "data": {"roll_data": raws}}
    items = [
        o for o in spider.parse(respond(json.dumps(payload)), page=1) if isinstance(o, ArticleItem)
    ]
    regular = [r for r in raws if str(r["type"]) == "-1" and not r["is_ad"]]
    assert len(items) == len(regular) > 400
    assert all(i.title and i.body and i.published_at for i in items)
    assert all(i.published_at.year == 2026 for i in items)
    # The title rule: empty titles come from 【…】 or the text, never blank.
    no_title = [i for i, r in zip(items, regular, strict=True) if not r["title"]]
    assert no_title and all(len(i.title) <= 80 for i in no_title)
