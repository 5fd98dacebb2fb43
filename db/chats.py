"""The SQL of chats: who the bot talks to, their preferences and subscriptions.

Callers own transactions (nothing here commits); a chat change that moves or fails queued
messages calls db/outbox.py in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time

from psycopg import AsyncConnection
from psycopg.rows import class_row

from db import outbox
from db.models import ChatListing, ChatPrefs


async def chat_prefs(conn: AsyncConnection, chat_ids: Sequence[int]) -> dict[int, ChatPrefs]:
    """Preferences of these chats; a chat without a row gets the defaults."""
    async with conn.cursor(row_factory=class_row(ChatPrefs)) as cur:
        await cur.execute(
            "SELECT chat_id, active, inactive_reason, digest, digest_time, quiet_start,"
            " quiet_end FROM chats WHERE chat_id = ANY(%s)",
            (list(chat_ids),),
        )
        found = {row.chat_id: row for row in await cur.fetchall()}
    return {chat_id: found.get(chat_id, ChatPrefs(chat_id)) for chat_id in chat_ids}


async def get_prefs(conn: AsyncConnection, chat_id: int) -> ChatPrefs:
    return (await chat_prefs(conn, [chat_id]))[chat_id]


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


async def set_digest(conn: AsyncConnection, chat_id: int, on: bool, at: time | None) -> None:
    """Digest on: queued digest rows follow the new time. Off: they are sent now, once."""
    await conn.execute(
        "UPDATE chats SET digest = %s, digest_time = COALESCE(%s, digest_time),"
        " updated_at = now() WHERE chat_id = %s",
        (on, at, chat_id),
    )
    await outbox.reschedule_digests(conn, chat_id)


async def set_quiet(
    conn: AsyncConnection, chat_id: int, start: time | None, end: time | None
) -> None:
    await conn.execute(
        "UPDATE chats SET quiet_start = %s, quiet_end = %s, updated_at = now() WHERE chat_id = %s",
        (start, end, chat_id),
    )


async def list_chats(conn: AsyncConnection) -> list[ChatListing]:
    async with conn.cursor(row_factory=class_row(ChatListing)) as cur:
        await cur.execute(
            """
            SELECT c.chat_id, c.title, c.kind, c.active, c.inactive_reason, c.migrated_to,
                   c.digest, (SELECT count(*) FROM subscriptions s
                              WHERE s.chat_id = c.chat_id)::int AS subscriptions
            FROM chats c ORDER BY c.chat_id
            """
        )
        return await cur.fetchall()


async def deactivate_chat(conn: AsyncConnection, chat_id: int, reason: str) -> int:
    """The bot was blocked or removed: stop sending there; queued rows fail with the reason."""
    await conn.execute(
        """
        INSERT INTO chats (chat_id, active, inactive_reason) VALUES (%s, false, %s)
        ON CONFLICT (chat_id) DO UPDATE SET active = false,
            inactive_reason = EXCLUDED.inactive_reason, updated_at = now()
        """,
        (chat_id, reason),
    )
    return await outbox.fail_pending_of_chat(conn, chat_id, f"chat inactive: {reason}")


async def migrate_chat(conn: AsyncConnection, old: int, new: int) -> None:
    """A group became a supergroup: the new id inherits preferences, subscriptions and the
    queued messages; the old id is kept, inactive, pointing at the new one."""
    await conn.execute(
        """
        INSERT INTO chats (chat_id, title, kind, digest, digest_time, quiet_start, quiet_end)
        SELECT %(new)s, title, 'supergroup', digest, digest_time, quiet_start, quiet_end
        FROM chats WHERE chat_id = %(old)s
        UNION ALL SELECT %(new)s, NULL, 'supergroup', false, NULL, NULL, NULL
        LIMIT 1
        ON CONFLICT (chat_id) DO UPDATE SET active = true, inactive_reason = NULL
        """,
        {"old": old, "new": new},
    )
    await conn.execute(
        """
        INSERT INTO chats (chat_id, active, inactive_reason, migrated_to)
        VALUES (%(old)s, false, 'migrated to a supergroup', %(new)s)
        ON CONFLICT (chat_id) DO UPDATE SET active = false, migrated_to = %(new)s,
            inactive_reason = 'migrated to a supergroup', updated_at = now()
        """,
        {"old": old, "new": new},
    )
    await conn.execute(
        "INSERT INTO subscriptions (chat_id, sector, action) SELECT %(new)s, sector, action"
        " FROM subscriptions WHERE chat_id = %(old)s ON CONFLICT DO NOTHING",
        {"old": old, "new": new},
    )
    await conn.execute("DELETE FROM subscriptions WHERE chat_id = %s", (old,))
    await outbox.move_chat(conn, old, new)


# --- subscriptions --------------------------------------------------------------------------------


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
