"""SQL of `capwatch redetect`: read stored articles with their current detection and event,
and repair event membership after a lexicon change. Callers own the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from db.models import StoredArticle

_LOCK_KEY = 7_426_101  # advisory lock: one re-detection at a time


@dataclass(frozen=True)
class ScopedArticle(StoredArticle):
    """A detected article with what the previous detection said about it."""

    was_relevant: bool | None  # None: no detection row
    old_score: float | None
    old_sectors: list[str] | None
    old_actions: list[str] | None
    event_id: str | None


async def lock_for_redetect(conn: AsyncConnection) -> None:
    """Serialise re-detections, and hold the live detector's event writes until commit."""
    await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
    await conn.execute("LOCK TABLE events, event_articles IN SHARE ROW EXCLUSIVE MODE")


async def service_listeners(conn: AsyncConnection) -> int:
    """Sessions sitting on LISTEN capwatch_* (a running `capwatch run`), excluding ours."""
    cur = await conn.execute(
        """
        SELECT count(*) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND query LIKE 'LISTEN capwatch\\_%%'
        """
    )
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def scoped_articles(conn: AsyncConnection, since: datetime | None) -> list[ScopedArticle]:
    """Articles already through the detector (pending ones are the live detector's), in the
    order their reports happened: published time, else first seen."""
    async with conn.cursor(row_factory=class_row(ScopedArticle)) as cur:
        await cur.execute(
            """
            SELECT a.id, a.source_key, a.url, a.title, a.body, a.lang, a.published_at,
                   a.first_seen_at, d.relevant AS was_relevant, d.score AS old_score,
                   d.sectors AS old_sectors, d.actions AS old_actions, ea.event_id
            FROM articles a
            LEFT JOIN detections d ON d.article_id = a.id
            LEFT JOIN event_articles ea ON ea.article_id = a.id
            WHERE a.detected_at IS NOT NULL
              AND (%(since)s::timestamptz IS NULL
                   OR COALESCE(a.published_at, a.first_seen_at) >= %(since)s::timestamptz)
            ORDER BY COALESCE(a.published_at, a.first_seen_at), a.id
            """,
            {"since": since},
        )
        return await cur.fetchall()


async def event_states(conn: AsyncConnection, since: datetime | None) -> list[tuple[str, Any]]:
    """Events whose last report is at or after `since` (all events when None)."""
    cur = await conn.execute(
        """
        SELECT id, state FROM events
        WHERE %(since)s::timestamptz IS NULL OR last_seen_at >= %(since)s::timestamptz
        ORDER BY first_seen_at, id
        """,
        {"since": since},
    )
    return [(row[0], row[1]) for row in await cur.fetchall()]


async def remove_event_article(conn: AsyncConnection, article_id: int) -> None:
    await conn.execute("DELETE FROM event_articles WHERE article_id = %s", (article_id,))


async def refresh_event(
    conn: AsyncConnection, event_id: str, state: dict[str, Any] | None, reason: str
) -> int:
    """Recount an event's reports after removals and return the count. An event left with
    none is marked `state.retracted` (when, why); the row and its outbox history stay: the
    alert went out, and a later report of the same action must join it, not alert again."""
    cur = await conn.execute(
        """
        WITH left_ AS (
            SELECT count(*) AS n, min(article_id) AS first_id
            FROM event_articles WHERE event_id = %(id)s)
        UPDATE events e SET
            report_count = left_.n,
            first_article_id = CASE
                WHEN EXISTS (SELECT 1 FROM event_articles ea WHERE ea.event_id = e.id
                             AND ea.article_id = e.first_article_id) THEN e.first_article_id
                ELSE COALESCE(left_.first_id, e.first_article_id) END,
            state = CASE WHEN left_.n = 0
                THEN COALESCE(%(state)s::jsonb, e.state) || jsonb_build_object(
                     'retracted', jsonb_build_object('at', now(), 'reason', %(reason)s::text))
                ELSE COALESCE(%(state)s::jsonb, e.state) - 'retracted' END
        FROM left_
        WHERE e.id = %(id)s
        RETURNING e.report_count
        """,
        {"id": event_id, "state": Jsonb(state) if state is not None else None, "reason": reason},
    )
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def event_has_outbox(conn: AsyncConnection, event_id: str) -> bool:
    cur = await conn.execute("SELECT 1 FROM outbox WHERE event_id = %s LIMIT 1", (event_id,))
    return await cur.fetchone() is not None
