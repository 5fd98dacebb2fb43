"""Wallstreetcn lives and articles; the article detail API is rebuilt from real saved bodies."""

import json
from urllib.parse import parse_qs, urlsplit

from crawlers.spiders.wallstreetcn import WallstreetcnArticlesSpider, WallstreetcnLivesSpider
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

LIVES = "https://api-one.wallstcn.com/apiv1/content/lives?channel=global-channel"
FLOW = "https://api-one.wallstcn.com/apiv1/content/information-flow?x=1"


async def test_lives_first_page_request():
    spider = make_spider(WallstreetcnLivesSpider, "wallstreetcn_lives")
    (request,) = await start_requests(spider)
    query = parse_qs(urlsplit(request.url).query)
    assert query["channel"] == ["global-channel"] and query["first_page"] == ["true"]
    assert "cursor" not in query and request.headers[b"Referer"] == b"https://wallstreetcn.com/"


def test_lives_items_titles_times_and_next_cursor():
    spider = make_spider(WallstreetcnLivesSpider, "wallstreetcn_lives", max_pages=2)
    items, requests = split(spider.parse(respond(fixture("wallstreetcn/lives.json"), LIVES)))
    important, plain = items
    assert important.title == "多晶硅企业商讨联合减产" and important.author == "见闻速递"
    assert important.url == "https://wallstreetcn.com/livenews/3099001"
    assert important.published_at.isoformat() == "2026-08-21T03:00:00+00:00"
    assert plain.title == "美股盘前" and plain.url == "https://wallstreetcn.com/livenews/3099000"
    query = parse_qs(urlsplit(requests[0].url).query)
    assert query["cursor"] == ["1787280000,3099000"] and query["first_page"] == ["false"]


def test_lives_refusal_is_an_api_error():
    spider = make_spider(WallstreetcnLivesSpider, "wallstreetcn_lives")
    assert list(spider.parse(respond({"code": 40101, "message": "denied"}, LIVES))) == []
    assert stat(spider, "capwatch/api_errors") == 1


def test_articles_flow_keeps_articles_and_fetches_details_from_the_same_host():
    spider = make_spider(WallstreetcnArticlesSpider, "wallstreetcn_articles")
    items, requests = split(
        spider.parse(respond(fixture("wallstreetcn/information_flow.json"), FLOW))
    )
    assert items == [] and len(requests) == 2
    assert stat(spider, "capwatch/skipped_items") == 2  # the ad and the theme
    assert (
        requests[0].url == "https://api-one.wallstcn.com/apiv1/content/articles/3780100?extract=0"
    )
    item = follow(requests[0], fixture("wallstreetcn/article_3780100.json"), html=False)
    assert item.url == "https://wallstreetcn.com/articles/3780100"
    assert item.body == "多家锂电龙头暂停扩产计划。\n业内人士表示，行业正在从规模竞争转向质量竞争。"
    deleted = follow(requests[1], fixture("wallstreetcn/article_deleted.json"), html=False)
    assert deleted.body == "摘要" and stat(spider, "capwatch/api_errors") == 0


def test_real_saved_article_bodies_through_the_detail_parser():
    """20 real articles (../shared): their HTML bodies served as the detail API serves them."""
    path = shared_path(
        "fixtures", "sources", "wallstreetcn", "wallstreetcn_articles_normalized_2026-08-22.json"
    )
    saved = json.loads(path.read_text("utf-8"))["data"]
    flow = {
        "code": 20000,
        "data": {
            "items": [
                {
                    "resource_type": "article",
                    "resource": {
                        "id": int(a["id"]),
                        "title": a["title"],
                        "uri": a["link"],
                        "display_time": 1787400000,
                        "content_short": "",
                        "author": {"display_name": a["author"]},
                    },
                }
                for a in saved
            ]
        },
    }
    spider = make_spider(WallstreetcnArticlesSpider, "wallstreetcn_articles")
    _, requests = split(spider.parse(respond(flow, FLOW)))
    assert len(requests) == len(saved) == 20
    for request, article in zip(requests, saved, strict=True):
        detail = {
            "code": 20000,
            "data": {
                "title": article["title"],
                "content": article["description"],
                "author": {"display_name": article["author"]},
            },
        }
        item = follow(request, detail, html=False)
        assert item.url == article["link"] and item.title == article["title"]
        assert len(item.body) > 100 and "<p>" not in item.body and "</" not in item.body
