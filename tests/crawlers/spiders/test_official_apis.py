"""gov.cn, MIIT, chinaisa and Yicai Global (signed) on responses in their documented shapes."""

import hashlib
import json
from urllib.parse import parse_qs, unquote, urlsplit

from crawlers.spiders.chinaisa import ChinaisaSpider
from crawlers.spiders.govcn import GovCnSpider
from crawlers.spiders.miit import MiitSpider, unit_query
from crawlers.spiders.yicaiglobal import YicaiGlobalSpider, sign, signed_params
from tests.conftest import shared_path
from tests.crawlers.spiders.helpers import (
    drain,
    fixture,
    follow,
    make_spider,
    respond,
    split,
    start_requests,
    stat,
)


def test_govcn_policy_list_then_meta_of_the_page():
    spider = make_spider(GovCnSpider, "govcn_policy")
    url = "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json"
    _, requests = split(spider.parse(respond(fixture("govcn/zuixin.json"), url)))
    assert [r.url for r in requests] == [
        "https://www.gov.cn/zhengce/content/202608/content_7080735.htm",
        "https://www.gov.cn/zhengce/content/202608/content_7080700.htm",
    ]
    item = follow(requests[0], fixture("govcn/article.html"))
    assert item.external_id == "7080735" and item.author == "国务院办公厅"
    assert item.published_at.isoformat() == "2026-08-21T18:30:05+08:00"
    assert item.body.startswith("各省、自治区、直辖市人民政府：\n为严控钢铁、水泥")
    assert item.raw["manuscriptId"] == "7080735" and item.raw["TITLE"] == item.title


def test_govcn_news_relative_urls_and_newest_first_cap():
    spider = make_spider(GovCnSpider, "govcn_news", fetch_articles=False, max_items=1)
    url = "https://www.gov.cn/yaowen/liebiao/YAOWENLIEBIAO.json"
    rows = json.loads(fixture("govcn/yaowen.json"))
    rows.append(
        {
            "TITLE": "旧闻",
            "URL": "/yaowen/liebiao/202001/content_1.htm",
            "DOCRELPUBTIME": "2020-01-01",
        }
    )
    items, _ = split(spider.parse(respond(list(reversed(rows)), url)))
    (item,) = items
    assert item.url == "https://www.gov.cn/yaowen/liebiao/202608/content_7080800.htm"
    assert item.published_at.isoformat() == "2026-08-21T00:00:00+08:00"


def test_miit_column_page_unit_api_and_article():
    spider = make_spider(MiitSpider, "miit")
    column = "https://www.miit.gov.cn/zwgk/wjgs/index.html"
    page = respond(fixture("miit/column.html"), column, html=True)
    page.headers.appendlist("Set-Cookie", "jsessionid=abc; Path=/")
    (unit,) = list(spider.parse_column(page))
    query = parse_qs(urlsplit(unit.url).query)
    assert unit.url.startswith("https://www.miit.gov.cn/api-gateway/jpaas-publish-server/")
    assert query["tagId"] == ["当前栏目_list"] and query["pageId"] == ["1b0a5b1b2c1c4d0f8a3e"]
    assert (
        unit.headers[b"Cookie"] == b"jsessionid=abc" and unit.headers[b"Referer"] == column.encode()
    )
    _, requests = split(spider.parse(respond(fixture("miit/unit.json"), unit.url)))
    (article,) = requests
    assert stat(spider, "capwatch/skipped_items") == 1
    item = follow(article, fixture("miit/article.html"))
    assert item.title == "工业和信息化部关于光伏制造行业规范条件（2026年本）的公告"
    assert item.external_id == "art_0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    assert item.published_at.isoformat() == "2026-08-20T17:00:00+08:00" and item.author == "科技司"


def test_miit_page_without_the_unit_script_is_a_parse_error():
    spider = make_spider(MiitSpider, "miit")
    page = respond("<html><body>改版了</body></html>", "https://www.miit.gov.cn/x.html", html=True)
    assert list(spider.parse_column(page)) == [] and stat(spider, "capwatch/parse_errors") == 1
    assert unit_query(page.selector) is None


