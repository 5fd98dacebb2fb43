"""Minute bars end to end: fetched from a loopback replay of Sina's getFewMinLine (our own
recorded-shape answers, good and bad) into PostgreSQL, pruned to the retention, failing in
health when the endpoint stops answering, and read by the alert at the minute it is sent."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from aiohttp import web
from psycopg_pool import AsyncConnectionPool

from alerts.sender import OutboxSender
from core.tz import BEIJING
from db import quotes
from db.models import MinuteBar, QuoteBar
from db.outbox import enqueue_alert
from market.calendar import Calendar
from market.context import market_line
from market.fetch import fetch_minutes, fetch_quotes, with_quotes
from market.moves import session_day
from tests.alerts.helpers import payload, seed_event, transport
from tests.fakes.serving import BackgroundServer

pytestmark = pytest.mark.integration
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "quotes"
CHAT = -100778
MONDAY_CLOSE = datetime(2026, 8, 24, 15, 30, tzinfo=BEIJING)
BAD = {  # symbol -> what the endpoint answers instead of bars
    "SI0": "<html><body>502 Bad Gateway</body></html>",
    "LC0": "var _LC0=(null);",
    "SA0": 'var _SA0=([{"d":"2026-08-24","o":"1","h":"1","l":"1","c":"1"}]);',
    "AL0": 'var _AL0=([{"d":"2026-08-24 10:31:00","o":"20',  # cut off
}


class QuoteSite:
    """Sina's minute endpoint replaying our files; daily bars answer for /getDailyKLine."""

    def __init__(self) -> None:
        self.hang: set[str] = set()
        self.calls: list[str] = []
        app = web.Application()
        app.router.add_get("/futures/api/jsonp.php/{rest:.*}", self.answer)
        self.server = BackgroundServer(app).start()
        self.stopped = False

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.server.stop()

    async def answer(self, request: web.Request) -> web.Response:
        symbol = request.query.get("symbol", "")
        self.calls.append(f"{request.path.rsplit('.', 1)[-1]}:{symbol}:{request.query.get('type')}")
        if symbol in self.hang:
            await asyncio.sleep(2)  # accepts the request, answers long after the client gave up
        if request.path.endswith("getFewMinLine"):
            if symbol in BAD:
                return web.Response(text=BAD[symbol], content_type="application/javascript")
            path = FIXTURES / f"{symbol}_1m.jsonp"
        else:
            path = FIXTURES / f"{symbol}.jsonp"
        if not path.exists():
            return web.Response(status=404, text="not found")
        return web.Response(text=path.read_text(), content_type="application/javascript")


@pytest.fixture
def site():
    replay = QuoteSite()
    yield replay
    replay.stop()


def run_rows(dsn: str, key: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT status, items, errors, finish_reason FROM crawl_runs"
            " WHERE source_key = %s ORDER BY id",
            (key,),
        ).fetchall()


async def test_minutes_are_stored_from_the_newest_held_minute_on(database_url, site):
    async with AsyncConnectionPool(database_url, open=False) as pool:
        first = await fetch_minutes(
            pool, ["PS0", "FG0"], base_url=site.server.url, now=MONDAY_CLOSE
        )
        again = await fetch_minutes(
            pool, ["PS0", "FG0"], base_url=site.server.url, now=MONDAY_CLOSE
        )
        async with pool.connection() as conn:
            ps = await quotes.minutes(conn, "PS0")
            at_alert = await quotes.minute_at(
                conn, "PS0", datetime(2026, 8, 24, 10, 31, 30, tzinfo=BEIJING)
            )
    assert "getFewMinLine:PS0:1" in site.calls  # one-minute bars of the main series
    assert first.stored == {"PS0": 235, "FG0": 355} and not first.failed
    assert again.stored == {"PS0": 1, "FG0": 1}  # only the newest minute is written again
    assert len(ps) == 235 and ps[-1].at == datetime(2026, 8, 24, 15, 0, tzinfo=BEIJING)
    assert at_alert is not None and at_alert.close == 46840
    assert at_alert.at == datetime(2026, 8, 24, 10, 31, tzinfo=BEIJING)
    # the runs count the bars read, so a quiet fetch is not taken for an empty source
    assert run_rows(database_url, "quotes_minute") == [
        ("finished", 590, 0, "finished"), ("finished", 590, 0, "finished"),
    ]  # fmt: skip


