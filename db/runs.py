"""The SQL of crawl_runs: a crawl's row from start to end, and the recent runs health reads.

Callers own transactions (nothing here commits)."""

from __future__ import annotations

from datetime import datetime

from psycopg import AsyncConnection
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from db.models import CrawlRunResult, RunRow

_RUN_COLUMNS = (
    "id, source_key, executor, status, started_at, finished_at, finish_reason, requests,"
    " items, new_articles, errors, duration_s, found, not_modified, http_errors, parse_errors"
)


async def start_crawl_run(conn: AsyncConnection, source_key: str, executor: str) -> int:
    cur = await conn.execute(
        "INSERT INTO crawl_runs (source_key, executor) VALUES (%s, %s) RETURNING id",
        (source_key, executor),
    )
    row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def finish_crawl_run(conn: AsyncConnection, run_id: int, result: CrawlRunResult) -> None:
    await conn.execute(
        """
        UPDATE crawl_runs SET status = %s, finish_reason = %s, requests = %s, items = %s,
            new_articles = %s, errors = %s, duration_s = %s, stats = %s, finished_at = now()
        WHERE id = %s
        """,
        (
            result.status,
            result.finish_reason,
            result.requests,
            result.items,
            result.new_articles,
            result.errors,
            result.duration_s,
            Jsonb(result.stats),
            run_id,
        ),
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
