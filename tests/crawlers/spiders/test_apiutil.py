"""The shared helpers: Beijing times, HTML to text, flash titles, loud failures."""

from datetime import UTC, datetime

import pytest
from scrapy.http import Request, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.items import ArticleItem
from crawlers.spiders._apiutil import absolute, flash_title, html_text, parse_time, strip_jsonp
from crawlers.spiders.govcn import GovCnSpider
from tests.crawlers.spiders.helpers import (
    drain,
    fixture,
    make_spider,
    respond,
    start_requests,
    stat,
)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-08-21 00:02:06", "2026-08-20T16:02:06"),
        ("2026-08-21 10:36", "2026-08-21T02:36:00"),
        ("2026.08.21 10:36", "2026-08-21T02:36:00"),
        ("2026/08/21", "2026-08-20T16:00:00"),
        ("2026年08月21日 19:55", "2026-08-21T11:55:00"),
        ("2026-08-21-18:30:05", "2026-08-21T10:30:05"),  # gov.cn meta
        ("发布时间：2026-08-20 17:00", "2026-08-20T09:00:00"),
        ("2026-08-21T19:00:00+08:00", "2026-08-21T11:00:00"),
        ("2026-08-21T03:00:00Z", "2026-08-21T03:00:00"),
    ],
)
def test_naive_times_are_beijing_and_offsets_win(text, utc):
    moment = parse_time(text)
    assert moment.astimezone(UTC).replace(tzinfo=None) == datetime.fromisoformat(utc)


@pytest.mark.parametrize("text", [None, "", "阅读 3", "2026-13-40 10:00", 12])
def test_unreadable_times_are_none(text):
    assert parse_time(text) is None


def test_html_text_keeps_paragraphs_and_decodes_entities():
    html = "<div><p>第一段&nbsp;A&amp;B</p><p>　第二段</p><br/>三</div>"
    assert html_text(html) == "第一段 A&B\n第二段\n三"
    assert html_text("plain") == "plain" and html_text(None) == ""


def test_flash_title_prefers_the_leading_headline_then_a_title_then_80_chars():
    assert flash_title("【减产30%】正文", "别的") == "减产30%"
    assert flash_title("正文没有标题", "给定标题") == "给定标题"
    long = "字" * 100
    assert flash_title(long) == "字" * 79 + "…"


def test_jsonp_and_links():
    assert strip_jsonp('jQuery123_4({"a": 1});') == '{"a": 1}'
    assert strip_jsonp('{"a": 1}') == '{"a": 1}'
    assert absolute("https://x.cn/a/b.html", "../c.html") == "https://x.cn/c.html"
    assert absolute("https://x.cn/", "http://y.cn/z", https=True) == "https://y.cn/z"
    assert absolute("https://x.cn/", None) == ""


def test_html_error_page_is_a_parse_error_that_says_waf():
    spider = make_spider(GovCnSpider, "govcn_policy")
    response = TextResponse(
        url="https://www.gov.cn/x.json", body="<html>访问被拒绝</html>".encode(), encoding="utf-8"
    )
    assert list(spider.parse(response)) == []
    assert stat(spider, "capwatch/parse_errors") == 1


def test_http_failure_of_a_list_is_an_api_error():
    spider = make_spider(GovCnSpider, "govcn_policy")
    request = Request("https://www.gov.cn/x.json")
    response = TextResponse(url=request.url, status=403, body=b"forbidden", request=request)
    spider.list_failed(Failure(HttpError(response)))
    assert stat(spider, "capwatch/api_errors") == 1


def test_a_failed_article_page_still_stores_the_listed_item():
    spider = make_spider(GovCnSpider, "govcn_policy")
    item = ArticleItem(
        source_key="govcn_policy",
        external_id="1",
        url="https://www.gov.cn/1.htm",
        title="标题",
        body="摘要",
    )
    request = spider.article_request(item, lambda response, it: it)
    response = TextResponse(url=item.url, status=404, body=b"", request=request)
    assert list(request.errback(Failure(HttpError(response)))) == [item]
    assert stat(spider, "capwatch/article_page_errors") == 1


def test_an_article_parser_crash_keeps_the_item_and_counts_a_parse_error():
    spider = make_spider(GovCnSpider, "govcn_policy")
    item = ArticleItem(
        source_key="govcn_policy", external_id="1", url="https://www.gov.cn/1.htm", title="标题"
    )

    def broken(response, it):
        raise KeyError("layout changed")

    request = spider.article_request(item, broken)
    out = list(request.callback(TextResponse(url=item.url, body=b"<html></html>")))
    assert out == [item] and stat(spider, "capwatch/parse_errors") == 1


def test_source_headers_override_the_site_defaults():
    spider = make_spider(GovCnSpider, "govcn_policy")
    assert spider.headers_for({"X": "1"})["Referer"] == "https://www.gov.cn/"
    assert spider.headers_for({"Referer": "r"})["Referer"] == "r"


async def test_list_callbacks_do_not_request_article_pages_already_stored():
    spider = make_spider(GovCnSpider, "govcn_policy")
    stored = "https://www.gov.cn/zhengce/content/202608/content_7080735.htm"

    async def known(urls):
        return {u for u in urls if u == stored}

    spider.known_urls = known
    (request,) = await start_requests(spider)
    body = fixture("govcn/zuixin.json")
    out = await drain(request, respond(body, request.url))
    assert [r.url for r in out] == ["https://www.gov.cn/zhengce/content/202608/content_7080700.htm"]
    assert stat(spider, "capwatch/known_articles") == 1


async def test_without_a_store_every_article_page_is_requested():
    spider = make_spider(GovCnSpider, "govcn_policy")
    assert await spider.known_urls(["https://www.gov.cn/x"]) == set()
