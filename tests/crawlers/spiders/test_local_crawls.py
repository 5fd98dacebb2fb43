"""Real crawls: `capwatch crawl KEY` (subprocess, real Scrapy) against a local server on
127.0.0.1 that answers like the site, storing into a real PostgreSQL."""

import os
import subprocess
import sys
from collections.abc import Iterator

import psycopg
import pytest

from crawlers.sources import builtin_sources
from tests.crawlers.spiders.api_site import ApiSite
from tests.fakes.serving import BackgroundServer

pytestmark = pytest.mark.integration

PATHS = {
    "eastmoney_724": "/comm/web/getFastNewsList",
    "wallstreetcn_lives": "/apiv1/content/lives",
    "jin10": "/flash_newest.js",
    "govcn_policy": "/zhengce/zuixin/ZUIXINZHENGCE.json",
}


@pytest.fixture
def api_site() -> Iterator[tuple[ApiSite, BackgroundServer]]:
    site = ApiSite()
    server = BackgroundServer(site.app).start()
    yield site, server
    server.stop()


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def crawl(tmp_path, database_url: str, key: str, url: str, **options) -> None:
    """The built-in entry `key`, pointed at `url` through CAPWATCH_SOURCES_FILE, crawled once."""
    entry = builtin_sources()[key]
    lines = ["[[source]]"] + [
        f"{field} = {_toml_value(getattr(entry, field))}"
        for field in ("key", "name", "kind", "spider", "lang", "tier", "interval", "confidence")
    ]
    lines.append(f"url = {_toml_value(url)}")
    lines.append(f"options = {_toml_value({**entry.options, **options})}")
    sources = tmp_path / "sources.toml"
    sources.write_text("\n".join(lines) + "\n", "utf-8")
    env = {
        **os.environ,
        "CAPWATCH_DATABASE_URL": database_url,
        "CAPWATCH_SOURCES_FILE": str(sources),
        "CAPWATCH_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "capwatch", "crawl", key],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def stored(database_url: str, key: str):
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT external_id, url, title, body, published_at, author FROM articles"
            " WHERE source_key = %s ORDER BY external_id",
            (key,),
        ).fetchall()
        run = conn.execute(
            "SELECT status, items, new_articles, errors FROM crawl_runs WHERE source_key = %s",
            (key,),
        ).fetchall()
    return rows, run


def test_eastmoney_724_walks_two_pages_into_postgres(tmp_path, database_url, api_site):
    site, server = api_site
    crawl(tmp_path, database_url, "eastmoney_724", server.url + PATHS["eastmoney_724"], max_pages=3)
    rows, runs = stored(database_url, "eastmoney_724")
    assert [r[0] for r in rows] == [
        "202608213848200001",
        "202608213848200002",
        "202608213848200003",
    ]
    assert rows[0][2] == "多家光伏玻璃企业宣布减产30%"
    assert rows[0][4].isoformat() == "2026-08-21T03:05:00+00:00"
    assert runs == [("finished", 3, 3, 0)]
    calls = site.seen(PATHS["eastmoney_724"])
    assert [c["query"]["sortEnd"] for c in calls] == ["", "1787280300001002", "1787270000000003"]
    assert calls[0]["headers"]["Referer"] == "https://kuaixun.eastmoney.com/"


def test_wallstreetcn_lives_follow_the_cursor(tmp_path, database_url, api_site):
    _site, server = api_site
    crawl(
        tmp_path,
        database_url,
        "wallstreetcn_lives",
        server.url + PATHS["wallstreetcn_lives"],
        max_pages=2,
    )
    rows, runs = stored(database_url, "wallstreetcn_lives")
    assert [r[0] for r in rows] == ["3098999", "3099000", "3099001"]
    assert rows[2][2] == "多晶硅企业商讨联合减产" and rows[2][5] == "见闻速递"
    assert runs == [("finished", 3, 3, 0)]


def test_jin10_script_twice_stores_once(tmp_path, database_url, api_site):
    site, server = api_site
    for _ in range(2):
        crawl(tmp_path, database_url, "jin10", server.url + PATHS["jin10"])
    rows, runs = stored(database_url, "jin10")
    assert [r[2] for r in rows] == ["欧元/美元短线下挫20点。", "铜冶炼厂联合减产"]
    assert sorted(runs) == [("finished", 2, 0, 0), ("finished", 2, 2, 0)]
    assert site.seen(PATHS["jin10"])[0]["headers"]["Referer"] == "https://www.jin10.com/"


def test_govcn_list_then_article_pages_and_a_missing_page_keeps_the_entry(
    tmp_path, database_url, api_site
):
    site, server = api_site
    crawl(tmp_path, database_url, "govcn_policy", server.url + PATHS["govcn_policy"])
    rows, runs = stored(database_url, "govcn_policy")
    by_id = {r[0]: r for r in rows}
    assert set(by_id) == {"7080700", "7080735"}
    page = by_id["7080735"]
    assert page[1] == f"{server.url}/zhengce/content/202608/content_7080735.htm"
    assert page[3].startswith("各省、自治区、直辖市人民政府：") and page[5] == "国务院办公厅"
    assert page[4].isoformat() == "2026-08-21T10:30:05+00:00"
    listed_only = by_id["7080700"]  # its page answered 404
    assert listed_only[2] == "国务院关于印发某某方案的通知" and listed_only[3] == ""
    assert runs[0][:3] == ("finished", 2, 2)
    pages = [r for r in site.requests if r["path"].startswith("/zhengce/content/")]
    assert len(pages) == 2 and pages[0]["headers"]["Referer"] == "https://www.gov.cn/"
    # a second crawl asks for the list again, but not for the page already stored
    crawl(tmp_path, database_url, "govcn_policy", server.url + PATHS["govcn_policy"])
    pages = [r["path"] for r in site.requests if r["path"].startswith("/zhengce/content/")]
    assert pages.count("/zhengce/content/202608/content_7080735.htm") == 1
