"""The SQL behind the bot's commands: chats, subscriptions, preferences and read-only views.

Kept apart from alert_queries.py (the delivery queue) so each stays small. Callers own
transactions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from psycopg import AsyncConnection
from psycopg.rows import class_row

from db.alert_queries import ChatPrefs


@dataclass(frozen=True)
class EventLine:
    id: str
    headline: str
    sectors: list[str]
    actions: list[str]
    first_seen_at: datetime
    last_seen_at: datetime
    report_count: int


@dataclass(frozen=True)
class ArticleHit:
    id: int
    source_key: str
    title: str
    url: str
    published_at: datetime | None
    event_id: str | None


@dataclass(frozen=True)
class SourceHealth:
    key: str
    name: str
    tier: str
    enabled: bool
    last_status: str | None
    last_started: datetime | None
    last_items: int | None
    last_errors: int | None
    last_ok: datetime | None
    failed_24h: int


# --- chats and preferences ---------------------------------------------------------------------


async def touch_chat(conn: AsyncConnection, chat_id: int, title: str | None, kind: str) -> None:
    """A chat spoke to the bot: remember it, and it is reachable again (e.g. unblocked)."""
    await conn.execute(
        """
        INSERT INTO chats (chat_id, title, kind) VALUES (%s, %s, %s)
        ON CONFLICT (chat_id) DO UPDATE SET title = EXCLUDED.title, kind = EXCLUDED.kind,
            active = chats.migrated_to IS NULL,
            inactive_reason = CASE WHEN chats.migrated_to IS NULL THEN NULL
                                   ELSE chats.inactive_reason END,
            updated_at = now()
        """,
        (chat_id, title, kind),
    )


async def get_prefs(conn: AsyncConnection, chat_id: int) -> ChatPrefs:
    async with conn.cursor(row_factory=class_row(ChatPrefs)) as cur:
        await cur.execute(
            "SELECT chat_id, active, inactive_reason, digest, digest_time, quiet_start,"
            " quiet_end FROM chats WHERE chat_id = %s",
            (chat_id,),
        )
        row = await cur.fetchone()
    return row or ChatPrefs(chat_id)


async def set_digest(conn: AsyncConnection, chat_id: int, on: bool, at: time | None) -> None:
    """Digest on: queued digest rows follow the new time. Off: they are sent now, once."""
    await conn.execute(
        "UPDATE chats SET digest = %s, digest_time = COALESCE(%s, digest_time),"
        " updated_at = now() WHERE chat_id = %s",
        (on, at, chat_id),
    )
    await conn.execute(
        """
        UPDATE outbox o SET next_attempt_at = CASE WHEN c.digest
            THEN capwatch_next_beijing(COALESCE(c.digest_time, '08:00'::time)) ELSE now() END
        FROM chats c
        WHERE c.chat_id = o.chat_id AND o.chat_id = %s AND o.kind = 'digest'
          AND o.status = 'pending'
        """,
        (chat_id,),
    )


async def set_quiet(
    conn: AsyncConnection, chat_id: int, start: time | None, end: time | None
) -> None:
    await conn.execute(
        "UPDATE chats SET quiet_start = %s, quiet_end = %s, updated_at = now() WHERE chat_id = %s",
        (start, end, chat_id),
    )


async def list_chats(conn: AsyncConnection) -> list[tuple]:
    cur = await conn.execute(
        """
        SELECT c.chat_id, c.title, c.kind, c.active, c.inactive_reason, c.migrated_to, c.digest,
               (SELECT count(*) FROM subscriptions s WHERE s.chat_id = c.chat_id)
        FROM chats c ORDER BY c.chat_id
        """
    )
    return list(await cur.fetchall())


# --- subscriptions -----------------------------------------------------------------------------


async def subscribe(conn: AsyncConnection, chat_id: int, sector: str, action: str) -> bool:
    cur = await conn.execute(
        "INSERT INTO subscriptions (chat_id, sector, action) VALUES (%s, %s, %s)"
        " ON CONFLICT DO NOTHING",
        (chat_id, sector, action),
    )
    return cur.rowcount == 1


async def unsubscribe(
    conn: AsyncConnection, chat_id: int, sector: str | None, action: str | None
) -> int:
    """Removes one subscription, or all of the chat's when sector is None."""
    cur = await conn.execute(
        "DELETE FROM subscriptions WHERE chat_id = %s"
        " AND (%s::text IS NULL OR (sector = %s AND action = %s))",
        (chat_id, sector, sector, action),
    )
    return cur.rowcount


