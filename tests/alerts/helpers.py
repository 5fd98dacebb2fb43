"""Seeding events and outbox rows, and running the sender against the fake Bot API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg

from alerts.config import TelegramConfig
from alerts.ratelimit import SendLimits
from alerts.sample import SAMPLE_PAYLOAD
from alerts.transport import TelegramTransport
from db.articles import insert_articles
from db.events import add_event_article, upsert_event
from db.models import NewArticle
from db.outbox import enqueue_alert

TOKEN = "7654321098:AAHk3xQ9vZrT_sampleTokenValue-abcdefgh"
FAST = SendLimits(
    per_chat_interval=0.02, group_per_window=10, group_window=0.5, global_per_second=200
)


def transport(
    server, limits: SendLimits = FAST, read_timeout: float = 5.0, send_timeout: float | None = None
) -> TelegramTransport:
    """A transport to the fake Bot API; sends wait `send_timeout` (default: `read_timeout`)."""
    config = TelegramConfig(
        TOKEN, f"{server.url}/bot", limits, read_timeout, send_timeout or read_timeout
    )
    return TelegramTransport(config)


async def seed_event(conn, event_id: str, reports: int = 1, source: str = "cls") -> list[int]:
    """An event with `reports` articles (the first is the one alerted); returns article ids."""
    now = datetime.now(UTC)
    ids = []
    for i in range(reports):
        url = f"https://news.example/{event_id}/{i}"
        await insert_articles(
            conn,
            None,
            [
                NewArticle(
                    source if i == 0 else f"src{i}",
                    f"{event_id}-{i}",
                    url,
                    f"{event_id} report {i} 光伏玻璃减产",
                    "正文",
                    "zh",
                    now - timedelta(minutes=60 - i),
                )
            ],
        )
        cur = await conn.execute("SELECT id FROM articles WHERE url = %s", (url,))
        ids.append((await cur.fetchone())[0])
    for article_id in ids:
        await upsert_event(
            conn,
            event_id,
            f"{event_id} headline",
            ["pv_glass"],
            ["production_cut"],
            [],
            ids[0],
            now,
            {},
        )
        await add_event_article(conn, event_id, article_id, "test")
    return ids


def payload(event_id: str, article_id: int, **extra) -> dict:
    return {
        **SAMPLE_PAYLOAD,
        "event_id": event_id,
        "article_id": article_id,
        "headline": f"{event_id} headline",
        **extra,
    }


async def seed_alerts(conn, chats: list[int], events: int = 1, prefix: str = "ev") -> list[str]:
    names = []
    for n in range(events):
        event_id = f"{prefix}-{n:03d}"
        ids = await seed_event(conn, event_id)
        await enqueue_alert(
            conn, event_id, chats, ["pv_glass"], ["production_cut"], payload(event_id, ids[0])
        )
        names.append(event_id)
    return names


def outbox(dsn: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT event_id, chat_id, kind, status, attempts, last_error FROM outbox ORDER BY id"
        ).fetchall()


def statuses(dsn: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in outbox(dsn):
        counts[row[3]] = counts.get(row[3], 0) + 1
    return counts


def make_due(dsn: str) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute("UPDATE outbox SET next_attempt_at = now() WHERE status = 'pending'")
