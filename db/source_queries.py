"""SQL for sources: known article URLs, conditional-GET validators, per-source run figures
and health. Thin typed async functions; callers own transactions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from psycopg import AsyncConnection
from psycopg.rows import class_row


@dataclass(frozen=True)
class Validators:
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class SourceRunSummary:
    source_key: str
    last_started_at: datetime | None
    last_status: str | None
    last_items: int | None
    last_new: int | None
    last_errors: int | None
    runs: int
    bad_in_a_row: int
    last_problem: str | None


async def known_urls(conn: AsyncConnection, urls: Sequence[str]) -> set[str]:
    """The URLs of `urls` already stored as articles (by any source)."""
    if not urls:
        return set()
    cur = await conn.execute("SELECT url FROM articles WHERE url = ANY(%s)", (list(urls),))
    return {row[0] for row in await cur.fetchall()}


async def load_validators(conn: AsyncConnection, source_key: str) -> dict[str, Validators]:
    cur = await conn.execute(
        "SELECT url, etag, last_modified FROM http_validators WHERE source_key = %s",
        (source_key,),
    )
    return {row[0]: Validators(row[1], row[2]) for row in await cur.fetchall()}


async def save_validators(
    conn: AsyncConnection, source_key: str, entries: Iterable[tuple[str, Validators]]
) -> None:
    async with conn.cursor() as cur:
        await cur.executemany(
            """
            INSERT INTO http_validators (source_key, url, etag, last_modified)
            VALUES (%s, %s, %s, %s)
            ON CONFLICT (source_key, url) DO UPDATE SET etag = EXCLUDED.etag,
                last_modified = EXCLUDED.last_modified, updated_at = now()
            """,
            [(source_key, url, v.etag, v.last_modified) for url, v in entries],
        )


_SUMMARY = """
WITH ranked AS (
    SELECT h.*, r.new_articles, r.errors,
           row_number() OVER (PARTITION BY h.source_key ORDER BY h.started_at DESC, h.id DESC) AS n
    FROM crawl_run_health h JOIN crawl_runs r USING (id)
    WHERE h.source_key = ANY(%(keys)s)
),
streak AS (
    SELECT source_key,
           coalesce(min(n) FILTER (WHERE problem IS NULL) - 1, count(*)) AS bad_in_a_row,
           count(*) AS runs
    FROM ranked GROUP BY source_key
)
SELECT k AS source_key, last.started_at AS last_started_at, last.status AS last_status,
       last.items AS last_items, last.new_articles AS last_new, last.errors AS last_errors,
       coalesce(s.runs, 0)::int AS runs, coalesce(s.bad_in_a_row, 0)::int AS bad_in_a_row,
       last.problem AS last_problem
FROM unnest(%(keys)s::text[]) AS k
LEFT JOIN ranked last ON last.source_key = k AND last.n = 1
LEFT JOIN streak s ON s.source_key = k
ORDER BY k
"""


async def source_run_summaries(
    conn: AsyncConnection, keys: Sequence[str]
) -> dict[str, SourceRunSummary]:
    """Last ended run and the current streak of bad runs, per source key."""
    async with conn.cursor(row_factory=class_row(SourceRunSummary)) as cur:
        await cur.execute(_SUMMARY, {"keys": list(keys)})
        return {row.source_key: row for row in await cur.fetchall()}


async def unhealthy_sources(
    conn: AsyncConnection, keys: Sequence[str], runs: int = 3
) -> list[SourceRunSummary]:
    """Sources whose last `runs` ended runs were all bad (no items, parse or HTTP errors,
    failed or timed out); a 304 Not Modified run or a run that found only known entries is
    not bad."""
    summaries = await source_run_summaries(conn, keys)
    return [s for s in summaries.values() if s.bad_in_a_row >= runs]
