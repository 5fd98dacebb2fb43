"""Events for analysts: listings, one event's timeline, and streaming exports.

Everything reads the views of 0002_search.sql (v_events, v_event_reports, v_articles), so
the CLI shows exactly what an analyst sees from psql, pandas or Metabase.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from psycopg import AsyncConnection
from psycopg.rows import class_row, dict_row

ExportKind = Literal["events", "articles"]


@dataclass(frozen=True)
class EventSummary:
    event_id: str
    first_seen_at: datetime
    last_seen_at: datetime
    headline: str
    sectors: list[str]
    actions: list[str]
    actors: list[str]
    reports: int
    source_keys: list[str]
    source_names: list[str]
    first_source_key: str | None
    first_source_name: str | None
    first_url: str | None
    first_report_at: datetime | None


@dataclass(frozen=True)
class EventReport:
    """One report in an event's timeline; report_no 1 is the first to report it."""

    report_no: int
    article_time: datetime
    first_seen_at: datetime
    article_id: int
    source_key: str
    source_name: str | None
    source_tier: str | None
    lang: str | None
    title: str
    url: str
    score: float | None
    event_reason: str


@dataclass(frozen=True)
class EventTimeline:
    event: EventSummary
    reports: list[EventReport]


_SUMMARY_COLUMNS = ", ".join(EventSummary.__dataclass_fields__)


async def list_events(
    conn: AsyncConnection,
    *,
    sectors: tuple[str, ...] = (),
    actions: tuple[str, ...] = (),
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
) -> list[EventSummary]:
    """Events first seen in [since, until), newest first; sector/action: any of those given."""
    where, params = _event_filters(sectors, actions, since, until)
    params["limit"] = limit
    async with conn.cursor(row_factory=class_row(EventSummary)) as cur:
        await cur.execute(
            f"SELECT {_SUMMARY_COLUMNS} FROM v_events WHERE {where}"
            " ORDER BY first_seen_at DESC, event_id LIMIT %(limit)s",
            params,
        )
        return await cur.fetchall()


def _event_filters(
    sectors: tuple[str, ...],
    actions: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
) -> tuple[str, dict[str, Any]]:
    clauses, params = ["true"], {}
    if sectors:
        clauses.append("sectors && %(sectors)s")
        params["sectors"] = list(sectors)
    if actions:
        clauses.append("actions && %(actions)s")
        params["actions"] = list(actions)
    if since:
        clauses.append("first_seen_at >= %(since)s")
        params["since"] = since
    if until:
        clauses.append("first_seen_at < %(until)s")
        params["until"] = until
    return " AND ".join(clauses), params


async def resolve_event_id(conn: AsyncConnection, given: str) -> list[str]:
    """Exact id, else every id starting with `given` (ids are long; a prefix is handy)."""
    cur = await conn.execute("SELECT id FROM events WHERE id = %s", (given,))
    if await cur.fetchone():
        return [given]
    pattern = given.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    cur = await conn.execute(
        "SELECT id FROM events WHERE id LIKE %s ORDER BY first_seen_at DESC LIMIT 10", (pattern,)
    )
    return [row[0] for row in await cur.fetchall()]


async def event_timeline(conn: AsyncConnection, event_id: str) -> EventTimeline | None:
    """The event and every report of it, first report first; None when unknown."""
    async with conn.cursor(row_factory=class_row(EventSummary)) as cur:
        await cur.execute(
            f"SELECT {_SUMMARY_COLUMNS} FROM v_events WHERE event_id = %s", (event_id,)
        )
        event = await cur.fetchone()
    if event is None:
        return None
    columns = ", ".join(EventReport.__dataclass_fields__)
    async with conn.cursor(row_factory=class_row(EventReport)) as cur:
        await cur.execute(
            f"SELECT {columns} FROM v_event_reports WHERE event_id = %s ORDER BY report_no",
            (event_id,),
        )
        reports = await cur.fetchall()
    return EventTimeline(event, reports)


_EXPORT_SQL = {
    "events": f"SELECT {_SUMMARY_COLUMNS} FROM v_events WHERE {{where}}"
    " ORDER BY first_seen_at, event_id",
    "articles": "SELECT article_id, article_time, published_at, first_seen_at, source_key,"
    " source_name, source_tier, lang, title, url, relevant, score, sectors, actions, actors,"
    " figures, event_id{body} FROM v_articles WHERE {where} ORDER BY article_time, article_id",
}
EXPORT_COLUMNS = {
    "events": list(EventSummary.__dataclass_fields__),
    "articles": [
        "article_id", "article_time", "published_at", "first_seen_at", "source_key",
        "source_name", "source_tier", "lang", "title", "url", "relevant", "score", "sectors",
        "actions", "actors", "figures", "event_id",
    ],
}  # fmt: skip


async def export_rows(
    conn: AsyncConnection,
    kind: ExportKind,
    since: datetime | None,
    until: datetime | None = None,
    *,
    relevant_only: bool = False,
    with_body: bool = False,
) -> AsyncIterator[dict[str, Any]]:
    """Stream events (by first_seen_at) or articles (by article_time) in [since, until),
    oldest first, through a server-side cursor: memory stays flat for any size. Needs a
    connection not in autocommit mode (a named cursor lives in a transaction)."""
    time_col = "first_seen_at" if kind == "events" else "article_time"
    clauses, params = ["true"], {}
    if since:
        clauses.append(f"{time_col} >= %(since)s")
        params["since"] = since
    if until:
        clauses.append(f"{time_col} < %(until)s")
        params["until"] = until
    if relevant_only and kind == "articles":
        clauses.append("relevant")
    query = _EXPORT_SQL[kind].format(
        where=" AND ".join(clauses), body=", body" if with_body else ""
    )
    async with conn.cursor(name="capwatch_export", row_factory=dict_row) as cur:
        await cur.execute(query, params)
        async for row in cur:
            yield row
