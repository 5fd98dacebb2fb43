"""Health queries, the json kind, retries with backoff and the robots.txt opt-out, with real
crawls against a local server."""

from __future__ import annotations

import json

import psycopg
import pytest
from psycopg import AsyncConnection

from scheduler.health import collect
from tests.crawlers.sources.conftest import run_crawls
from tests.crawlers.sources.site_server import FixtureServer, Page
from tests.fakes.serving import BackgroundServer
from tests.scheduler.test_jobs import make_source

pytestmark = pytest.mark.integration


async def test_unhealthy_after_n_bad_runs_and_a_good_run_resets(database_url):
    """The one definition of a bad run (scheduler/health.py: run_problem) over stored runs."""
    async with await AsyncConnection.connect(database_url, autocommit=True) as conn:
        for key, status, items, stat in [
            ("a", "finished", 0, "{}"),
            ("a", "finished", 0, '{"capwatch/parse_errors": 2}'),
            ("a", "timeout", 5, "{}"),
            ("b", "finished", 0, "{}"),
            ("b", "finished", 0, "{}"),
            ("b", "finished", 0, '{"capwatch/found": 4, "capwatch/known": 4}'),
            ("c", "finished", 0, "{}"),
            ("c", "running", 0, "{}"),
        ]:
            await conn.execute(
                "INSERT INTO crawl_runs (source_key, status, items, stats) VALUES (%s, %s, %s, %s)",
                (key, status, items, stat),
            )
        sources = {key: make_source(key) for key in "abcd"}
        health = {h.key: h for h in await collect(conn, sources, 3)}
    assert [k for k, h in health.items() if h.state == "failing"] == ["a"]
    assert health["a"].last_problem == "run timeout" and health["a"].consecutive_failures == 3
    assert health["b"].consecutive_failures == 0  # only known entries: quiet, not broken
    assert health["c"].consecutive_failures == 1 and health["c"].running_since is not None
    assert health["d"].state == "new"


def test_json_kind_retries_with_backoff_and_robots_opt_out(database_url, tmp_path):
    site = FixtureServer()
    server = BackgroundServer(site.app()).start()
    try:
        items = [
            {
                "code": f"2026112{n}",
                "title": f"<b>标题{n}</b> 减产",
                "showTime": f"2026-11-2{n} 09:0{n}:00",
                "summary": f"<p>摘要{n}</p>",
            }
            for n in range(3)
        ]
        body = "jQuery123(" + json.dumps({"data": {"list": items}}, ensure_ascii=False) + ");"
        site.pages["/api/list?column=345"] = Page(
            body.encode(), "application/javascript", fail_first=2
        )
        site.pages["/robots.txt"] = Page(b"User-agent: *\nDisallow: /blocked/\n", "text/plain")
        site.pages["/blocked/feed.xml"] = Page(
            b'<rss version="2.0"><channel><item><title>T</title><link>http://x.org/1</link>'
            b"</item></channel></rss>",
            "application/rss+xml",
        )
        sources = tmp_path / "s.toml"
        sources.write_text(
            f"""
[[source]]
key = "em_col"
name = "json list"
kind = "json"
url = "{server.url}/api/list?column=345"
interval = 60
[source.options]
items = "data.list"
title = "title"
url_template = "https://finance.eastmoney.com/a/{{code}}.html"
id = "code"
time = "showTime"
body = "summary"

[[source]]
key = "blocked"
name = "obeys robots"
kind = "rss"
url = "{server.url}/blocked/feed.xml"
interval = 60

[[source]]
key = "optout"
name = "ignores robots"
kind = "rss"
url = "{server.url}/blocked/feed.xml"
interval = 60
robots = false
robots_reason = "the feed is published for readers; robots.txt blocks every crawler"
""",
            "utf-8",
        )
        results = {
            r["key"]: r for r in run_crawls(database_url, sources, ["em_col", "blocked", "optout"])
        }
    finally:
        server.stop()
    assert site.hits["/api/list?column=345"] == 3  # two 503s, then the page
    assert results["em_col"]["new"] == 3 and results["optout"]["new"] == 1
    assert results["blocked"]["items"] == 0 and site.hits["/blocked/feed.xml"] == 1
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT url, title, body, published_at, external_id FROM articles"
            " WHERE source_key = 'em_col' ORDER BY url LIMIT 1"
        ).fetchone()
        runs = dict(conn.execute("SELECT source_key, http_errors FROM crawl_runs").fetchall())
    assert row[0] == "https://finance.eastmoney.com/a/20261120.html"
    assert row[1] == "标题0 减产" and row[2] == "摘要0" and row[4] == "20261120"
    assert row[3].isoformat() == "2026-11-20T01:00:00+00:00"
    assert runs["em_col"] == 2
