"""The acceptance path: exactly the issue's minimal rss entry in CAPWATCH_SOURCES_FILE, and
`capwatch run --only example_rss` crawls the local feed on its 5 s interval, stores it once,
and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest

from tests.crawlers.sources.site_server import FixtureServer, Page, start_on_port

pytestmark = pytest.mark.integration

ENTRY = """[[source]]
key = "example_rss"
name = "Example feed"
kind = "rss"
url = "http://127.0.0.1:8123/feed.xml"
lang = "zh"
interval = 5
"""
FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>示例</title>
<item><title>光伏玻璃龙头企业集体减产30%</title><link>http://127.0.0.1:{port}/a/1.html</link>
<guid>a-1</guid><pubDate>Wed, 25 Nov 2026 08:00:00 +0800</pubDate>
<description>&lt;p&gt;行业协会倡议压减产能，遏制内卷式竞争。&lt;/p&gt;</description></item>
<item><title>央行开展逆回购操作</title><link>http://127.0.0.1:{port}/a/2.html</link>
<guid>a-2</guid><pubDate>Wed, 25 Nov 2026 09:00:00 +0800</pubDate>
<description>公开市场操作。</description></item>
</channel></rss>"""


def test_minimal_rss_entry_runs_in_the_service(tmp_path, database_url):
    site = FixtureServer()
    server = start_on_port(site.app(), 8123)
    try:
        site.pages["/feed.xml"] = Page(
            FEED.format(port=server.port).encode(), "application/rss+xml"
        )
        sources = tmp_path / "sources.toml"
        sources.write_text(ENTRY.replace("8123", str(server.port)), "utf-8")
        env = {
            **os.environ,
            "CAPWATCH_DATABASE_URL": database_url,
            "CAPWATCH_SOURCES_FILE": str(sources),
            "CAPWATCH_DATA_DIR": str(tmp_path / "d"),
            "CAPWATCH_POLL_SECONDS": "0.5",
        }
        env.pop("TELEGRAM_BOT_TOKEN", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "capwatch", "run", "--only", "example_rss"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                if site.hits["/feed.xml"] >= 2:
                    break
                time.sleep(0.3)
            time.sleep(1.0)  # let the second run be recorded
            proc.send_signal(signal.SIGTERM)
            _out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    finally:
        server.stop()
    assert proc.returncode == 0, err[-3000:]
    assert site.hits["/feed.xml"] >= 2, err[-3000:]
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT external_id, title, body, published_at FROM articles ORDER BY external_id"
        ).fetchall()
        runs = conn.execute(
            "SELECT status, items, new_articles, found FROM crawl_runs ORDER BY id"
        ).fetchall()
    assert [r[0] for r in rows] == ["a-1", "a-2"]
    assert (
        rows[0][1] == "光伏玻璃龙头企业集体减产30%"
        and rows[0][2] == "行业协会倡议压减产能，遏制内卷式竞争。"
    )
    assert rows[0][3].isoformat() == "2026-11-25T00:00:00+00:00"
    assert runs[0] == ("finished", 2, 2, 2)
    assert all(r[0] == "finished" and r[2] == 0 for r in runs[1:]) and len(runs) >= 2
    assert "crawl finished: example_rss status=finished" in err
