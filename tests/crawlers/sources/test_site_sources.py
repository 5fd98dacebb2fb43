"""Every HTML/RSS/sitemap source of crawlers/sources.toml, crawled with real Scrapy and the
real store pipeline against local pages shaped like the real sites (fixture_sites.py), twice:
the second crawl must not request any article page again and must send conditional GETs."""

from __future__ import annotations

from datetime import datetime

import psycopg
import pytest

from tests.crawlers.sources.conftest import local_sources_file, run_crawls
from tests.crawlers.sources.fixture_sites import SITES

pytestmark = pytest.mark.integration
KEYS = list(SITES)


@pytest.fixture(scope="module")
def crawled(fixture_server, module_db, tmp_path_factory):
    site, server = fixture_server
    sources_file = local_sources_file(tmp_path_factory.mktemp("src") / "s.toml", server.url, KEYS)
    first = run_crawls(module_db, sources_file, KEYS)
    hits_after_first = dict(site.hits)
    second = run_crawls(module_db, sources_file, KEYS)
    with psycopg.connect(module_db) as conn:
        rows = conn.execute(
            "SELECT source_key, url, title, body, published_at, author FROM articles"
        ).fetchall()
        runs = conn.execute(
            "SELECT source_key, status, items, new_articles, found, known, not_modified,"
            " http_errors, parse_errors FROM crawl_runs ORDER BY id"
        ).fetchall()
    articles: dict[str, list[tuple]] = {}
    for row in rows:
        articles.setdefault(row[0], []).append(row[1:])
    return {
        "first": first,
        "second": second,
        "articles": articles,
        "runs": runs,
        "hits_first": hits_after_first,
        "site": site,
        "base": server.url,
    }


def by_title(crawled, key: str, fragment: str) -> tuple:
    found = [a for a in crawled["articles"].get(key, []) if fragment in a[1]]
    assert found, [a[1] for a in crawled["articles"].get(key, [])]
    return found[0]


def beijing(text: str) -> str:
    from core.tz import BEIJING

    return datetime.fromisoformat(text).replace(tzinfo=BEIJING).isoformat()


def test_every_source_stored_its_articles_on_the_first_crawl(crawled):
    counts = {r["key"]: (r["status"], r["new"]) for r in crawled["first"]}
    assert counts == {
        "nbd": ("finished", 3),
        "jiemian": ("finished", 2),
        "cs_hg": ("finished", 2),
        "ndrc_xwfb": ("finished", 2),
        "coalchina": ("finished", 2),
        "chinania": ("finished", 1),
        "scmp_business": ("finished", 2),
        "cnbc_economy": ("finished", 3),
        "reuters": ("finished", 4),
    }


def test_second_crawl_requests_no_article_page_again_and_stores_nothing_new(crawled):
    assert all(r["new"] == 0 and r["status"] == "finished" for r in crawled["second"])
    site = crawled["site"]
    articles = [
        p
        for p in site.pages
        if "/articles/" in p
        or "/article/" in p
        or "t2026" in p
        or "a=show" in p
        or "/yaowen/2026/" in p
        or "cnbc.com/2026" in p
    ]
    assert articles and all(site.hits[p] == crawled["hits_first"].get(p, 0) for p in articles)
    assert all(site.hits[p] <= 1 for p in articles)


def test_list_pages_with_validators_get_conditional_requests_and_304(crawled):
    site = crawled["site"]
    assert "/www.nbd.com.cn/columns/3/" in site.conditional
    assert "/www.scmp.com/rss/92/feed" in site.conditional
    second = {r[0]: r for r in crawled["runs"][len(crawled["first"]) :]}
    assert second["nbd"][6] == 1 and second["scmp_business"][6] == 1  # not_modified
    assert second["cs_hg"][4] == 2 and second["cs_hg"][5] == 2  # no validators: found, known


def test_source_headers_are_sent(crawled):
    seen = crawled["site"].headers_seen["/www.nbd.com.cn/columns/3/"]
    assert seen["Referer"] == "https://www.nbd.com.cn/"
    assert "Mozilla/5.0" in seen["User-Agent"]


