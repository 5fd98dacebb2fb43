"""Yicai, 21jingji, EEO, Caixin and Caixin Global on responses in their documented shapes."""

from urllib.parse import parse_qs, urlsplit

from crawlers.spiders.caixin import CaixinGlobalSpider, CaixinSpider
from crawlers.spiders.eeo import EeoSpider
from crawlers.spiders.jingji21 import Jingji21Spider
from crawlers.spiders.yicai import YicaiBriefSpider, YicaiNewsSpider
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


def test_yicai_brief_time_is_datekey_plus_hm_in_beijing():
    spider = make_spider(YicaiBriefSpider, "yicai_brief")
    url = "https://www.yicai.com/api/ajax/getbrieflist?type=0"
    items, _ = split(spider.parse(respond(fixture("yicai/brief.json"), url)))
    coke, cpi = items
    assert (
        coke.external_id == "102800001" and coke.url == "https://www.yicai.com/brief/102800001.html"
    )
    assert (
        coke.title == "焦炭第五轮提降落地"
        and coke.body == "焦炭第五轮提降落地，\n钢厂限产预期升温。"
    )
    assert coke.published_at.isoformat() == "2026-08-21T10:36:00+08:00"
    assert cpi.title == "统计局：7月CPI同比上涨0.5%" and cpi.external_id == "102800000"


async def test_yicai_news_vip_links_and_article_page():
    spider = make_spider(YicaiNewsSpider, "yicai_news", params={"cid": 48, "type": 1})
    (request,) = await start_requests(spider)
    assert parse_qs(urlsplit(request.url).query)["cid"] == ["48"]
    items, requests = split(spider.parse(respond(fixture("yicai/latest.json"), request.url)))
    (vip,) = items
    assert (
        vip.url == "https://www.yicai.com/vip/news/102800101.html" and vip.body == "付费内容摘要。"
    )
    item = follow(requests[0], fixture("yicai/article.html"))
    assert item.title == "水泥行业：产能置换新规落地" and item.author == "第一财经 记者A"
    assert item.body == "新规明确，严禁新增水泥熟料产能。\n产能置换比例不低于1.5:1。"
    assert item.published_at.isoformat() == "2026-08-21T09:15:00+08:00"


async def test_jingji21_menu_token_list_article_chain():
    spider = make_spider(Jingji21Spider, "jingji21", api_base="http://127.0.0.1:9")
    menu = "https://static.21jingji.com/m/webMenu.json"
    (token_request,) = list(spider.parse_menu(respond(fixture("jingji21/menu.json"), menu)))
    assert token_request.method == "POST"
    assert token_request.url == "http://127.0.0.1:9/reader/cbhChannelAuth"
    (list_request,) = await drain(
        token_request, respond(fixture("jingji21/token.json"), token_request.url)
    )
    assert list_request.headers[b"authorization"] == b"tok-abc123"
    assert list_request.url.startswith("http://127.0.0.1:9/channel/politics/?short=politics")
    _, requests = split(
        await drain(list_request, respond(fixture("jingji21/list.json"), list_request.url))
    )
    first, second = requests
    assert first.url == "https://m.21jingji.com/article/20260821/herald/abcdef0123456789.html"
    assert second.url == "http://127.0.0.1:9/article/20260821/herald/0123456789abcdef.html"
    item = follow(first, fixture("jingji21/article.html"))
    assert item.body == "多部门联合部署综合整治“内卷式”竞争。"
    assert item.published_at.isoformat() == "2026-08-21T10:20:00+08:00"


def test_jingji21_unknown_channel_and_missing_token_are_reported():
    spider = make_spider(Jingji21Spider, "jingji21", channel="不存在")
    menu = "https://static.21jingji.com/m/webMenu.json"
    assert list(spider.parse_menu(respond(fixture("jingji21/menu.json"), menu))) == []
    assert stat(spider, "capwatch/parse_errors") == 1
    url = "https://m.21jingji.com/reader/cbhChannelAuth"
    assert list(spider.parse_token(respond({"code": 403}, url), api="/x/", short="x")) == []
    assert stat(spider, "capwatch/api_errors") == 1


def test_eeo_uses_list_content_and_fetches_pages_only_without_it():
    spider = make_spider(EeoSpider, "eeo")
    url = "https://app.eeo.com.cn/?app=article&action=getMoreArticle&catid=3690"
    items, requests = split(spider.parse(respond(fixture("eeo/list.json"), url)))
    (full,) = items
    assert full.body == "多晶硅期货主力合约涨停，市场预期产能整合加速。"
    assert full.published_at.isoformat() == "2026-08-21T10:12:00+08:00"
    (page,) = requests
    assert page.url == "https://www.eeo.com.cn/2026/0821/880102.shtml"
    item = follow(page, fixture("eeo/article.html"))
    assert item.body == "文章正文第一段。\n第二段。" and item.author == "记者丙"


def test_caixin_skips_audio_and_reads_the_free_part():
    spider = make_spider(CaixinSpider, "caixin")
    url = "https://gateway.caixin.com/api/dataplatform/scroll/index"
    items, requests = split(spider.parse(respond(fixture("caixin/scroll.json"), url)))
    assert items == [] and len(requests) == 1 and stat(spider, "capwatch/skipped_items") == 1
    item = follow(requests[0], fixture("caixin/article.html"))
    assert item.body == "【财新网】硅料价格企稳，多家企业减产。\n免费部分第一段。"
    assert item.published_at.isoformat() == "2026-08-21T10:30:00+08:00"


def test_caixin_global_reads_full_text_of_free_articles_only():
    spider = make_spider(CaixinGlobalSpider, "caixin_global")
    url = "https://gateway.caixin.com/api/extapi/homeInterface.jsp?subject=1"
    items, requests = split(spider.parse(respond(fixture("caixin_global/home.json"), url)))
    (paywalled,) = items
    assert paywalled.body == "Summary only." and paywalled.lang == "en"
    (reading,) = requests
    assert reading.url.startswith("https://u.caixinglobal.com/get/reading.do?id=102300500&")
    item = follow(reading, fixture("caixin_global/reading.json"), html=False)
    assert item.title == "China Steel Output Falls as Curbs Bite"
    assert item.body.startswith("Crude steel output fell 5% in July as production curbs bite.")
    assert item.published_at.isoformat() == "2026-08-21T03:00:00+00:00"


async def test_caixin_global_subject_keeps_its_semicolons():
    spider = make_spider(CaixinGlobalSpider, "caixin_global")
    (request,) = await start_requests(spider)
    assert "subject=100990318;100990314;100990311" in request.url
