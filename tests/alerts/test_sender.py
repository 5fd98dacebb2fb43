"""The outbox sender through python-telegram-bot against the local fake Bot API."""

import io
from datetime import UTC, datetime

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from alerts.config import TelegramConfig
from alerts.sender import OutboxSender
from alerts.transport import ConsoleTransport, TelegramTransport
from db.articles import insert_articles
from db.events import upsert_event
from db.models import NewArticle
from db.outbox import enqueue_alert

pytestmark = pytest.mark.integration
TOKEN = "123456789:AAHfakeTOKENfakeTOKENfakeTOKENfake12"
PAYLOAD = {
    "headline": "钢厂收到减产通知 <b>",
    "sectors": ["steel"],
    "actions": ["production_cut"],
    "source_name": "财联社",
    "tier": "wire",
    "url": "https://www.cls.cn/detail/1",
    "published_at": "2026-08-21T08:00:00+00:00",
    "evidence": [],
}


async def seed(pool, chats):
    async with pool.connection() as conn:
        await insert_articles(
            conn,
            None,
            [
                NewArticle(
                    "cls", "1", "https://www.cls.cn/detail/1", "t", "b", "zh", datetime.now(UTC)
                )
            ],
        )
        await upsert_event(
            conn, "ev-1", "h", ["steel"], ["production_cut"], [], 1, datetime.now(UTC), {}
        )
        await enqueue_alert(conn, "ev-1", chats, ["steel"], ["production_cut"], PAYLOAD)


def statuses(dsn):
    with psycopg.connect(dsn) as conn:
        return dict(conn.execute("SELECT chat_id, status FROM outbox").fetchall())


async def test_sends_html_alerts_to_every_chat_once(database_url, bot_api):
    api, server = bot_api
    async with AsyncConnectionPool(database_url, open=False) as pool:
        await seed(pool, [501, 502])
        transport = TelegramTransport(TelegramConfig(TOKEN, f"{server.url}/bot"))
        sender = OutboxSender(pool, transport)
        assert await sender.drain() == 2
        assert await sender.drain() == 0
        await transport.close()
    sent = api.sent()
    assert sorted(int(c.params["chat_id"]) for c in sent) == [501, 502]
    assert sent[0].params["parse_mode"] == "HTML"
    assert "钢厂收到减产通知 &lt;b&gt;" in sent[0].params["text"]
    assert all(c.token == TOKEN for c in api.calls)
    assert statuses(database_url) == {501: "sent", 502: "sent"}


async def test_flood_control_delays_only_that_message_and_403_fails_it(database_url, bot_api):
    api, server = bot_api
    # per chat: the sender delivers to different chats concurrently, in no fixed order
    api.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7, chat_id=601
    )
    api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=602)
    async with AsyncConnectionPool(database_url, open=False) as pool:
        await seed(pool, [601, 602, 603])
        transport = TelegramTransport(TelegramConfig(TOKEN, f"{server.url}/bot"))
        sent = await OutboxSender(pool, transport).drain()
        await transport.close()
    assert sent == 1
    assert statuses(database_url) == {601: "pending", 602: "failed", 603: "sent"}
    with psycopg.connect(database_url) as conn:
        delay, error = conn.execute(
            "SELECT extract(epoch FROM next_attempt_at - now()), last_error FROM outbox"
            " WHERE chat_id = 601"
        ).fetchone()
    assert 5 < float(delay) <= 7.5 and "flood" in error


async def test_without_a_token_alerts_go_to_the_console(database_url):
    out = io.StringIO()
    async with AsyncConnectionPool(database_url, open=False) as pool:
        await seed(pool, [0])
        console = ConsoleTransport(out)
        assert await OutboxSender(pool, console, console=console).drain() == 1
    assert "钢厂收到减产通知 <b>" in out.getvalue() and "Production cut" in out.getvalue()