async def subscriptions(conn: AsyncConnection, chat_id: int) -> list[tuple[str, str]]:
    cur = await conn.execute(
        "SELECT sector, action FROM subscriptions WHERE chat_id = %s ORDER BY sector, action",
        (chat_id,),
    )
    return [(row[0], row[1]) for row in await cur.fetchall()]


# --- read-only views ---------------------------------------------------------------------------


async def latest_events(conn: AsyncConnection, sector: str | None, limit: int) -> list[EventLine]:
    async with conn.cursor(row_factory=class_row(EventLine)) as cur:
        await cur.execute(
            """
            SELECT id, headline, sectors, actions, first_seen_at, last_seen_at, report_count
            FROM events WHERE %(sector)s::text IS NULL OR %(sector)s = ANY(sectors)
            ORDER BY first_seen_at DESC LIMIT %(limit)s
            """,
            {"sector": sector, "limit": limit},
        )
        return await cur.fetchall()


async def get_event(conn: AsyncConnection, event_id: str) -> EventLine | None:
    async with conn.cursor(row_factory=class_row(EventLine)) as cur:
        await cur.execute(
            "SELECT id, headline, sectors, actions, first_seen_at, last_seen_at, report_count"
            " FROM events WHERE id = %s",
            (event_id,),
        )
        return await cur.fetchone()


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search_articles(
    conn: AsyncConnection, terms: Sequence[str], limit: int
) -> list[ArticleHit]:
    """Articles whose title or body contains every term. Substring matching, so Chinese
    needs no tokenizer, and a pg_trgm index serves it. CJK terms use LIKE (exact); terms with
    Latin letters use ILIKE so that English matches regardless of case."""
    clauses, params = [], []
    for term in terms:
        op = "ILIKE" if re.search(r"[A-Za-z]", term) else "LIKE"
        clauses.append(f"(a.title {op} %s OR a.body {op} %s)")
        params += [_like_pattern(term)] * 2
    async with conn.cursor(row_factory=class_row(ArticleHit)) as cur:
        await cur.execute(
            f"""
            SELECT a.id, a.source_key, a.title, a.url, a.published_at, ea.event_id
            FROM articles a LEFT JOIN event_articles ea ON ea.article_id = a.id
            WHERE {" AND ".join(clauses) or "true"}
            ORDER BY COALESCE(a.published_at, a.first_seen_at) DESC LIMIT %s
            """,
            [*params, limit],
        )
        return await cur.fetchall()


async def sources_health(conn: AsyncConnection) -> list[SourceHealth]:
    async with conn.cursor(row_factory=class_row(SourceHealth)) as cur:
        await cur.execute(
            """
            SELECT s.key, s.name, s.tier, s.enabled,
                   r.status AS last_status, r.started_at AS last_started,
                   r.items AS last_items, r.errors AS last_errors,
                   (SELECT max(started_at) FROM crawl_runs k
                    WHERE k.source_key = s.key AND k.status = 'finished') AS last_ok,
                   (SELECT count(*) FROM crawl_runs k WHERE k.source_key = s.key
                    AND k.status IN ('failed', 'timeout')
                    AND k.started_at > now() - interval '24 hours')::int AS failed_24h
            FROM sources s
            LEFT JOIN LATERAL (SELECT * FROM crawl_runs k WHERE k.source_key = s.key
                               ORDER BY started_at DESC LIMIT 1) r ON true
            ORDER BY s.key
            """
        )
        return await cur.fetchall()