async def test_minutes_older_than_the_retention_are_dropped(database_url, site):
    old = MinuteBar("PS0", datetime(2026, 8, 1, 10, 0, tzinfo=BEIJING), 1, 1, 1, 40000)
    async with AsyncConnectionPool(database_url, open=False) as pool:
        async with pool.connection() as conn:
            await quotes.upsert_minutes(conn, [old])
        result = await fetch_minutes(
            pool, ["PS0"], base_url=site.server.url, now=MONDAY_CLOSE, keep_days=1
        )
        async with pool.connection() as conn:
            kept = await quotes.minutes(conn, "PS0")
    # keep 1 day from Monday 15:30: Friday's ten minutes and the August 1st one go
    assert result.stored == {"PS0": 225}
    assert len(kept) == 225 and kept[0].at == datetime(2026, 8, 24, 9, 1, tzinfo=BEIJING)


async def test_malformed_and_empty_answers_fail_with_their_reason(database_url, site):
    async with AsyncConnectionPool(database_url, open=False) as pool:
        result = await fetch_minutes(
            pool, ["PS0", *BAD], base_url=site.server.url, now=MONDAY_CLOSE
        )
        async with pool.connection() as conn:
            held = await quotes.minute_counts(conn)
    assert result.stored == {"PS0": 235}
    assert result.failed["SI0"].startswith("not JSON")
    assert result.failed["LC0"] == "no bars in the response"
    assert result.failed["SA0"] == "no valid minute bars"  # a daily row is not a minute
    assert result.failed["AL0"].startswith("not JSON")
    assert set(held) == {"PS0"}
    [(status, items, errors, reason)] = run_rows(database_url, "quotes_minute")
    assert (status, items, errors) == ("finished", 235, 4) and "LC0: no bars" in reason


async def test_a_minute_source_that_stops_answering_fails_in_health(database_url, site):
    from scheduler.health import collect

    sources = with_quotes({}, True, 30)
    assert set(sources) == {"quotes", "quotes_minute"}
    async with AsyncConnectionPool(database_url, open=False) as pool:
        await fetch_quotes(pool, ["PS0"], base_url=site.server.url)
        await fetch_minutes(pool, ["PS0"], base_url=site.server.url, now=MONDAY_CLOSE)
        async with pool.connection() as conn:
            before = {h.key: h.state for h in await collect(conn, sources, 3)}
        site.hang.add("PS0")  # the minute endpoint accepts and never answers
        await fetch_minutes(pool, ["PS0"], base_url=site.server.url, timeout=0.3)
        site.stop()  # then nothing listens any more: refused
        for _ in range(2):
            await fetch_minutes(pool, ["PS0"], base_url=site.server.url, timeout=0.3)
        async with pool.connection() as conn:
            after = {h.key: h for h in await collect(conn, sources, 3)}
    assert before == {"quotes": "ok", "quotes_minute": "ok"}
    assert after["quotes_minute"].state == "failing"
    assert after["quotes"].state == "ok"  # the daily fetch is a source of its own
    problems = "; ".join(after["quotes_minute"].problems)
    assert "3 failed crawl(s) in a row" in problems and "ConnectError" in problems
    statuses = [row[0] for row in run_rows(database_url, "quotes_minute")]
    reasons = [row[3] for row in run_rows(database_url, "quotes_minute")]
    assert statuses == ["finished", "failed", "failed", "failed"]
    assert "ReadTimeout" in reasons[1]
    assert with_quotes({}, True, 30, intraday=False).keys() == {"quotes"}


