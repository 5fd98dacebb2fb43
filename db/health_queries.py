"""SQL for the service: crawl-run bookkeeping, source health, the scheduler lock.

Thin typed async functions over a psycopg connection; callers own transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

# pg_advisory_lock key of "the scheduler of this database" (advisory locks are per database)
SCHEDULER_LOCK_KEY = 7_426_002


@dataclass(frozen=True)
class RunRow:
    id: int
    source_key: str
    executor: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    finish_reason: str | None
    requests: int
    items: int
    new_articles: int
    errors: int
    duration_s: float | None


@dataclass(frozen=True)
class Coverage:
    source_key: str
    sampled: int
    title: float
    published: float
    body: float
    last_seen_at: datetime | None


@dataclass(frozen=True)
class HealthRow:
    source_key: str
    state: str
    since: datetime
    reported_state: str | None
    reported_at: datetime | None


_RUN_COLUMNS = (
    "id, source_key, executor, status, started_at, finished_at, finish_reason, requests,"
    " items, new_articles, errors, duration_s"
)


async def get_run(conn: AsyncConnection, run_id: int) -> RunRow | None:
    async with conn.cursor(row_factory=class_row(RunRow)) as cur:
        await cur.execute(f"SELECT {_RUN_COLUMNS} FROM crawl_runs WHERE id = %s", (run_id,))
        return await cur.fetchone()


async def close_run(
    conn: AsyncConnection, run_id: int, status: str, reason: str, *, force: bool = False
) -> None:
    """Ends a run its crawl could not finish (crash, kill); `force` also overrides a status the
    crawl wrote itself (a crawl stopped at its deadline is a timeout, whatever it says)."""
    await conn.execute(
        "UPDATE crawl_runs SET status = %s, finish_reason = coalesce(%s, finish_reason),"
        " finished_at = coalesce(finished_at, now()),"
        " duration_s = coalesce(duration_s, extract(epoch FROM now() - started_at))"
        " WHERE id = %s AND (status = 'running' OR %s)",
        (status, reason, run_id, force),
    )


async def close_abandoned_runs(conn: AsyncConnection, older_than_s: float) -> int:
    """Runs still 'running' long after any crawl could have ended: their process died."""
    cur = await conn.execute(
        "UPDATE crawl_runs SET status = 'failed', finish_reason = 'abandoned',"
        " finished_at = now() WHERE status = 'running'"
        " AND started_at < now() - make_interval(secs => %s)",
        (older_than_s,),
    )
    return cur.rowcount


async def recent_runs(
    conn: AsyncConnection, keys: list[str], per_source: int = 30
) -> dict[str, list[RunRow]]:
    """The newest `per_source` ended runs of each source, newest first (index-backed)."""
    async with conn.cursor(row_factory=class_row(RunRow)) as cur:
        await cur.execute(
            f"""
            SELECT r.* FROM unnest(%s::text[]) AS k, LATERAL (
                SELECT {_RUN_COLUMNS} FROM crawl_runs
                WHERE source_key = k AND status <> 'running'
                ORDER BY started_at DESC, id DESC LIMIT %s) r
            """,
            (keys, per_source),
        )
        rows = await cur.fetchall()
    runs: dict[str, list[RunRow]] = {key: [] for key in keys}
    for row in rows:
        runs[row.source_key].append(row)
    return runs


async def new_article_times(
    conn: AsyncConnection, keys: list[str], per_source: int = 30
) -> dict[str, list[datetime]]:
    """When the newest `per_source` crawls that found something new started, newest first."""
    cur = await conn.execute(
        """
        SELECT k, r.started_at FROM unnest(%s::text[]) AS k, LATERAL (
            SELECT started_at FROM crawl_runs WHERE source_key = k AND new_articles > 0
            ORDER BY started_at DESC LIMIT %s) r
        """,
        (keys, per_source),
    )
    times: dict[str, list[datetime]] = {key: [] for key in keys}
    for key, started in await cur.fetchall():
        times[key].append(started)
    for values in times.values():
        values.sort(reverse=True)
    return times


async def running_runs(conn: AsyncConnection) -> dict[str, datetime]:
    cur = await conn.execute(
        "SELECT source_key, min(started_at) FROM crawl_runs WHERE status = 'running'"
        " GROUP BY source_key"
    )
    return {row[0]: row[1] for row in await cur.fetchall()}


async def field_coverage(
    conn: AsyncConnection, keys: list[str], sample: int = 100
) -> dict[str, Coverage]:
    """Of the newest `sample` articles of each source: the share with a title, a time, a body,
    and when the newest was first seen."""
    async with conn.cursor(row_factory=class_row(Coverage)) as cur:
        await cur.execute(
            """
            SELECT k AS source_key, count(a.id)::int AS sampled,
                   coalesce(avg((a.title <> '')::int), 0)::float AS title,
                   coalesce(avg((a.published_at IS NOT NULL)::int), 0)::float AS published,
                   coalesce(avg((length(a.body) > 0)::int), 0)::float AS body,
                   max(a.first_seen_at) AS last_seen_at
            FROM unnest(%s::text[]) AS k
            LEFT JOIN LATERAL (
                SELECT id, title, published_at, body, first_seen_at FROM articles
                WHERE source_key = k ORDER BY id DESC LIMIT %s) a ON true
            GROUP BY k
            """,
            (keys, sample),
        )
        return {row.source_key: row for row in await cur.fetchall()}


async def health_rows(conn: AsyncConnection) -> dict[str, HealthRow]:
    async with conn.cursor(row_factory=class_row(HealthRow)) as cur:
        await cur.execute(
            "SELECT source_key, state, since, reported_state, reported_at FROM source_health"
        )
        return {row.source_key: row for row in await cur.fetchall()}


async def save_health(
    conn: AsyncConnection,
    key: str,
    state: str,
    detail: dict[str, Any],
    reported_state: str | None,
    reported: bool,
) -> None:
    """Stores the assessed state (`since` moves only when it changes); `reported` records that
    the admins were just told about `reported_state`."""
    await conn.execute(
        """
        INSERT INTO source_health (source_key, state, detail, reported_state, reported_at)
        VALUES (%s, %s, %s, %s, CASE WHEN %s THEN now() END)
        ON CONFLICT (source_key) DO UPDATE SET
            since = CASE WHEN source_health.state = EXCLUDED.state
                         THEN source_health.since ELSE now() END,
            state = EXCLUDED.state, detail = EXCLUDED.detail, checked_at = now(),
            reported_state = CASE WHEN %s THEN EXCLUDED.reported_state
                                  ELSE source_health.reported_state END,
            reported_at = CASE WHEN %s THEN now() ELSE source_health.reported_at END
        """,
        (key, state, Jsonb(detail), reported_state, reported, reported, reported),
    )


# --- the scheduler lock ------------------------------------------------------------------------


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
