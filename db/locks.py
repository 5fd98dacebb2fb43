"""Every PostgreSQL advisory-lock key of capwatch, and the lock calls (keys are per database)."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection

# pg_advisory_lock keys (advisory locks are per database; one number space for all of them)
MIGRATION_LOCK_KEY = 7_426_001  # two processes starting together migrate one at a time
SCHEDULER_LOCK_KEY = 7_426_002  # "the scheduler of this database" (held for a session)
REDETECT_LOCK_KEY = 7_426_101  # one re-detection at a time (held for a transaction)


async def try_scheduler_lock(conn: AsyncConnection) -> bool:
    cur = await conn.execute("SELECT pg_try_advisory_lock(%s)", (SCHEDULER_LOCK_KEY,))
    row = await cur.fetchone()
    return bool(row and row[0])


async def release_scheduler_lock(conn: AsyncConnection) -> None:
    await conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEDULER_LOCK_KEY,))


async def scheduler_holder(conn: AsyncConnection) -> dict[str, Any] | None:
    """Who holds the scheduler lock of this database: application name, address, since."""
    cur = await conn.execute(
        """
        SELECT a.application_name, host(a.client_addr), a.backend_start, a.pid
        FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = %s
          AND l.objsubid = 1
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        """,
        (SCHEDULER_LOCK_KEY,),
    )
    row = await cur.fetchone()
    if row is None:
        return None
    return {
        "name": row[0],
        "address": row[1] or "local",
        "since": row[2].isoformat(),
        "backend_pid": row[3],
    }


async def lock_for_redetect(conn: AsyncConnection) -> None:
    """Serialise re-detections, and hold the live detector's event writes until commit."""
    await conn.execute("SELECT pg_advisory_xact_lock(%s)", (REDETECT_LOCK_KEY,))
    await conn.execute("LOCK TABLE events, event_articles IN SHARE ROW EXCLUSIVE MODE")
