"""The feedback buttons end to end, against the fake Bot API with real python-telegram-bot and a
real PostgreSQL: the sender puts the buttons under an alert; a press comes in as a callback
query; the verdict is stored and acknowledged (answerCallbackQuery + the alert's buttons
edited); "not relevant" stops the event's updates in that chat; "wrong sector" opens a sector
picker whose choice is stored."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from psycopg_pool import AsyncConnectionPool

from alerts.bot import start_bot, stop_bot
from alerts.sender import OutboxSender
from alerts.transport import TelegramTransport
from capwatch.settings import Settings
from capwatch.telegram_setup import bot_config, telegram_config
from db import feedback as fq
from db.outbox import enqueue_alert, enqueue_updates
from tests.alerts.helpers import TOKEN, payload, seed_event
from tests.fakes.bot_api import FakeBotApi

pytestmark = pytest.mark.integration
ALERT = -100777  # an alert group; the fake's presses come from user 100777
Bot = tuple[FakeBotApi, AsyncConnectionPool, TelegramTransport]


@pytest.fixture
async def bot(database_url: str, bot_api: Any) -> AsyncIterator[Bot]:
    api, server = bot_api
    settings = Settings(
        telegram_bot_token=TOKEN,
        telegram_api_base_url=server.url,
        telegram_alert_chat_ids=[ALERT],
    )
    async with AsyncConnectionPool(database_url, open=False) as pool:
        transport = TelegramTransport(telegram_config(settings))
        handle = await start_bot(bot_config(settings), pool, transport)
        await asyncio.wait_for(handle.running.wait(), 15)
        yield api, pool, transport
        await stop_bot(handle)
        await transport.close()


async def until(check: Callable[[], Any], timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if asyncio.iscoroutine(found):
            found = await found
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError("timed out waiting for the bot")


def buttons(markup: dict[str, Any] | None) -> dict[str, str]:
    """Button text -> callback data of an inline keyboard as the fake received it."""
    assert markup is not None
    return {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}


def answers(api: FakeBotApi) -> list[str]:
    return [str(c.params.get("text", "")) for c in api.sent("answerCallbackQuery")]


async def verdicts(pool: AsyncConnectionPool, event_id: str) -> list[fq.Feedback]:
    async with pool.connection() as conn:
        return await fq.event_feedback(conn, event_id)


async def update_rows(pool: AsyncConnectionPool, event_id: str) -> list[tuple[Any, ...]]:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT chat_id, status FROM outbox WHERE event_id = %s AND kind = 'update'",
            (event_id,),
        )
        return list(await cur.fetchall())


async def test_a_press_is_stored_acknowledged_and_mutes_the_event_here(bot: Bot) -> None:
    api, pool, transport = bot
    async with pool.connection() as conn:
        ids = await seed_event(conn, "ev-fb", reports=1)
        await enqueue_alert(
            conn, "ev-fb", [ALERT], ["pv_glass"], ["production_cut"], payload("ev-fb", ids[0])
        )
    await OutboxSender(pool, transport).drain()
    [alert] = [c for c in api.sent() if int(c.params["chat_id"]) == ALERT]
    message_id = max(mid for chat, mid in api.messages if chat == ALERT)
    assert buttons(alert.params["reply_markup"]) == {
        "👍 Useful": "fb:u:ev-fb",
        "👎 Not relevant": "fb:n:ev-fb",
        "🏷 Wrong sector": "fb:w:ev-fb",
    }

    api.push_button(ALERT, "fb:n:ev-fb", message_id)
    [stored] = await until(lambda: verdicts(pool, "ev-fb"))
    assert (stored.verdict, stored.chat_id, stored.user_id, stored.origin) == (
        "not_relevant",
        ALERT,
        abs(ALERT),
        "telegram",
    )
    assert stored.user_name == "Analyst"
    await until(lambda: any("not relevant" in a for a in answers(api)))
    ticked = await until(
        lambda: api.markups.get((ALERT, message_id)) != alert.params["reply_markup"]
    )
    assert ticked
    assert "✓ 👎 Not relevant" in buttons(api.markups[(ALERT, message_id)])
    assert api.messages[(ALERT, message_id)] == alert.params["text"]  # the alert text stays

    # a second report of the event: no update for this chat
    async with pool.connection() as conn:
        await enqueue_updates(conn, "ev-fb")
    assert await update_rows(pool, "ev-fb") == []


async def test_wrong_sector_picks_sectors_and_an_update_keeps_the_buttons(bot: Bot) -> None:
    api, pool, transport = bot
    async with pool.connection() as conn:
        ids = await seed_event(conn, "ev-ws", reports=2)
        await enqueue_alert(
            conn, "ev-ws", [ALERT], ["pv_glass"], ["production_cut"], payload("ev-ws", ids[0])
        )
    await OutboxSender(pool, transport).drain()
    message_id = max(mid for chat, mid in api.messages if chat == ALERT)
    key = (ALERT, message_id)

    def markup_with(text: str) -> dict[str, str] | None:
        current = api.markups.get(key)
        found = buttons(current) if current else {}
        return found if text in found else None

    api.push_button(ALERT, "fb:w:ev-ws", message_id)
    picker = await until(lambda: markup_with("Done"))
    assert "✓ PV glass 光伏玻璃" in picker  # starts from the event's sectors
    api.push_button(ALERT, picker["Float glass 浮法玻璃"], message_id)
    picker = await until(lambda: markup_with("✓ Float glass 浮法玻璃"))
    api.push_button(ALERT, picker["✓ PV glass 光伏玻璃"], message_id)  # untick
    picker = await until(lambda: markup_with("PV glass 光伏玻璃"))
    assert await verdicts(pool, "ev-ws") == []  # nothing stored until Done
    api.push_button(ALERT, picker["Done"], message_id)
    [stored] = await until(lambda: verdicts(pool, "ev-ws"))
    assert stored.verdict == "wrong_sector" and stored.sectors == ["glass"]
    final = await until(lambda: markup_with("✓ 🏷 Wrong sector"))
    assert "👍 Useful" in final

    # not muted: a later report edits the alert and keeps the ticked buttons under it
    async with pool.connection() as conn:
        await enqueue_updates(conn, "ev-ws")
    await OutboxSender(pool, transport).drain()
    assert "+1 source" in api.messages[key]
    assert "✓ 🏷 Wrong sector" in buttons(api.markups[key])


async def test_stale_or_foreign_presses_are_answered_and_store_nothing(bot: Bot) -> None:
    api, pool, _ = bot
    api.push_button(ALERT, "fb:u:no-such-event", 5)
    api.push_button(ALERT, "fbt:zz:ev-x", 5)  # not a hex mask
    await until(lambda: len(answers(api)) >= 2)
    assert any("no longer exists" in a for a in answers(api))
    assert any("no longer valid" in a for a in answers(api))
    async with pool.connection() as conn:
        assert await fq.list_feedback(conn) == []
