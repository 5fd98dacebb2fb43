"""Connection-level statements: LISTEN/NOTIFY on the channels that wake the detector and the
sender (and who listens), and the liveness ping of a connection."""

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


async def listen(conn: AsyncConnection, channel: str) -> None:
    """LISTEN on one of capwatch's channels (identifiers cannot be parameters: known names only)."""
    if channel not in (ARTICLES_CHANNEL, OUTBOX_CHANNEL):
        raise ValueError(f"not a capwatch channel: {channel!r}")
    await conn.execute(f"LISTEN {channel}")


async def ping(conn: AsyncConnection) -> None:
    """Raises if the connection (or the server behind it) is gone."""
    await conn.execute("SELECT 1")
