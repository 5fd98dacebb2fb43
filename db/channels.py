"""LISTEN/NOTIFY: the channels that wake the detector and the sender, and who listens."""

from __future__ import annotations

from psycopg import AsyncConnection

ARTICLES_CHANNEL = "capwatch_articles"


OUTBOX_CHANNEL = "capwatch_outbox"


async def notify(conn: AsyncConnection, channel: str) -> None:
    await conn.execute("SELECT pg_notify(%s, '')", (channel,))


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
