"""The whole path through the real parts: the `capwatch` CLI crawls the local CLS site, stores
in PostgreSQL, detects, and alerts through python-telegram-bot at the fake Bot API."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.integration
TOKEN = "987654321:AAE2eTestTokenForCapwatchEndToEnd12345"
CAPWATCH = [sys.executable, "-m", "capwatch"]


def service_env(tmp_path: Path, database_url: str, site_url: str, bot_url: str) -> dict:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nkey = "cls"\nname = "财联社 电报"\nkind = "spider"\ntier = "wire"\n'
        f'url = "{site_url}/v1/roll/get_roll_list"\ninterval = 3600\n'
        "[source.options]\npage_size = 5\nmax_pages = 3\n",
        "utf-8",
    )
    return {
        **os.environ,
        "CAPWATCH_DATABASE_URL": database_url,
        "CAPWATCH_SOURCES_FILE": str(sources),
        "CAPWATCH_DATA_DIR": str(tmp_path / "data"),
        "CAPWATCH_POLL_SECONDS": "0.5",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": bot_url,
        "TELEGRAM_ALERT_CHAT_IDS": "-100777",
    }


def crawl_cls(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """One `capwatch crawl cls --process` run in a child process."""
    return subprocess.run(
        [*CAPWATCH, "crawl", "cls", "--process"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_crawl_detect_alert_once_and_never_twice(tmp_path, database_url, cls_site, bot_api):
    site, site_server = cls_site
    api, bot_server = bot_api
    env = service_env(tmp_path, database_url, site_server.url, bot_server.url)
    for _ in range(2):
        done = crawl_cls(env)
        assert done.returncode == 0, done.stderr
        assert TOKEN not in done.stderr and TOKEN not in done.stdout
    sent = api.sent()
    assert len(sent) == 1, [c.params.get("text") for c in sent]
    assert int(sent[0].params["chat_id"]) == -100777
    assert "光伏玻璃龙头企业集体减产30%" in sent[0].params["text"]
    assert "https://www.cls.cn/detail/2461000" in sent[0].params["text"]
    assert all(r["query"].get("sign") for r in site.requests)
    with psycopg.connect(database_url) as conn:
        runs = conn.execute(
            "SELECT status, items, new_articles FROM crawl_runs ORDER BY id"
        ).fetchall()
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    assert runs == [("finished", 10, 10), ("finished", 10, 0)]
    assert articles == 10 and events == 1


def test_service_runs_alerts_and_stops_cleanly_on_sigterm(
    tmp_path, database_url, cls_site, bot_api
):
    _, site_server = cls_site
    api, bot_server = bot_api
    env = service_env(tmp_path, database_url, site_server.url, bot_server.url)
    proc = subprocess.Popen(
        [*CAPWATCH, "run", "--only", "cls"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not api.sent() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert len(api.sent()) == 1
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "crawl finished: cls status=finished items=10 new=10" in err
    assert "alert sent" in err and "capwatch stopped" in err
    assert TOKEN not in err and TOKEN not in out


def test_old_news_is_stored_as_an_event_without_an_alert(tmp_path, database_url, cls_site, bot_api):
    """A backfill or the first crawl of an archive must not page analysts about old news."""
    _, site_server = cls_site
    api, bot_server = bot_api
    env = service_env(tmp_path, database_url, site_server.url, bot_server.url)
    env["CAPWATCH_ALERT_MAX_AGE_HOURS"] = "72"  # the fixture items are from August 2026
    done = crawl_cls(env)
    assert done.returncode == 0, done.stderr
    assert api.sent() == []
    assert "recorded without an alert" in done.stderr
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