async def test_chinaisa_posts_the_column_id_and_reads_the_article_json():
    spider = make_spider(ChinaisaSpider, "chinaisa")
    first, _second = await start_requests(spider)
    assert first.method == "POST"
    form = json.loads(unquote(first.body.decode()).removeprefix("params="))
    assert form == {"columnId": spider.source.options["columns"][0]}
    _, requests = split(await drain(first, respond(fixture("chinaisa/column.json"), first.url)))
    (detail,) = requests
    assert detail.method == "POST" and detail.url.endswith("/gxportal/xfpt/portal/viewArticleById")
    assert (
        json.loads(unquote(detail.body.decode()).removeprefix("params="))["articleId"]
        == "abc123def456"
    )
    item = follow(detail, fixture("chinaisa/detail.json"), html=False)
    assert item.url.startswith("https://www.chinaisa.org.cn/gxportal/xfgl/portal/content.html?")
    assert item.title == "中国钢铁工业协会召开会议 部署粗钢产量调控"
    assert item.body == "会议要求，严格落实粗钢产量调控政策。" and item.author == "中国钢铁工业协会"
    assert item.published_at.isoformat() == "2026-08-20T00:00:00+08:00"


def test_yicai_global_signature_is_sha1_of_sorted_lowercased_values_and_salt():
    params = signed_params({"type": "", "id": 3, "pagesize": 10, "page": 1}, "salt", now=1787281200)
    expected = hashlib.sha1(b"3_1_10_1787281200__salt").hexdigest()
    assert params["sign"] == expected
    assert sign({**params, "sign": "ignored"}, "salt") == expected  # `sign` itself is left out
    assert sign({"B": "X", "a": "y"}, "s") == hashlib.sha1(b"y_x_s").hexdigest()


async def test_yicai_global_requests_are_signed_and_articles_read_news_body():
    spider = make_spider(YicaiGlobalSpider, "yicai_global")
    requests = await start_requests(spider)
    assert len(requests) == 3
    query = {
        k: v[0]
        for k, v in parse_qs(urlsplit(requests[0].url).query, keep_blank_values=True).items()
    }
    assert query["sign"] == sign(query)
    items, pages = split(spider.parse(respond(fixture("yicaiglobal/list.json"), requests[0].url)))
    assert items == [] and len(pages) == 1 and stat(spider, "capwatch/skipped_items") == 1
    item = follow(pages[0], fixture("yicaiglobal/article.html"))
    assert item.external_id == "chinas-solar-glass-makers-cut-output-by-30"
    assert item.body.startswith("(Yicai) Aug. 21 -- Leading") and "x()" not in item.body
    assert item.published_at.isoformat() == "2026-08-21T11:00:00+08:00"


def test_yicai_global_invalid_sign_names_the_salt():
    from scrapy.http import Request, TextResponse
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.python.failure import Failure

    spider = make_spider(YicaiGlobalSpider, "yicai_global")
    request = Request("https://www.yicaiglobal.com/api/getNewsList")
    response = TextResponse(
        url=request.url, status=403, request=request, body=b'{"status":-1,"msg":"invalid sign"}'
    )
    spider.list_failed(Failure(HttpError(response)))
    assert stat(spider, "capwatch/api_errors") == 1


def test_yicai_global_real_saved_bodies():
    """20 real Yicai Global articles (../shared): `#news-body` HTML as the page holds it."""
    path = shared_path(
        "fixtures", "sources", "yicaiglobal", "yicaiglobal_news_normalized_2026-08-23.json"
    )
    saved = json.loads(path.read_text("utf-8"))["data"]
    spider = make_spider(YicaiGlobalSpider, "yicai_global")
    rows = [
        {"NewsTitle": a["title"], "NewsUrl": urlsplit(a["link"]).path, "LocalTime": a["pub_date"]}
        for a in saved
    ]
    _, pages = split(spider.parse(respond(rows, "https://www.yicaiglobal.com/api/getNewsList")))
    assert [p.url for p in pages] == [a["link"] for a in saved]
    for page, article in zip(pages, saved, strict=True):
        html = f"<html><body>{article['description']}</body></html>"
        item = follow(page, html)
        assert len(item.body) > 200 and "<" not in item.body, article["link"]
