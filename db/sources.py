"""The SQL of sources: their registry row, conditional-GET validators, and the per-source
health the monitor stores. Callers own transactions (nothing here commits)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from db.models import HealthRow, SourceHealth, SourceLabel, SourceRunSummary, Validators


async def upsert_source(
    conn: AsyncConnection,
    key: str,
    name: str,
    kind: str,
    tier: str,
    lang: str | None,
    enabled: bool,
    config: dict[str, Any],
) -> None:
    await conn.execute(
        """
        INSERT INTO sources (key, name, kind, tier, lang, enabled, config)
        VALUES (%s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
            tier = EXCLUDED.tier, lang = EXCLUDED.lang, enabled = EXCLUDED.enabled,
            config = EXCLUDED.config, updated_at = now()
        """,
        (key, name, kind, tier, lang, enabled, Jsonb(config)),
    )


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


# --- health ---------------------------------------------------------------------------------------


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


async def source_labels(conn: AsyncConnection) -> list[SourceLabel]:
    """Every source the archive knows, by name (the web console's filter menus)."""
    async with conn.cursor(row_factory=class_row(SourceLabel)) as cur:
        await cur.execute("SELECT key, name, tier FROM sources ORDER BY name, key")
        return await cur.fetchall()
