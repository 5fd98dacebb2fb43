"""The SQL of the outbox, the queue of Telegram messages: the detector enqueues, the sender
claims and settles, chats' changes move or fail their rows, the CLI and admin report list.

Callers own transactions (nothing here commits). Kinds (migrations/0003_alerts.sql): `alert`
(first message), `update` (edit/reply), `digest`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from db.models import Delivery, OutboxListing, OutboxRow

DEFAULT_DIGEST_TIME = time(8, 0)  # Beijing: the one default (CAPWATCH_DIGEST_TIME overrides it)


_ROW = "id, event_id, chat_id, kind, payload, attempts, revision, parts_sent, telegram_message_id"


# --- writing the queue (the detector, in its event transaction) -----------------------------------


async def enqueue_alert(
    conn: AsyncConnection,
    event_id: str,
    configured: Sequence[int],
    sectors: Sequence[str],
    actions: Sequence[str],
    payload: dict[str, Any],
) -> int:
    """First alert of a new event for every target chat: the configured alert chats (following
    migrations) and the subscribed chats whose sector/action matches. Inactive chats are
    skipped; digest chats get a `digest` row due at their digest time. Returns rows added."""
    cur = await conn.execute(
        """
        WITH targets AS (
            SELECT COALESCE(c.migrated_to, k.id) AS chat_id
            FROM unnest(%(ids)s::bigint[]) AS k(id) LEFT JOIN chats c ON c.chat_id = k.id
            UNION
            SELECT s.chat_id FROM subscriptions s
            WHERE (s.sector = '*' OR s.sector = ANY(%(sectors)s))
              AND (s.action = '*' OR s.action = ANY(%(actions)s))
        )
        INSERT INTO outbox (event_id, chat_id, kind, payload, next_attempt_at)
        SELECT %(event)s, t.chat_id,
               CASE WHEN c.digest THEN 'digest' ELSE 'alert' END, %(payload)s,
               CASE WHEN c.digest
                    THEN capwatch_next_beijing(COALESCE(c.digest_time, %(default)s::time))
                    ELSE now() END
        FROM targets t LEFT JOIN chats c ON c.chat_id = t.chat_id
        WHERE COALESCE(c.active, true)
        ON CONFLICT (event_id, chat_id, kind) DO NOTHING
        """,
        {
            "ids": list(configured),
            "sectors": list(sectors),
            "actions": list(actions),
            "event": event_id,
            "payload": Jsonb(payload),
            "default": DEFAULT_DIGEST_TIME,
        },
    )
    return cur.rowcount


async def enqueue_updates(conn: AsyncConnection, event_id: str) -> int:
    """A later report of the event: (re-)arm one `update` row per chat that got the alert
    (not in chats that found the event not relevant). A row being sent keeps 'sending'; its
    sender sees the new revision and sends again."""
    cur = await conn.execute(
        """
        INSERT INTO outbox (event_id, chat_id, kind, payload)
        SELECT event_id, chat_id, 'update', '{}'::jsonb FROM outbox
        WHERE event_id = %s AND kind = 'alert'
          AND NOT capwatch_event_muted(event_id, chat_id)  -- the chat said "not relevant"
        ON CONFLICT (event_id, chat_id, kind) DO UPDATE SET
            revision = outbox.revision + 1,
            status = CASE WHEN outbox.status = 'sending' THEN 'sending' ELSE 'pending' END,
            attempts = CASE WHEN outbox.status = 'sending' THEN outbox.attempts ELSE 0 END,
            next_attempt_at = now(), last_error = NULL, reported_at = NULL
        """,
        (event_id,),
    )
    return cur.rowcount


# --- the sender -----------------------------------------------------------------------------------


async def release_inflight(conn: AsyncConnection) -> int:
    """Rows a stopped sender had claimed go back to the queue; parts already delivered are
    remembered (parts_sent), so only the part in flight can repeat."""
    cur = await conn.execute(
        "UPDATE outbox SET status = 'pending', attempts = greatest(attempts - 1, 0)"
        " WHERE status = 'sending'"
    )
    return cur.rowcount


async def claim_due(conn: AsyncConnection, limit: int, busy: Sequence[int]) -> list[OutboxRow]:
    """Due rows of chats that no worker is serving, oldest first, marked 'sending'."""
    async with conn.cursor(row_factory=class_row(OutboxRow)) as cur:
        await cur.execute(
            f"""
            UPDATE outbox SET status = 'sending', attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM outbox
                WHERE status = 'pending' AND next_attempt_at <= now()
                  AND NOT (chat_id = ANY(%s))
                ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)
            RETURNING {_ROW}
            """,
            (list(busy), limit),
        )
        rows = await cur.fetchall()
    return sorted(rows, key=lambda r: r.id)


async def mark_part_sent(
    conn: AsyncConnection, outbox_id: int, parts_sent: int, message_id: int | None
) -> None:
    await conn.execute(
        "UPDATE outbox SET parts_sent = %s,"
        " telegram_message_id = COALESCE(telegram_message_id, %s) WHERE id = %s",
        (parts_sent, message_id, outbox_id),
    )


async def mark_sent(
    conn: AsyncConnection, outbox_id: int, revision: int, message_id: int | None
) -> bool:
    """Done, unless a newer revision arrived meanwhile (then it stays queued). True if done."""
    cur = await conn.execute(
        """
        UPDATE outbox SET sent_revision = %(rev)s, sent_at = now(), parts_sent = 0,
            telegram_message_id = COALESCE(%(mid)s, telegram_message_id), last_error = NULL,
            status = CASE WHEN revision = %(rev)s THEN 'sent' ELSE 'pending' END,
            attempts = CASE WHEN revision = %(rev)s THEN attempts ELSE 0 END
        WHERE id = %(id)s RETURNING status
        """,
        {"rev": revision, "mid": message_id, "id": outbox_id},
    )
    row = await cur.fetchone()
    return bool(row and row[0] == "sent")


async def mark_retry(
    conn: AsyncConnection,
    outbox_ids: Sequence[int],
    error: str | None,
    delay_seconds: float,
    *,
    count_attempt: bool = True,
) -> None:
    """Back to the queue after `delay_seconds`; flood control and rate-limit deferrals do not
    count as attempts (only real failures bring a message closer to 'failed')."""
    await conn.execute(
        """
        UPDATE outbox SET status = 'pending', last_error = COALESCE(%s, last_error),
            next_attempt_at = now() + make_interval(secs => %s),
            attempts = CASE WHEN %s THEN attempts ELSE greatest(attempts - 1, 0) END
        WHERE id = ANY(%s) AND status = 'sending'
        """,
        (error, delay_seconds, count_attempt, list(outbox_ids)),
    )


async def mark_failed(conn: AsyncConnection, outbox_ids: Sequence[int], error: str) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'failed', last_error = %s"
        " WHERE id = ANY(%s) AND status IN ('sending', 'pending')",
        (error, list(outbox_ids)),
    )


async def defer_chat(conn: AsyncConnection, chat_id: int, delay_seconds: float) -> None:
    """Flood control for one chat: nothing else is tried there before the pause ends."""
    await conn.execute(
        "UPDATE outbox SET next_attempt_at ="
        " greatest(next_attempt_at, now() + make_interval(secs => %s))"
        " WHERE chat_id = %s AND status = 'pending'",
        (delay_seconds, chat_id),
    )


async def alert_message(
    conn: AsyncConnection, event_id: str, chat_id: int
) -> tuple[str, int | None, dict[str, Any]] | None:
    """(status, first message id, payload) of the event's first alert in this chat."""
    cur = await conn.execute(
        "SELECT status, telegram_message_id, payload FROM outbox"
        " WHERE event_id = %s AND chat_id = %s AND kind = 'alert'",
        (event_id, chat_id),
    )
    row = await cur.fetchone()
    return (row[0], row[1], row[2]) if row else None


