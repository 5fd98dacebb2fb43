"""The command bot on PTB's long polling against the fake Bot API: allowed and refused chats,
admin commands, subscriptions with buttons, archive queries, digest and quiet hours."""

import asyncio
import time

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from alerts.bot import start_bot, stop_bot
from alerts.transport import TelegramTransport
from capwatch.settings import Settings
from capwatch.telegram_setup import bot_config, telegram_config
from db.models import SourceHealth
from db.outbox import enqueue_alert
from scheduler.health import collect
from scheduler.status import status_report
from tests.alerts.helpers import TOKEN, seed_alerts, seed_event
from tests.scheduler.test_jobs import make_source

pytestmark = pytest.mark.integration
ALLOWED, ADMIN, STRANGER = 501, 502, 666
FAILURES = 3
SOURCES = {
    "cls": make_source("cls", name="财联社", tier="wire"),
    "dead": make_source("dead", name="Dead feed", tier="media"),
    "empty": make_source("empty", name="Empty list", tier="official"),
    "fresh": make_source("fresh", name="Never crawled"),
}


async def answer(api, chat_id, text, count=1, timeout=15.0):
    """Type `text` in `chat_id`; returns the bot's new messages there."""
    before = len(api.texts(chat_id))
    api.push_command(chat_id, text)
    deadline = time.monotonic() + timeout
    while len(api.texts(chat_id)) < before + count and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return api.texts(chat_id)[before:]


@pytest.fixture
async def bot(database_url, bot_api):
    api, server = bot_api
    settings = Settings(
        telegram_bot_token=TOKEN,
        telegram_api_base_url=server.url,
        telegram_allowed_chat_ids=[ALLOWED],
        telegram_admin_chat_ids=[ADMIN],
        telegram_alert_chat_ids=[],
    )
    async with AsyncConnectionPool(database_url, open=False) as pool:

        async def source_health() -> list[SourceHealth]:  # what the service passes
            async with pool.connection() as conn:
                return await collect(conn, SOURCES, FAILURES)

        transport = TelegramTransport(telegram_config(settings))
        handle = await start_bot(bot_config(settings), pool, transport, source_health)
        await asyncio.wait_for(handle.running.wait(), 15)
        yield api, pool
        await stop_bot(handle)
        await transport.close()
    assert not handle.app.running


async def test_allowed_chat_is_served_and_a_stranger_is_refused_politely_once(bot):
    api, _ = bot
    [help_text] = await answer(api, ALLOWED, "/start")
    assert "/subscribe" in help_text and "/failed" not in help_text
    [refusal] = await answer(api, STRANGER, "/latest")
    assert "private" in refusal and str(STRANGER) in refusal
    api.push_command(STRANGER, "/search 钢铁")
    await answer(api, ALLOWED, "/help")  # by now the stranger's second command was handled
    assert len(api.texts(STRANGER)) == 1  # not answered again (no spam, nothing leaked)


async def test_admin_commands_answer_only_admin_chats(bot, database_url):
    api, pool = bot
    [refused] = await answer(api, ALLOWED, "/failed")
    assert "only the admin" in refused
    async with pool.connection() as conn:
        await seed_alerts(conn, [7])
        await conn.execute("UPDATE outbox SET status = 'failed', last_error = 'forbidden: x'")
    [listing] = await answer(api, ADMIN, "/failed")
    assert "forbidden: x" in listing and "ev-000" in listing
    [done] = await answer(api, ADMIN, "/retry all")
    assert "1 failed delivery queued again" in done
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT status FROM outbox").fetchone() == ("pending",)


async def test_subscribe_with_words_and_with_buttons_then_events_follow_it(bot, database_url):
    api, pool = bot
    [ok] = await answer(api, ALLOWED, "/subscribe 钢铁 减产")
    assert "Subscribed" in ok and "Steel" in ok and "Production cut" in ok
    [_keyboard] = await answer(api, ALLOWED, "/subscribe")
    message_id = max(mid for chat, mid in api.messages if chat == ALLOWED)
    api.push_button(ALLOWED, "sub:s:pv_glass", message_id)
    api.push_button(ALLOWED, "sub:a:pv_glass:*", message_id)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "Subscribed" not in api.messages[(ALLOWED, message_id)]:
        await asyncio.sleep(0.05)
    assert "PV glass" in api.messages[(ALLOWED, message_id)]
    [subs] = await answer(api, ALLOWED, "/mysubs")
    assert "Steel" in subs and "PV glass" in subs and "any action" in subs
    async with pool.connection() as conn:
        ids = await seed_event(conn, "ev-coal")
        await enqueue_alert(
            conn, "ev-coal", [], ["coal"], ["production_cut"], {"article_id": ids[0]}
        )
        ids = await seed_event(conn, "ev-pv")
        await enqueue_alert(conn, "ev-pv", [], ["pv_glass"], ["inspection"], {"article_id": ids[0]})
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT event_id, chat_id, kind FROM outbox").fetchall()
    assert rows == [("ev-pv", ALLOWED, "alert")]  # coal matches no subscription
    [gone] = await answer(api, ALLOWED, "/unsubscribe all")
    assert "Removed 2" in gone