def test_nbd_selectors_and_link_filter(crawled):
    _url, title, body, published, author = by_title(crawled, "nbd", "光伏玻璃")
    assert title == "光伏玻璃龙头集体减产30% 行业反内卷提速"
    assert "集体减产30%" in body and "相关阅读" not in body and "频道1" not in body
    assert published == datetime.fromisoformat(beijing("2026-11-20T10:31:00"))
    assert author == "张明"  # byline "每经记者 张明" in the body
    assert all("m.example.com" not in a[0] for a in crawled["articles"]["nbd"])


def test_jiemian_epoch_time_author_and_removed_parts(crawled):
    _url, _title, body, published, author = by_title(crawled, "jiemian", "电解铝")
    assert published.timestamp() == 1795500000
    assert author == "王晓"
    assert "举报" not in body and "严禁新增产能" in body
    assert len(crawled["articles"]["jiemian"]) == 2  # the .sub-col-right link is not followed


def test_cs_gbk_pages_decode_despite_a_wrong_utf8_header(crawled):
    _url, title, body, published, author = by_title(crawled, "cs_hg", "水泥")
    assert title == "水泥行业错峰生产方案出台"
    assert "熟料生产线全部停窑" in body and "𠀀" in body  # GB18030-only character survives
    assert published == datetime.fromisoformat(beijing("2026-11-21T08:11:00"))
    assert author == "赵敏"


def test_ndrc_relative_links_meta_fields_and_forced_utf8(crawled):
    urls = sorted(a[0] for a in crawled["articles"]["ndrc_xwfb"])
    assert urls[0].endswith("/www.ndrc.gov.cn/xwdt/xwfb/202611/t20261120_1401002.html")
    _url, title, body, published, author = by_title(crawled, "ndrc_xwfb", "光伏")
    assert title == "关于治理光伏行业低价竞争的通知" and author == "国家发展改革委"
    assert published == datetime.fromisoformat(beijing("2026-11-20T16:30:00"))
    assert "特此通知" in body


def test_coalchina_generic_extraction_of_gbk_and_mislabelled_utf8(crawled):
    for fragment in ("经济运行分析会", "限产保价"):
        _url, _title, body, published, author = by_title(crawled, "coalchina", fragment)
        assert "核定产能组织生产" in body, body[:200]
        assert "关于我们" not in body and "频道" not in body
        assert published is not None and published.year == 2026
        assert author == "中国煤炭工业协会"


def test_chinania_title_and_date_from_paragraphs(crawled):
    _url, title, _body, published, _author = by_title(crawled, "chinania", "铜冶炼")
    assert title == "铜冶炼企业联合减产 降低铜精矿加工费竞争"
    assert published == datetime.fromisoformat(beijing("2026-11-24T00:00:00"))


def test_scmp_feed_items_stored_without_tracking_parameters(crawled):
    url, _title, body, published, author = by_title(crawled, "scmp_business", "solar glass")
    assert "utm_source" not in url and body == "Beijing steps up its anti-involution campaign."
    assert author == "Staff Reporter" and published is not None


def test_cnbc_follows_articles_skips_select_and_keeps_the_feed_item_of_a_404(crawled):
    rows = crawled["articles"]["cnbc_economy"]
    assert not any("/select/" in r[0] for r in rows)
    _url, _title, body, _published, author = by_title(crawled, "cnbc_economy", "steel output")
    assert "told to cut output" in body and author == "Evelyn Cheng"
    gone = by_title(crawled, "cnbc_economy", "taken down")
    assert gone[2] == "A story that was taken down: summary."  # the feed text, page was 404


def test_reuters_index_newest_children_and_age_limit(crawled):
    titles = sorted(a[1] for a in crawled["articles"]["reuters"])
    # two newest child sitemaps (from=0, from=100), entries older than 48 h dropped
    assert titles == [f"China aluminium smelters curb output {n}" for n in (0, 1, 100, 101)]
    site = crawled["site"]
    assert (
        site.hits["/www.reuters.com/arc/outboundfeeds/news-sitemap/?outputType=xml&from=200"] == 0
    )


def test_runs_record_found_known_and_no_errors(crawled):
    first = crawled["runs"][: len(crawled["first"])]
    assert all(r[7] == 0 or r[0] == "cnbc_economy" for r in first)  # http_errors (cnbc: the 404)
    assert all(r[8] == 0 for r in crawled["runs"])  # parse_errors
    by_key = {r[0]: r for r in first}
    assert by_key["nbd"][4] == 3 and by_key["cnbc_economy"][7] >= 1