async def first_payload(conn: AsyncConnection, event_id: str) -> dict[str, Any] | None:
    """The payload the event's first alert was rendered from."""
    cur = await conn.execute(
        "SELECT payload FROM outbox WHERE event_id = %s AND kind IN ('alert', 'digest')"
        " ORDER BY id LIMIT 1",
        (event_id,),
    )
    row = await cur.fetchone()
    return row[0] if row else None


async def event_has_outbox(conn: AsyncConnection, event_id: str) -> bool:
    cur = await conn.execute("SELECT 1 FROM outbox WHERE event_id = %s LIMIT 1", (event_id,))
    return await cur.fetchone() is not None


# --- chats' changes (called by db/chats.py in the chat's transaction) -------------------------


async def reschedule_digests(conn: AsyncConnection, chat_id: int) -> None:
    """The chat's queued digest rows follow its digest setting: its new time, or now (off)."""
    await conn.execute(
        """
        UPDATE outbox o SET next_attempt_at = CASE WHEN c.digest
            THEN capwatch_next_beijing(COALESCE(c.digest_time, %s::time)) ELSE now() END
        FROM chats c
        WHERE c.chat_id = o.chat_id AND o.chat_id = %s AND o.kind = 'digest'
          AND o.status = 'pending'
        """,
        (DEFAULT_DIGEST_TIME, chat_id),
    )


