"""`capwatch backfill` walks the CLS cursor back to a date; `capwatch status [--json]`
reports what the crawls left in the database."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.capwatch.service.helpers import (
    CAPWATCH,
    REPO,
    SlowClsSite,
    cls_entry,
    query,
    service_env,
)
from tests.capwatch.service.helpers import write_sources as write
from tests.fakes.cls_site import FIXTURES
from tests.fakes.serving import BackgroundServer

pytestmark = pytest.mark.integration
BEIJING = ZoneInfo("Asia/Shanghai")
NEWEST = int(datetime(2026, 8, 21, 18, 0, tzinfo=BEIJING).timestamp())


def history_items(count: int = 40, every_hours: int = 6) -> list[dict]:
    """`count` telegraph items, one every `every_hours`, newest at NEWEST."""
    template = json.loads((FIXTURES / "roll_items.json").read_text("utf-8"))["roll_data"][1]
    return [
        template
        | {
            "id": 3_000_000 + i,
            "ctime": NEWEST - i * every_hours * 3600,
            "title": f"历史快讯 {i}",
            "content": f"【历史快讯 {i}】财联社电，第{i}条。",
            "type": -1,
        }
        for i in range(count)
    ]


def capwatch(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CAPWATCH, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_backfill_walks_back_to_the_date_then_status_reports_it(tmp_path, database_url):
    site = SlowClsSite(delay=0.0, items=history_items())
    server = BackgroundServer(site.app).start()
    try:
        sources = write(tmp_path, cls_entry(server.url))  # page_size 5, max_pages 3
        env = service_env(tmp_path, database_url, sources)
        done = capwatch(
            env, "backfill", "cls", "--since", "2026-08-16", "--until", "2026-08-21T23:59"
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    since = int(datetime(2026, 8, 16, tzinfo=BEIJING).timestamp())
    expected = {3_000_000 + i for i, item in enumerate(history_items()) if item["ctime"] >= since}
    stored = {
        int(external) for (external,) in query(database_url, "SELECT external_id FROM articles")
    }
    assert stored == expected and len(expected) == 24  # far more than max_pages x page_size
    cursors = [int(r["query"]["last_time"]) for r in site.requests]
    assert cursors == sorted(cursors, reverse=True) and len(cursors) >= 5
    assert "backfill of cls: finished, 24 items, 24 new" in done.stderr

    status = capwatch(env, "status", "--json")
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    cls = next(s for s in report["sources"] if s["key"] == "cls")
    assert (cls["state"], cls["last_status"], cls["last_items"], cls["last_new"]) == (
        "ok",
        "finished",
        24,
        24,
    )
    assert cls["coverage"] == {"title": 1.0, "time": 1.0, "body": 1.0}
    assert report["scheduler"] is None and report["ok"] is True

    table = capwatch(env, "status")
    assert table.returncode == 0, table.stderr
    assert "no `capwatch run` holds this database" in table.stdout
    assert "cls" in table.stdout and "ok" in table.stdout


def test_backfill_refuses_a_bad_date(tmp_path, database_url):
    env = service_env(tmp_path, database_url, write(tmp_path, cls_entry("http://127.0.0.1:9")))
    done = capwatch(env, "backfill", "cls", "--since", "last tuesday")
    assert done.returncode == 2 and "not a date" in done.stderr
