"""SQL of analysts' verdicts on events (the alert buttons in Telegram, the web console).

Callers own the transaction. A chat's "not relevant" verdict mutes the event's later updates
in that chat: `enqueue_updates` skips muted chats (capwatch_event_muted, migration 0006) and
`add_feedback` settles an update already queued for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from psycopg import AsyncConnection
from psycopg.rows import class_row

Verdict = Literal["useful", "not_relevant", "wrong_sector"]
Origin = Literal["telegram", "web"]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)


@dataclass(frozen=True)
class Feedback:
    """One verdict as stored."""

    id: int
    event_id: str
    verdict: Verdict
    sectors: list[str]
    chat_id: int | None
    user_id: int | None
    user_name: str | None
    origin: Origin
    created_at: datetime


@dataclass(frozen=True)
class FeedbackReport:
    """One report (article) of an event with the event's latest verdict: a training record."""

    feedback_id: int
    event_id: str
    verdict: Verdict
    chosen_sectors: list[str]  # wrong_sector: the analyst's sectors
    event_sectors: list[str]
    event_actions: list[str]
    votes: int  # verdicts given on this event (the latest counts)
    article_id: int
    url: str
    source_key: str
    lang: str | None
    title: str
    body: str
    published_at: datetime | None
    first_seen_at: datetime
    given_at: datetime


_COLUMNS = "id, event_id, verdict, sectors, chat_id, user_id, user_name, origin, created_at"


async def add_feedback(
    conn: AsyncConnection,
    event_id: str,
    verdict: Verdict,
    *,
    sectors: Sequence[str] = (),
    chat_id: int | None = None,
    user_id: int | None = None,
    user_name: str | None = None,
    origin: Origin = "web",
) -> int:
    """Store a verdict and return its id. A chat's "not relevant" also settles an update of
    the event still queued for that chat (nothing more about it is sent there)."""
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}; one of {', '.join(VERDICTS)}")
    cur = await conn.execute(
        """
        INSERT INTO feedback (event_id, verdict, sectors, chat_id, user_id, user_name, origin)
        VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id
        """,
        (event_id, verdict, list(sectors), chat_id, user_id, user_name, origin),
    )
    row = await cur.fetchone()
    assert row is not None
    if verdict == "not_relevant" and chat_id is not None:
        await conn.execute(
            """
            UPDATE outbox SET status = 'sent', sent_revision = revision,
                              last_error = 'muted: the chat found the event not relevant'
            WHERE event_id = %s AND chat_id = %s AND kind = 'update' AND status = 'pending'
            """,
            (event_id, chat_id),
        )
    return int(row[0])


async def event_feedback(conn: AsyncConnection, event_id: str) -> list[Feedback]:
    """Every verdict on one event, oldest first."""
    async with conn.cursor(row_factory=class_row(Feedback)) as cur:
        await cur.execute(
            f"SELECT {_COLUMNS} FROM feedback WHERE event_id = %s ORDER BY created_at, id",
            (event_id,),
        )
        return await cur.fetchall()


async def list_feedback(
    conn: AsyncConnection,
    *,
    since: datetime | None = None,
    verdict: Verdict | None = None,
    chat_id: int | None = None,
    limit: int = 100,
) -> list[Feedback]:
    """Verdicts, newest first."""
    async with conn.cursor(row_factory=class_row(Feedback)) as cur:
        await cur.execute(
            f"""
            SELECT {_COLUMNS} FROM feedback
            WHERE (%(since)s::timestamptz IS NULL OR created_at >= %(since)s::timestamptz)
              AND (%(verdict)s::text IS NULL OR verdict = %(verdict)s::text)
              AND (%(chat)s::bigint IS NULL OR chat_id = %(chat)s::bigint)
            ORDER BY created_at DESC, id DESC LIMIT %(limit)s
            """,
            {"since": since, "verdict": verdict, "chat": chat_id, "limit": limit},
        )
        return await cur.fetchall()


async def is_muted(conn: AsyncConnection, event_id: str, chat_id: int) -> bool:
    """Whether the chat's latest verdict on the event is "not relevant"."""
    cur = await conn.execute("SELECT capwatch_event_muted(%s, %s)", (event_id, chat_id))
    row = await cur.fetchone()
    return bool(row and row[0])


async def feedback_reports(
    conn: AsyncConnection, since: datetime | None = None
) -> list[FeedbackReport]:
    """Every report of every event with a verdict (given since `since`), with the event's
    latest verdict, oldest verdict first: what `capwatch feedback export` writes."""
    async with conn.cursor(row_factory=class_row(FeedbackReport)) as cur:
        await cur.execute(
            """
            WITH latest AS (
                SELECT DISTINCT ON (event_id) id, event_id, verdict, sectors, created_at,
                       count(*) OVER (PARTITION BY event_id) AS votes
                FROM feedback
                WHERE %(since)s::timestamptz IS NULL OR created_at >= %(since)s::timestamptz
                ORDER BY event_id, created_at DESC, id DESC
            )
            SELECT l.id AS feedback_id, l.event_id, l.verdict, l.sectors AS chosen_sectors,
                   e.sectors AS event_sectors, e.actions AS event_actions, l.votes::int AS votes,
                   a.id AS article_id, a.url, a.source_key, a.lang, a.title, a.body,
                   a.published_at, a.first_seen_at, l.created_at AS given_at
            FROM latest l
            JOIN events e ON e.id = l.event_id
            JOIN event_articles ea ON ea.event_id = l.event_id
            JOIN articles a ON a.id = ea.article_id
            ORDER BY l.created_at, l.id, COALESCE(a.published_at, a.first_seen_at), a.id
            """,
            {"since": since},
        )
        return await cur.fetchall()


async def latest_verdict(conn: AsyncConnection, event_id: str, chat_id: int) -> Verdict | None:
    """The chat's latest verdict on the event (its alert's buttons show it ticked)."""
    cur = await conn.execute(
        "SELECT verdict FROM feedback WHERE event_id = %s AND chat_id = %s"
        " ORDER BY created_at DESC, id DESC LIMIT 1",
        (event_id, chat_id),
    )
    row = await cur.fetchone()
    return _verdict(row[0]) if row else None


async def event_sectors(conn: AsyncConnection, event_id: str) -> list[str] | None:
    """The event's sectors (the sector picker starts from them); None: no such event."""
    cur = await conn.execute("SELECT sectors FROM events WHERE id = %s", (event_id,))
    row = await cur.fetchone()
    return list(row[0]) if row else None


def _verdict(value: str) -> Verdict | None:
    for verdict in VERDICTS:
        if verdict == value:
            return verdict
    return None
