"""Delivery through the outbox with python-telegram-bot against the fake Bot API (real HTTP)."""

import asyncio
import itertools
import re

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from alerts.sender import OutboxSender
from db.outbox import enqueue_alert, enqueue_updates
from tests.alerts.helpers import (
    TOKEN,
    make_due,
    outbox,
    seed_alerts,
    seed_event,
    statuses,
    transport,
)
from tests.fakes.bot_api import parse_html

pytestmark = pytest.mark.integration
ADMIN = 999


async def run(dsn, server, **kwargs):
    async with AsyncConnectionPool(dsn, open=False) as pool:
        t = transport(
            server,
            **{k: kwargs.pop(k) for k in ("limits", "read_timeout", "send_timeout") if k in kwargs},
        )
        t.limiter.record()
        sender = OutboxSender(pool, t, admin_chat_ids=[ADMIN], backoff_base=0.05, **kwargs)
        sent = await sender.drain()
        await t.close()
    return sent, t.limiter


async def test_burst_to_one_chat_and_one_alert_each_to_40_chats_all_arrive_within_limits(
    database_url, bot_api
):
    api, server = bot_api
    async with AsyncConnectionPool(database_url, open=False) as pool, pool.connection() as conn:
        await seed_alerts(conn, [-100500], events=50, prefix="burst")
        await seed_alerts(conn, list(range(1001, 1041)), events=1, prefix="wide")
    sent, limiter = await run(database_url, server)
    assert sent == 90 and statuses(database_url) == {"sent": 90}
    texts = api.texts(-100500)
    assert len(texts) == 50 and len(set(texts)) == 50
    assert [re.search(r"burst-\d{3}", t).group(0) for t in texts] == [
        f"burst-{i:03d}" for i in range(50)
    ]  # in order
    for chat in range(1001, 1041):
        assert len(api.texts(chat)) == 1
    grants = [at for at, chat in limiter.history if chat == -100500]
    limits = limiter.limits
    assert all(b - a >= limits.per_chat_interval - 1e-9 for a, b in itertools.pairwise(grants))
    size = limits.group_per_window
    assert all(
        grants[i + size] - grants[i] >= limits.group_window - 1e-9
        for i in range(len(grants) - size)
    )
    # every grant was used by exactly one request the server answered (none bypassed it)
    assert len(limiter.history) == len(api.sent())


async def test_429_pauses_only_that_chat_then_it_is_sent(database_url, bot_api):
    api, server = bot_api
    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=11)
    async with AsyncConnectionPool(database_url, open=False) as pool, pool.connection() as conn:
        await seed_alerts(conn, [11, 12], events=3)
    sent, _ = await run(database_url, server)
    assert sent == 3 and len(api.texts(12)) == 3 and api.texts(11) == []
    rows = {(r[0], r[1]): r for r in outbox(database_url)}
    assert all(
        rows[(e, 11)][3] == "pending" and rows[(e, 11)][4] == 0
        for e in ("ev-000", "ev-001", "ev-002")
    )  # flood control is not a failed attempt
    with psycopg.connect(database_url) as conn:
        wait = conn.execute(
            "SELECT min(next_attempt_at - now()) FROM outbox WHERE chat_id = 11"
        ).fetchone()[0]
    assert wait.total_seconds() > 0.5
    make_due(database_url)
    sent, _ = await run(database_url, server)
    assert sent == 3 and len(api.texts(11)) == 3


async def test_5xx_and_timeouts_retry_with_backoff_and_give_up_with_a_report(database_url, bot_api):
    api, server = bot_api
    api.fail_next("sendMessage", 502, "Bad Gateway", chat_id=21)
    api.fail_next("sendMessage", 200, "slow", delay=1.5, chat_id=22)  # answer after the timeout
    api.fail_next("sendMessage", 500, "Internal Server Error", times=10, chat_id=23)
    async with AsyncConnectionPool(database_url, open=False) as pool, pool.connection() as conn:
        await seed_alerts(conn, [21, 22, 23])
    for _ in range(6):
        await run(database_url, server, read_timeout=0.5, max_attempts=3)
        make_due(database_url)
        await asyncio.sleep(0.1)
    rows = {r[1]: r for r in outbox(database_url)}
    assert rows[21][3] == "sent" and rows[21][4] == 2
    assert rows[22][3] == "sent" and 1 <= len(api.texts(22)) <= 2  # the one in flight may repeat
    assert rows[23][3] == "failed" and "Internal Server Error" in rows[23][5]
    report = api.texts(ADMIN)
    assert len(report) == 1 and "#" in report[0] and "chat 23" in report[0]
    assert TOKEN not in rows[23][5]


async def test_a_slow_send_is_waited_for_not_sent_twice(database_url, bot_api):
    """Telegram delivers but answers after the general timeout: sends wait longer
    (TELEGRAM_SEND_TIMEOUT), so the alert is not sent a second time."""
    api, server = bot_api
    api.fail_next("sendMessage", 200, "slow", delay=1.0, chat_id=41)
    async with AsyncConnectionPool(database_url, open=False) as pool, pool.connection() as conn:
        await seed_alerts(conn, [41])
    sent, _ = await run(database_url, server, read_timeout=0.3, send_timeout=3.0)
    assert sent == 1 and len(api.texts(41)) == 1
    [row] = outbox(database_url)
    assert row[3] == "sent" and row[4] == 1  # one attempt


