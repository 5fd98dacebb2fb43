"""Quotes end to end: fetched from a local replay of the endpoint into PostgreSQL, shown in the
alert, the close edit, `capwatch study` and `capwatch event` (real HTTP, real database, the
fake Bot API)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from aiohttp import web
from psycopg_pool import AsyncConnectionPool
from typer.testing import CliRunner

from alerts.sender import OutboxSender
from capwatch.cli import app
from core.tz import BEIJING
from db import quotes
from db.models import QuoteBar
from db.outbox import enqueue_alert
from market.context import arm_close_edits
from market.fetch import fetch_quotes
from tests.alerts.helpers import payload, seed_event, transport
from tests.fakes.serving import BackgroundServer

pytestmark = pytest.mark.integration
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "quotes"
CHAT = -100777


def quote_site(failing: set[str]) -> BackgroundServer:
    """Sina's daily-bar endpoint, replaying our recorded-shape files; `failing` answer 502."""

    async def daily(request: web.Request) -> web.Response:
        symbol = request.query.get("symbol", "")
        if symbol in failing:
            return web.Response(status=502, text="bad gateway")
        path = FIXTURES / f"{symbol}.jsonp"
        if not path.exists():
            return web.Response(text=f"var _{symbol}=(null);")
        return web.Response(text=path.read_text(), content_type="application/javascript")

    site = web.Application()
    site.router.add_get("/futures/api/jsonp.php/{rest:.*}", daily)
    return BackgroundServer(site).start()


def runs(dsn: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT status, items, errors, finish_reason FROM crawl_runs"
            " WHERE source_key = 'quotes' ORDER BY id"
        ).fetchall()


async def test_fetch_stores_bars_and_a_failing_series_shows_in_the_run(database_url):
    server = quote_site(failing={"SI0"})
    try:
        async with AsyncConnectionPool(database_url, open=False) as pool:
            result = await fetch_quotes(pool, ["PS0", "FG0", "SI0"], base_url=server.url)
            again = await fetch_quotes(pool, ["PS0"], base_url=server.url)  # idempotent
            async with pool.connection() as conn:
                ps = await quotes.bars(conn, "PS0")
    finally:
        server.stop()
    assert result.stored == {"PS0": 35, "FG0": 34} and result.failed["SI0"] == "HTTP 502"
    assert again.stored == {"PS0": 35} and len(ps) == 35
    assert runs(database_url)[0][:3] == ("finished", 69, 1)
    assert "SI0" in runs(database_url)[0][3]


async def test_a_quote_source_that_stops_answering_is_a_failed_run(database_url):
    server = quote_site(failing={"PS0", "FG0"})
    try:
        async with AsyncConnectionPool(database_url, open=False) as pool:
            result = await fetch_quotes(pool, ["PS0", "FG0"], base_url=server.url)
    finally:
        server.stop()
    assert not result.stored and set(result.failed) == {"PS0", "FG0"}
    assert runs(database_url)[0][0] == "failed"


async def test_health_flags_the_quote_source_like_any_other(database_url):
    from market.fetch import with_quotes
    from scheduler.health import collect

    server = quote_site(failing={"PS0"})
    try:
        async with AsyncConnectionPool(database_url, open=False) as pool:
            for _ in range(3):
                await fetch_quotes(pool, ["PS0"], base_url=server.url)
            async with pool.connection() as conn:
                [health] = await collect(conn, with_quotes({}, True, 30, intraday=False), 3)
    finally:
        server.stop()
    assert health.key == "quotes" and health.state == "failing"
    assert "PS0" in "; ".join(health.problems)


