"""`capwatch run` under faults, as real processes: a spider that raises, one that hangs its
callback, one that blocks its process; SIGTERM; the health endpoint; admin reports once."""

from __future__ import annotations

import json
import re
import signal
import socket
import urllib.request

import pytest

from tests.capwatch.service.helpers import (
    Service,
    cls_entry,
    query,
    service_env,
    source_entry,
    wait_for,
)
from tests.capwatch.service.helpers import write_sources as write

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> tuple[int, dict]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, json.loads(response.read())


def runs(dsn: str, key: str, status: str | None = None) -> list[tuple]:
    sql = (
        "SELECT status, started_at, finished_at, executor, finish_reason FROM crawl_runs"
        " WHERE source_key = %s"
    )
    params: tuple = (key,)
    if status:
        sql += " AND status = %s"
        params += (status,)
    return query(dsn, sql + " ORDER BY id", params)


def admin_reports(api) -> list[str]:
    return [c.params["text"] for c in api.sent() if int(c.params["chat_id"]) == 555]


def test_broken_and_hung_spiders_do_not_delay_others(tmp_path, database_url, cls_site, bot_api):
    _, site = cls_site
    api, bot = bot_api
    api_url = f"{site.url}/v1/roll/get_roll_list"
    sources = write(
        tmp_path,
        cls_entry(site.url, interval=2),
        source_entry("boom", api_url, interval=2),
        source_entry("hangs", api_url, interval=2),
        source_entry("blocks", api_url, interval=2, executor="subprocess"),
    )
    port = free_port()
    env = service_env(
        tmp_path,
        database_url,
        sources,
        bot.url,
        CAPWATCH_CRAWL_TIMEOUT="2",
        CAPWATCH_HEALTH_FAILURES="2",
        CAPWATCH_HEALTH_PORT=str(port),
        TELEGRAM_ADMIN_CHAT_IDS="555",
    )
    service = Service(env, tmp_path / "run.log", "--only", "cls,boom,hangs,blocks")
    try:
        wait_for(lambda: len(admin_reports(api)) >= 3, 90, "three admin reports")
        boom_runs = len(runs(database_url, "boom"))
        wait_for(lambda: len(runs(database_url, "boom")) >= boom_runs + 2, 30, "more boom runs")
        code, health = get_json(f"http://127.0.0.1:{port}/health")
        assert code == 200 and health == {"status": "ok", "role": "scheduler"}
        _, status = get_json(f"http://127.0.0.1:{port}/status")
        assert service.stop(signal.SIGTERM) == 0, service.log
    finally:
        service.kill()
    log = service.log
    assert "capwatch stopped" in log

    # while each stuck crawl was stuck, cls was crawled (and boom kept failing on its own)
    cls_runs = runs(database_url, "cls", "finished")
    for key in ("hangs", "blocks"):
        stuck = [(r[1], r[2]) for r in runs(database_url, key, "timeout")]
        assert any(a < run[1] < b for a, b in stuck for run in cls_runs), key
    assert {r[3] for r in runs(database_url, "blocks")} == {"subprocess"}
    boom = [r for r in runs(database_url, "boom") if r[4] != "shutdown"]
    # finished, with errors and no items; under a loaded machine one of its ~1 s crawls can
    # reach the 2 s deadline this test sets for the stuck ones: a timeout, never a hang
    statuses = {r[0] for r in boom}
    assert "finished" in statuses and statuses <= {"finished", "timeout"}, boom
    assert "crawl finished: cls status=finished items=10 new=10" in log
    assert "crawl finished: hangs status=timeout" in log

    # the status JSON says which sources are broken and why
    states = {s["key"]: s for s in status["sources"]}
    assert states["cls"]["state"] == "ok"
    assert {states[k]["state"] for k in ("boom", "hangs", "blocks")} == {"failing"}
    assert states["hangs"]["consecutive_failures"] >= 2
    assert status["scheduler"]["name"].startswith("capwatch-scheduler")

    # one report per broken source, however many runs failed; the alert chat got its alert
    admin = admin_reports(api)
    assert sorted(re.search(r"source (\w+) \(.* is failing", t)[1] for t in admin) == [
        "blocks",
        "boom",
        "hangs",
    ], admin
    alerts = [c for c in api.sent() if int(c.params["chat_id"]) == -100777]
    assert len(alerts) == 1