async def test_the_alert_reads_the_minute_at_which_it_is_sent(database_url, bot_api):
    api, server = bot_api
    now = datetime.now(BEIJING)
    minute_at = (now - timedelta(minutes=3)).replace(second=0, microsecond=0)
    trading_day = session_day(minute_at, Calendar())
    previous = Calendar().previous_days(trading_day, 1)[0]
    async with AsyncConnectionPool(database_url, open=False) as pool:
        async with pool.connection() as conn:
            await quotes.upsert_bars(
                conn,
                [
                    QuoteBar("FG0", previous - timedelta(days=1), 990, 1000, 980, 990),
                    QuoteBar("FG0", previous, 1000, 1010, 990, 1000),
                ],
            )
            await quotes.upsert_minutes(
                conn,
                [
                    MinuteBar("FG0", minute_at - timedelta(minutes=1), 1020, 1021, 1019, 1020),
                    MinuteBar("FG0", minute_at, 1020, 1026, 1020, 1025),
                    # a minute after the alert (a replay, a clock ahead) is never read
                    MinuteBar("FG0", minute_at + timedelta(minutes=10), 1025, 1090, 1025, 1090),
                ],
            )
            ids = await seed_event(conn, "ev-minute")
            await enqueue_alert(
                conn, "ev-minute", [CHAT], ["pv_glass"], ["production_cut"],
                payload("ev-minute", ids[0], sectors=["pv_glass"]),
            )  # fmt: skip
        t = transport(server)
        sender = OutboxSender(pool, t, admin_chat_ids=[], backoff_base=0.05)
        assert await sender.drain() == 1
        await t.close()
        async with pool.connection() as conn:  # once the session's close is stored
            await quotes.upsert_bars(conn, [QuoteBar("FG0", trading_day, 1000, 1050, 990, 1031)])
            closed = await market_line(
                conn, ["pv_glass"], datetime.combine(trading_day, MONDAY_CLOSE.timetz())
            )
    [alert] = api.texts(CHAT)
    assert "Market: FG main +2.5% (at " in alert and f"{minute_at:%H:%M}, vs previous" in alert
    assert closed == f"FG main +3.1% (today, close {trading_day:%m-%d}, vs previous close)"


def test_quotes_fetch_and_list_show_the_minutes(database_url, site, tmp_path):
    from typer.testing import CliRunner

    from capwatch.cli import app

    env = {"CAPWATCH_DATABASE_URL": database_url, "CAPWATCH_DATA_DIR": str(tmp_path),
           "COLUMNS": "200", "CAPWATCH_QUOTES_MINUTE_DAYS": "3650"}  # fmt: skip
    runner = CliRunner()  # (the recorded minutes are of August 2026: a long retention keeps them)
    fetched = runner.invoke(
        app, ["quotes", "fetch", "--symbols", "PS0,SI0", "--base-url", site.server.url], env=env
    )
    assert fetched.exit_code == 0, fetched.output
    assert "PS0   35 bar(s) stored" in fetched.output
    assert "PS0   235 new minute bar(s) stored" in fetched.output
    assert "SI0   minutes FAILED: not JSON" in fetched.output  # and SI0's daily: 404
    listed = runner.invoke(app, ["quotes", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    [line] = [row for row in listed.output.splitlines() if row.startswith("PS0")]
    assert "35 bars" in line and "minutes to 08-24 15:00" in line
    skipped = runner.invoke(
        app, ["quotes", "fetch", "--symbols", "FG0", "--no-minutes", "--base-url",
              site.server.url], env=env,
    )  # fmt: skip
    assert skipped.exit_code == 0 and "minute" not in skipped.output


async def test_the_close_edit_covers_alerts_since_the_previous_close(database_url):
    """Monday's 15:10 close edit updates the alerts sent since Friday's 15:00 close (Friday
    night, the weekend, Monday's session), not those Friday's own close edit already did."""
    from market.context import arm_close_edits

    sent = {
        "fri-session": "2026-08-21T14:00",
        "fri-night": "2026-08-21T21:30",
        "saturday": "2026-08-22T10:00",
        "mon-session": "2026-08-24T10:00",
        "cement-mon": "2026-08-24T11:00",  # a sector with no listed future: nothing to edit
    }
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        for event_id, moment in sent.items():
            ids = await seed_event(conn, event_id)
            sectors = ["cement"] if event_id.startswith("cement") else ["pv_glass"]
            await conn.execute("UPDATE events SET sectors = %s WHERE id = %s", (sectors, event_id))
            await enqueue_alert(
                conn, event_id, [CHAT], sectors, ["production_cut"], payload(event_id, ids[0]),
            )  # fmt: skip
            await conn.execute(
                "UPDATE outbox SET status = 'sent', sent_at = %s WHERE event_id = %s",
                (datetime.fromisoformat(moment).replace(tzinfo=BEIJING), event_id),
            )
        close = datetime(2026, 8, 24, 15, 10, tzinfo=BEIJING)
        assert await arm_close_edits(conn, close) == 3
        cur = await conn.execute("SELECT event_id FROM outbox WHERE kind = 'update' ORDER BY 1")
        edited = [row[0] for row in await cur.fetchall()]
    assert edited == ["fri-night", "mon-session", "saturday"]