async def test_the_alert_shows_the_move_and_the_close_edits_it(database_url, bot_api):
    api, server = bot_api
    today = datetime.now(BEIJING).date()
    yesterday = today - timedelta(days=1)
    async with AsyncConnectionPool(database_url, open=False) as pool:
        async with pool.connection() as conn:
            await quotes.upsert_bars(
                conn,
                [
                    QuoteBar("FG0", yesterday, 1000, 1010, 990, 1000),
                    QuoteBar("FG0", today, 1000, 1050, 1000, 1042, final=False),
                ],
            )
            ids = await seed_event(conn, "ev-glass")
            await enqueue_alert(
                conn, "ev-glass", [CHAT], ["pv_glass"], ["production_cut"],
                payload("ev-glass", ids[0], sectors=["pv_glass"]),
            )  # fmt: skip
        t = transport(server)
        sender = OutboxSender(pool, t, admin_chat_ids=[], backoff_base=0.05)
        assert await sender.drain() == 1
        [alert] = api.texts(CHAT)
        assert "Market: FG main +4.2% (today so far, vs previous close)" in alert
        async with pool.connection() as conn:  # the session closes lower
            await quotes.upsert_bars(conn, [QuoteBar("FG0", today, 1000, 1050, 990, 1031)])
            assert await arm_close_edits(conn) == 1
        await sender.drain()
        await t.close()
    assert len(api.texts(CHAT)) == 1  # never a second top-level message
    edits = [c.params["text"] for c in api.sent("editMessageText")]
    assert edits and f"FG main +3.1% (today, close {today:%m-%d}" in edits[-1]


async def test_a_provisional_bar_never_overwrites_a_final_one(database_url):
    day = datetime(2026, 8, 21).date()
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        await quotes.upsert_bars(conn, [QuoteBar("PS0", day, 1, 1, 1, 50)])
        await quotes.upsert_bars(conn, [QuoteBar("PS0", day, 1, 1, 1, 49, final=False)])
        [bar] = await quotes.bars(conn, "PS0")
    assert bar.close == 50 and bar.final


async def test_a_history_the_source_rewrites_replaces_the_stored_one(database_url):
    """Should the source back-adjust its series at a roll, the stored bars follow it: a final
    bar fetched again replaces the stored final one (the stored series is the published one)."""
    day = datetime(2026, 8, 21).date()
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        await quotes.upsert_bars(conn, [QuoteBar("SA0", day, 1, 1, 1, 1530)])
        await quotes.upsert_bars(conn, [QuoteBar("SA0", day, 1, 1, 1, 1576)])
        [bar] = await quotes.bars(conn, "SA0")
    assert bar.close == 1576 and bar.final


def seed_study(dsn: str) -> None:
    first = datetime(2026, 8, 21, 8, 13, tzinfo=UTC)  # 16:13 Beijing, after Friday's close
    with psycopg.connect(dsn) as conn:
        for n, (sector, action, moment) in enumerate(
            [
                ("pv_glass", "production_cut", first),
                ("pv_glass", "production_cut", first - timedelta(days=14)),
                ("polysilicon", "price_discipline", first + timedelta(days=5)),  # too recent
            ]
        ):
            conn.execute(
                "INSERT INTO events (id, sectors, actions, headline, first_seen_at, last_seen_at)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                (f"study-{n}", [sector], [action], f"study {n}", moment, moment),
            )


def test_study_and_event_commands_print_the_market(database_url, tmp_path):
    with psycopg.connect(database_url) as conn:
        for symbol in ("PS0", "FG0"):
            from market.sina import parse_daily

            parsed = parse_daily(symbol, (FIXTURES / f"{symbol}.jsonp").read_text())
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO quote_bars (symbol, day, open, high, low, close, final)"
                    " VALUES (%s, %s, %s, %s, %s, %s, true)",
                    [(b.symbol, b.day, b.open, b.high, b.low, b.close) for b in parsed.bars],
                )
    seed_study(database_url)
    env = {"CAPWATCH_DATABASE_URL": database_url, "CAPWATCH_DATA_DIR": str(tmp_path),
           "COLUMNS": "200"}  # fmt: skip
    runner = CliRunner()
    study = runner.invoke(app, ["study"], env=env)
    assert study.exit_code == 0, study.output
    assert "Production cut" in study.output and "FG0 · 2 event(s)" in study.output
    assert "PS0 · 1 event(s)" in study.output and "(1 pending)" in study.output
    only = runner.invoke(app, ["study", "--sector", "polysilicon"], env=env)
    assert "FG0" not in only.output and "PS0" in only.output
    event = runner.invoke(app, ["event", "study-0"], env=env)
    assert event.exit_code == 0, event.output
    assert "Market (main-continuous futures" in event.output
    assert "FG main" in event.output and "│" in event.output and "+1d +" in event.output
