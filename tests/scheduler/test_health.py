"""Source health: the states from crawl history (pure), and reports to the admin chat once
per break and once per recovery, through python-telegram-bot at the fake Bot API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from psycopg_pool import AsyncConnectionPool

from alerts.transport import TelegramTransport
from capwatch.settings import Settings
from capwatch.telegram_setup import bot_config, telegram_config
from db.models import Coverage, RunRow
from scheduler.admin_notify import AdminNotifier
from scheduler.health import HealthMonitor, assess
from tests.capwatch.service.helpers import TOKEN
from tests.scheduler.test_jobs import make_source

NOW = datetime(2026, 8, 21, 12, 0, tzinfo=UTC)
SOURCE = make_source("cls", interval=60)


def run(minutes_ago: float, status="finished", items=50, new=3, errors=0, reason=None) -> RunRow:
    started = NOW - timedelta(minutes=minutes_ago)
    return RunRow(
        id=int(1000 - minutes_ago),
        source_key="cls",
        executor="inprocess",
        status=status,
        started_at=started,
        finished_at=started + timedelta(seconds=2),
        finish_reason=reason or status,
        requests=3,
        items=items,
        new_articles=new,
        errors=errors,
        duration_s=2.0,
    )


def history(n=12, **kw) -> list[RunRow]:
    return [run(m, **kw) for m in range(1, n + 1)]


def new_times(every_minutes: float, n=10, start_minutes_ago: float = 1) -> list[datetime]:
    return [NOW - timedelta(minutes=start_minutes_ago + i * every_minutes) for i in range(n)]


def full(sampled=50, title=1.0, published=1.0, body=1.0) -> Coverage:
    return Coverage("cls", sampled, title, published, body, NOW)


def health(runs, times=None, coverage=None, threshold=3):
    return assess(SOURCE, runs, times or new_times(5), coverage or full(), None, NOW, threshold)


def test_healthy_source_is_ok_with_its_usual_level():
    h = health(history())
    assert h.state == "ok" and h.problems == []
    assert h.usual_items == 50 and h.consecutive_failures == 0
    assert h.last_success_at == NOW - timedelta(minutes=1) + timedelta(seconds=2)


def test_failures_in_a_row_make_it_failing_only_at_the_threshold():
    two = [run(1, "failed", 0, 0, 1), run(2, "timeout", 0, 0, 0), *history()[2:]]
    assert health(two).state == "degraded"  # failures noted, not yet a break
    three = [run(0.5, "finished", items=0, new=0, errors=2), *two]  # no items + errors
    h = health(three)
    assert h.state == "failing" and h.consecutive_failures == 3
    assert "3 failed crawl(s) in a row" in h.problems[0]


def test_runs_stopped_by_a_shutdown_do_not_count():
    runs = [run(1, "failed", 0, 0, 0, reason="shutdown")] * 5 + history()
    assert health(runs).state == "ok"


def test_far_fewer_items_than_usual_or_missing_fields_is_degraded():
    runs = [run(1, items=10), *history()[1:]]
    assert health(runs).problems == ["last crawl brought 10 items; usually 50"]
    h = health(history(), coverage=full(published=0.5))
    assert h.state == "degraded" and h.problems == ["time missing in 50% of recent articles"]


def test_stale_after_much_longer_than_the_usual_gap():
    times = new_times(every_minutes=30, start_minutes_ago=60 * 5)  # last news 5 h ago
    h = health(history(new=0), times)
    assert h.state == "stale"
    assert h.stale_after_s == pytest.approx(3 * 30 * 60 * 1.0, rel=0.01) or h.stale_after_s == 3600
    assert "nothing new for 5.0 h" in h.problems[0]
    assert health(history(), new_times(every_minutes=30)).state == "ok"


def test_new_and_disabled_sources():
    assert assess(SOURCE, [], [], None, None, NOW, 3).state == "new"
    off = make_source("off", enabled=False)
    assert assess(off, history(), [], None, None, NOW, 3).state == "disabled"


async def insert_runs(pool, statuses: list[str]) -> None:
    async with pool.connection() as conn:
        for status in statuses:
            await conn.execute(
                "INSERT INTO crawl_runs (source_key, status, items, finished_at, finish_reason)"
                " VALUES ('cls', %s, %s, now(), %s)",
                (status, 10 if status == "finished" else 0, status),
            )


@pytest.mark.integration
async def test_break_and_recovery_are_reported_once_each(database_url, bot_api):
    api, bot = bot_api
    settings = Settings(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=bot.url,
        TELEGRAM_ADMIN_CHAT_IDS="555",
    )
    transport = TelegramTransport(telegram_config(settings))
    sources = {"cls": SOURCE}
    async with AsyncConnectionPool(database_url, min_size=1, max_size=2) as pool:
        monitor = HealthMonitor(
            pool, sources, AdminNotifier.for_config(bot_config(settings), transport), 3
        )
        await insert_runs(pool, ["finished", "failed", "failed"])
        assert await monitor.check() == []  # two failures: not yet a break
        await insert_runs(pool, ["timeout"])
        assert [h.state for h in await monitor.check()] == ["failing"]
        await insert_runs(pool, ["failed", "failed"])
        assert await monitor.check() == []  # still failing: said already
        await insert_runs(pool, ["finished"])
        assert [h.state for h in await monitor.check()] == ["ok"]
        assert await monitor.check() == []
        async with pool.connection() as conn:
            cur = await conn.execute("SELECT state, reported_state FROM source_health")
            assert await cur.fetchall() == [("ok", "ok")]
    await transport.close()
    texts = [c.params["text"] for c in api.sent()]
    assert len(texts) == 2, texts
    assert "source cls (cls) is failing: 3 failed crawl(s) in a row" in texts[0]
    assert "source cls (cls) recovered" in texts[1]
    assert all(int(c.params["chat_id"]) == 555 for c in api.sent())
