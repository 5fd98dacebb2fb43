"""The SQL of sources: their registry row, conditional-GET validators, and the per-source
health the monitor stores. Callers own transactions (nothing here commits)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from db.models import HealthRow, SourceLabel, Validators


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


async def source_labels(conn: AsyncConnection) -> list[SourceLabel]:
    """Every source the archive knows, by name (the web console's filter menus)."""
    async with conn.cursor(row_factory=class_row(SourceLabel)) as cur:
        await cur.execute("SELECT key, name, tier FROM sources ORDER BY name, key")
        return await cur.fetchall()