async def test_parse_error_is_resent_as_plain_text(database_url, bot_api):
    api, server = bot_api
    api.fail_next("sendMessage", 400, "Bad Request: can't parse entities: unsupported start tag")
    async with AsyncConnectionPool(database_url, open=False) as pool, pool.connection() as conn:
        await seed_alerts(conn, [31])
    sent, _ = await run(database_url, server)
    assert sent == 1
    [call] = [c for c in api.sent() if int(c.params["chat_id"]) == 31]
    assert "parse_mode" not in call.params and "<b>" not in call.params["text"]
    assert "ev-000 headline" in call.params["text"]


async def test_403_marks_the_chat_inactive_and_its_queue_fails_with_the_reason(
    database_url, bot_api
):
    api, server = bot_api
    api.blocked.add(41)
    async with AsyncConnectionPool(database_url, open=False) as pool, pool.connection() as conn:
        await seed_alerts(conn, [41, 42], events=3)
    sent, _ = await run(database_url, server)
    assert sent == 3
    blocked_calls = [c for c in api.calls if c.params.get("chat_id") in (41, "41")]
    assert len(blocked_calls) == 1  # the other two were not tried once the chat was gone
    rows = [r for r in outbox(database_url) if r[1] == 41]
    assert [r[3] for r in rows] == ["failed"] * 3 and "blocked" in rows[0][5]
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT active FROM chats WHERE chat_id = 41").fetchone() == (False,)
    async with AsyncConnectionPool(database_url, open=False) as pool, pool.connection() as conn:
        assert await enqueue_alert(conn, "ev-000", [41, 42], [], [], {}) == 0  # skipped
    assert "3 alert deliveries failed" in api.texts(ADMIN)[0]


async def test_a_migrated_group_gets_its_new_id_and_keeps_its_subscriptions(database_url, bot_api):
    api, server = bot_api
    api.migrated[-51] = -1000051
    async with AsyncConnectionPool(database_url, open=False) as pool, pool.connection() as conn:
        await conn.execute("INSERT INTO chats (chat_id) VALUES (-51)")
        await conn.execute("INSERT INTO subscriptions VALUES (-51, 'steel', '*')")
        await seed_alerts(conn, [-51], events=2)
    sent, _ = await run(database_url, server)
    assert sent == 2 and len(api.texts(-1000051)) == 2
    with psycopg.connect(database_url) as conn:
        assert conn.execute(
            "SELECT migrated_to, active FROM chats WHERE chat_id = -51"
        ).fetchone() == (-1000051, False)
        assert conn.execute("SELECT chat_id FROM subscriptions").fetchall() == [(-1000051,)]
    async with AsyncConnectionPool(database_url, open=False) as pool, pool.connection() as conn:
        ids = await seed_event(conn, "ev-later")
        # the configured id (still -51 in TELEGRAM_ALERT_CHAT_IDS) now means the supergroup
        await enqueue_alert(conn, "ev-later", [-51], ["pv_glass"], [], {"article_id": ids[0]})
    assert outbox(database_url)[-1][1] == -1000051


async def test_later_reports_edit_the_first_alert_or_reply_never_a_new_alert(database_url, bot_api):
    api, server = bot_api
    async with AsyncConnectionPool(database_url, open=False) as pool, pool.connection() as conn:
        await seed_alerts(conn, [61, 62])
    await run(database_url, server)
    first = {int(c.params["chat_id"]): c for c in api.sent()}
    async with AsyncConnectionPool(database_url, open=False) as pool, pool.connection() as conn:
        await seed_event(conn, "ev-000", reports=4)  # three more reports of the same event
        await enqueue_updates(conn, "ev-000")
        await enqueue_updates(conn, "ev-000")  # re-armed, still one row per chat
    # chat 62's first message can no longer be edited: the update becomes a reply to it
    assert 62 in first
    del api.messages[next(k for k in api.messages if k[0] == 62)]
    sent, _ = await run(database_url, server)
    assert sent == 2
    edits = api.sent("editMessageText")
    assert [int(c.params["chat_id"]) for c in edits] == [61]
    edited = edits[0].params["text"]
    assert "+3 sources" in edited and parse_html(edited)[0] is None
    assert edited.index("report 3") < edited.index("report 1")  # newest first
    assert len(api.texts(61)) == 1  # no second message in chat 61
    reply = [c for c in api.sent() if int(c.params["chat_id"]) == 62][-1]
    assert (
        reply.params["reply_parameters"]["message_id"] is not None
        and "+3 sources" in reply.params["text"]
    )
    kinds = [(r[1], r[2], r[3]) for r in outbox(database_url)]
    assert sorted(kinds) == [
        (61, "alert", "sent"),
        (61, "update", "sent"),
        (62, "alert", "sent"),
        (62, "update", "sent"),
    ]


async def test_digest_rows_go_out_as_one_message_and_quiet_hours_send_silently(
    database_url, bot_api
):
    api, server = bot_api
    async with AsyncConnectionPool(database_url, open=False) as pool, pool.connection() as conn:
        await conn.execute(
            "INSERT INTO chats (chat_id, digest, digest_time) VALUES (91, true, '08:00')"
        )
        await conn.execute(
            "INSERT INTO chats (chat_id, quiet_start, quiet_end) VALUES (92, '00:00', '23:59:59')"
        )
        await seed_alerts(conn, [91, 92], events=3)
    sent, _ = await run(database_url, server)
    assert sent == 3
    assert api.texts(91) == []  # not due before the digest time
    make_due(database_url)
    await run(database_url, server)
    [digest] = api.texts(91)
    assert "3 events" in digest and all(f"ev-00{i}" in digest for i in range(3))
    quiet = [c for c in api.sent() if int(c.params["chat_id"]) == 92]
    assert len(quiet) == 3 and all(c.params.get("disable_notification") for c in quiet)
    assert statuses(database_url) == {"sent": 6}