async def test_latest_event_search_and_sources_read_the_database(bot):
    api, pool = bot
    async with pool.connection() as conn:
        await seed_event(conn, "ev-glass", reports=3)
        await conn.execute(
            "INSERT INTO sources (key, name, kind, tier) VALUES ('cls', '财联社', 'spider', 'wire')"
        )
        await conn.execute(
            "INSERT INTO crawl_runs (source_key, status, items) VALUES ('cls', 'finished', 12)"
        )
        await conn.execute(
            "INSERT INTO articles (source_key, external_id, url, title) VALUES"
            " ('cls', 'x1', 'https://n.test/steel', 'Steel mills CUT output <b>&')"
        )
    [latest] = await answer(api, ALLOWED, "/latest 光伏玻璃")
    assert "ev-glass headline" in latest and "3 reports" in latest
    assert "/event_ev_glass" in latest  # tappable: a command of letters, digits and '_'
    [tapped] = await answer(api, ALLOWED, "/event_ev_glass")
    assert tapped.index("report 0") < tapped.index("report 2")
    [timeline] = await answer(api, ALLOWED, "/event ev-glass")
    assert timeline.index("report 0") < timeline.index("report 2")  # oldest first
    [found] = await answer(api, ALLOWED, "/search 光伏玻璃减产")
    assert "ev-glass" in found and "https://news.example/ev-glass/0" in found
    [english] = await answer(api, ALLOWED, "/search steel cut")
    assert "Steel mills CUT output &lt;b&gt;&amp;" in english
    [health] = await answer(api, ALLOWED, "/sources")
    assert "cls" in health and "12 items" in health
    [missing] = await answer(api, ALLOWED, "/event nope")
    assert "No event" in missing


async def test_digest_and_quiet_hours(bot, database_url):
    api, pool = bot
    [on] = await answer(api, ALLOWED, "/digest on 07:45")
    assert "07:45" in on
    async with pool.connection() as conn:
        ids = await seed_event(conn, "ev-d")
        await enqueue_alert(conn, "ev-d", [ALLOWED], [], [], {"article_id": ids[0]})
    with psycopg.connect(database_url) as conn:
        kind, hour_min = conn.execute(
            "SELECT kind, to_char(next_attempt_at AT TIME ZONE 'Asia/Shanghai', 'HH24:MI')"
            " FROM outbox"
        ).fetchone()
    assert (kind, hour_min) == ("digest", "07:45")
    await answer(api, ALLOWED, "/digest off")
    with psycopg.connect(database_url) as conn:
        due = conn.execute("SELECT next_attempt_at <= now() FROM outbox").fetchone()[0]
    assert due  # switching digest off sends what was collected now
    [quiet] = await answer(api, ALLOWED, "/mute 22:00-07:30")
    assert "22:00–07:30" in quiet
    [bad] = await answer(api, ALLOWED, "/mute later")
    assert "HH:MM-HH:MM" in bad


async def test_sources_says_what_status_says_on_the_same_database(bot):
    """/sources and `capwatch status` (its report) read health the one way: per source the
    same state, last crawl and problems, whatever the mix of runs."""
    api, pool = bot
    runs = [  # oldest first
        *[("cls", "finished", 12, 3, 0, "{}")] * 2,
        *[("dead", "finished", 0, 0, 0, '{"capwatch/http_errors": 1}')] * 3,  # a 404 feed
        ("empty", "finished", 5, 5, 0, '{"capwatch/found": 5}'),
        ("empty", "finished", 0, 0, 0, "{}"),  # nothing found: one bad run, not yet failing
    ]
    async with pool.connection() as conn:
        for key, status, items, new, errors, stats in runs:
            await conn.execute(
                "INSERT INTO crawl_runs (source_key, status, items, new_articles, errors, stats,"
                " finished_at) VALUES (%s, %s, %s, %s, %s, %s, now())",
                (key, status, items, new, errors, stats),
            )
    report = await status_report(pool, SOURCES, FAILURES)
    status = {s["key"]: s for s in report["sources"]}
    assert {k: s["state"] for k, s in status.items()} == {
        "cls": "ok", "dead": "failing", "empty": "degraded", "fresh": "new"
    }  # fmt: skip
    [text] = await answer(api, ALLOWED, "/sources")
    lines = text.split("\n")
    for key, health in status.items():
        [at] = [i for i, line in enumerate(lines) if f"<b>{key}</b>" in line]
        head, detail = lines[at], lines[at + 1]
        assert head.endswith(f"· {health['state']}"), (key, head)
        assert f"{health['last_items'] or 0} items" in detail
        for problem in health["problems"]:
            assert problem.replace("<", "&lt;") in text, (key, problem)


async def test_event_shows_the_sectors_futures_around_the_first_report(bot):
    from datetime import datetime, timedelta

    from core.tz import BEIJING
    from db.models import QuoteBar
    from db.quotes import upsert_bars

    api, pool = bot
    today = datetime.now(BEIJING).date()
    days = [today - timedelta(days=n) for n in range(30, 0, -1)]
    async with pool.connection() as conn:
        await seed_event(conn, "ev-glass")  # pv_glass: measured on FG (glass) and SA
        await upsert_bars(
            conn, [QuoteBar("FG0", d, 1000 + n, 1000 + n, 1000 + n, 1000 + n)
                   for n, d in enumerate(days)],
        )  # fmt: skip
    [timeline] = await answer(api, ALLOWED, "/event ev-glass")
    assert "Market" in timeline and "FG main" in timeline and "│" in timeline
    assert "+1d pending" in timeline  # no trading day after the report yet: not 0%