async def fail_pending_of_chat(conn: AsyncConnection, chat_id: int, error: str) -> int:
    cur = await conn.execute(
        "UPDATE outbox SET status = 'failed', last_error = %s"
        " WHERE chat_id = %s AND status = 'pending'",
        (error, chat_id),
    )
    return cur.rowcount


async def move_chat(conn: AsyncConnection, old: int, new: int) -> None:
    """Queued rows of a migrated group go to its supergroup (unless it has them already)."""
    await conn.execute(
        """
        UPDATE outbox o SET chat_id = %(new)s
        WHERE chat_id = %(old)s AND status IN ('pending', 'sending') AND NOT EXISTS (
            SELECT 1 FROM outbox x
            WHERE x.event_id = o.event_id AND x.chat_id = %(new)s AND x.kind = o.kind)
        """,
        {"old": old, "new": new},
    )


# --- failures and counts: the CLI, status and the admin report ------------------------------------


_LISTING = """
    SELECT o.id, o.event_id, o.chat_id, o.kind, o.status, o.attempts, o.last_error,
           COALESCE(o.payload->>'headline', e.headline, '') AS headline,
           o.created_at, o.sent_at
    FROM outbox o LEFT JOIN events e ON e.id = o.event_id
"""  # an outbox row as `alerts list` and the admin report show it


async def list_outbox(
    conn: AsyncConnection, status: str | None, chat_id: int | None, limit: int
) -> list[OutboxListing]:
    async with conn.cursor(row_factory=class_row(OutboxListing)) as cur:
        await cur.execute(
            _LISTING
            + """
            WHERE (%(status)s::text IS NULL OR o.status = %(status)s)
              AND (%(chat)s::bigint IS NULL OR o.chat_id = %(chat)s)
            ORDER BY o.id DESC LIMIT %(limit)s
            """,
            {"status": status, "chat": chat_id, "limit": limit},
        )
        return await cur.fetchall()


async def unreported_failures(conn: AsyncConnection, limit: int) -> list[OutboxListing]:
    async with conn.cursor(row_factory=class_row(OutboxListing)) as cur:
        await cur.execute(
            _LISTING + "WHERE o.status = 'failed' AND o.reported_at IS NULL ORDER BY o.id LIMIT %s",
            (limit,),
        )
        return await cur.fetchall()


async def mark_reported(conn: AsyncConnection, outbox_ids: Sequence[int]) -> None:
    await conn.execute(
        "UPDATE outbox SET reported_at = now() WHERE id = ANY(%s)", (list(outbox_ids),)
    )


async def retry_failed(conn: AsyncConnection, outbox_ids: Sequence[int] | None) -> int:
    """Failed rows back to the queue (all of them when `outbox_ids` is None)."""
    cur = await conn.execute(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = now(),"
        " reported_at = NULL WHERE status = 'failed' AND (%s::bigint[] IS NULL OR id = ANY(%s))",
        (None if outbox_ids is None else list(outbox_ids),) * 2,
    )
    return cur.rowcount


async def count_by_status(conn: AsyncConnection) -> dict[str, int]:
    cur = await conn.execute("SELECT status, count(*) FROM outbox GROUP BY status")
    return {row[0]: int(row[1]) for row in await cur.fetchall()}


async def event_deliveries(conn: AsyncConnection, event_id: str) -> list[Delivery]:
    """The event's alert, update and digest rows per chat, oldest first (the web console)."""
    async with conn.cursor(row_factory=class_row(Delivery)) as cur:
        await cur.execute(
            """
            SELECT o.chat_id, c.title AS chat_title, o.kind, o.status, o.attempts,
                   o.created_at, o.sent_at, o.last_error
            FROM outbox o LEFT JOIN chats c ON c.chat_id = o.chat_id
            WHERE o.event_id = %s ORDER BY o.created_at, o.id""",
            (event_id,),
        )
        return await cur.fetchall()
