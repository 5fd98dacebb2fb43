"""The SQL of events: assign reports to events, repair membership after re-detection, and
read events for alerts, the bot and analysts (the views of 0002_search.sql: v_events,
v_event_reports, v_articles, so the CLI shows what psql, pandas or Metabase show).

Callers own transactions (nothing here commits)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row, dict_row
from psycopg.types.json import Jsonb

from db.models import (
    EventLine,
    EventReport,
    EventSummary,
    EventTimeline,
    ExportKind,
    Report,
    ReportEvidence,
)
from detection.model import Evidence

# --- writing: the detector and redetect -----------------------------------------------------------


async def upsert_event(
    conn: AsyncConnection,
    event_id: str,
    headline: str,
    sectors: Sequence[str],
    actions: Sequence[str],
    actors: Sequence[str],
    article_id: int,
    seen_at: datetime,
    state: dict[str, Any],
) -> None:
    """Create the event with its first article, or merge one more report into it."""
    await conn.execute(
        """
        INSERT INTO events (id, headline, sectors, actions, actors, first_article_id,
                            first_seen_at, last_seen_at, report_count, state)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 1, %s)
        ON CONFLICT (id) DO UPDATE SET
            sectors = ARRAY(SELECT DISTINCT unnest(events.sectors || EXCLUDED.sectors)),
            actions = ARRAY(SELECT DISTINCT unnest(events.actions || EXCLUDED.actions)),
            actors = ARRAY(SELECT DISTINCT unnest(events.actors || EXCLUDED.actors)),
            -- a backfill brings earlier reports after later ones: the earliest tells it
            headline = CASE WHEN EXCLUDED.first_seen_at < events.first_seen_at
                            THEN EXCLUDED.headline ELSE events.headline END,
            first_article_id = CASE WHEN EXCLUDED.first_seen_at < events.first_seen_at
                                    THEN EXCLUDED.first_article_id
                                    ELSE events.first_article_id END,
            first_seen_at = LEAST(events.first_seen_at, EXCLUDED.first_seen_at),
            last_seen_at = GREATEST(events.last_seen_at, EXCLUDED.last_seen_at),
            report_count = events.report_count + 1,
            state = EXCLUDED.state
        """,
        (
            event_id,
            headline,
            list(sectors),
            list(actions),
            list(actors),
            article_id,
            seen_at,
            seen_at,
            Jsonb(state),
        ),
    )


async def add_event_article(
    conn: AsyncConnection, event_id: str, article_id: int, reason: str
) -> None:
    """Add a report; when it is earlier than the report that opened the event, it becomes
    the opener ("new event") and the former opener takes its reason, so report 1 of the timeline
    always says "new event"."""
    await conn.execute(
        "INSERT INTO event_articles (event_id, article_id, reason) VALUES (%s, %s, %s)"
        " ON CONFLICT DO NOTHING",
        (event_id, article_id, reason),
    )
    await conn.execute(
        """
        WITH earliest AS (
            SELECT ea.article_id, ea.reason
            FROM event_articles ea JOIN articles a ON a.id = ea.article_id
            WHERE ea.event_id = %(event)s
            ORDER BY coalesce(a.published_at, a.first_seen_at), a.id
            LIMIT 1
        ), opener AS (
            SELECT article_id FROM event_articles
            WHERE event_id = %(event)s AND reason = 'new event'
        )
        UPDATE event_articles ea
        SET reason = CASE WHEN ea.article_id = earliest.article_id THEN 'new event'
                          ELSE earliest.reason END
        FROM earliest, opener
        WHERE ea.event_id = %(event)s AND earliest.article_id <> opener.article_id
          AND ea.article_id IN (earliest.article_id, opener.article_id)
        """,
        {"event": event_id},
    )


async def event_states(conn: AsyncConnection, since: datetime | None) -> list[tuple[str, Any]]:
    """Events whose last report is at or after `since` (all events when None)."""
    cur = await conn.execute(
        """
        SELECT id, state FROM events
        WHERE %(since)s::timestamptz IS NULL OR last_seen_at >= %(since)s::timestamptz
        ORDER BY first_seen_at, id
        """,
        {"since": since},
    )
    return [(row[0], row[1]) for row in await cur.fetchall()]


async def remove_event_article(conn: AsyncConnection, article_id: int) -> None:
    await conn.execute("DELETE FROM event_articles WHERE article_id = %s", (article_id,))


async def refresh_event(
    conn: AsyncConnection, event_id: str, state: dict[str, Any] | None, reason: str
) -> int:
    """Recount an event's reports after removals and return the count. An event left with
    none is marked `state.retracted` (when, why); the row and its outbox history stay: the
    alert went out, and a later report of the same action must join it, not alert again."""
    cur = await conn.execute(
        """
        WITH left_ AS (
            SELECT count(*) AS n, min(article_id) AS first_id
            FROM event_articles WHERE event_id = %(id)s)
        UPDATE events e SET
            report_count = left_.n,
            first_article_id = CASE
                WHEN EXISTS (SELECT 1 FROM event_articles ea WHERE ea.event_id = e.id
                             AND ea.article_id = e.first_article_id) THEN e.first_article_id
                ELSE COALESCE(left_.first_id, e.first_article_id) END,
            state = CASE WHEN left_.n = 0
                THEN COALESCE(%(state)s::jsonb, e.state) || jsonb_build_object(
                     'retracted', jsonb_build_object('at', now(), 'reason', %(reason)s::text))
                ELSE COALESCE(%(state)s::jsonb, e.state) - 'retracted' END
        FROM left_
        WHERE e.id = %(id)s
        RETURNING e.report_count
        """,
        {"id": event_id, "state": Jsonb(state) if state is not None else None, "reason": reason},
    )
    row = await cur.fetchone()
    return int(row[0]) if row else 0


# --- reading: alerts and the bot ------------------------------------------------------------------


async def latest_events(conn: AsyncConnection, sector: str | None, limit: int) -> list[EventLine]:
    async with conn.cursor(row_factory=class_row(EventLine)) as cur:
        await cur.execute(
            """
            SELECT id, headline, sectors, actions, first_seen_at, last_seen_at, report_count
            FROM events WHERE %(sector)s::text IS NULL OR %(sector)s = ANY(sectors)
            ORDER BY first_seen_at DESC LIMIT %(limit)s
            """,
            {"sector": sector, "limit": limit},
        )
        return await cur.fetchall()


async def get_event(conn: AsyncConnection, event_id: str) -> EventLine | None:
    async with conn.cursor(row_factory=class_row(EventLine)) as cur:
        await cur.execute(
            "SELECT id, headline, sectors, actions, first_seen_at, last_seen_at, report_count"
            " FROM events WHERE id = %s",
            (event_id,),
        )
        return await cur.fetchone()


async def get_event_by_command(conn: AsyncConnection, code: str) -> EventLine | None:
    """The event a tappable `/event_<code>` names: its id with '-' written as '_' (Telegram
    commands allow only letters, digits and '_'); the newest if two ids ever read the same."""
    async with conn.cursor(row_factory=class_row(EventLine)) as cur:
        await cur.execute(
            "SELECT id, headline, sectors, actions, first_seen_at, last_seen_at, report_count"
            " FROM events WHERE translate(id, '-', '_') = %s"
            " ORDER BY first_seen_at DESC LIMIT 1",
            (code,),
        )
        return await cur.fetchone()


async def event_reports(
    conn: AsyncConnection, event_id: str, newest_first: bool = True
) -> list[Report]:
    order = "DESC" if newest_first else "ASC"
    async with conn.cursor(row_factory=class_row(Report)) as cur:
        await cur.execute(
            f"""
            SELECT a.id AS article_id, a.source_key, COALESCE(s.name, a.source_key) AS source_name,
                   COALESCE(s.tier, 'media') AS tier, a.title, a.url, a.published_at,
                   a.first_seen_at
            FROM event_articles ea JOIN articles a ON a.id = ea.article_id
            LEFT JOIN sources s ON s.key = a.source_key
            WHERE ea.event_id = %s
            ORDER BY COALESCE(a.published_at, a.first_seen_at) {order}, a.id {order}
            """,
            (event_id,),
        )
        return await cur.fetchall()


# --- reading: analysts (views) --------------------------------------------------------------------


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
    clauses: list[str] = ["true"]
    params: dict[str, Any] = {}
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


@dataclass(frozen=True)
class EventFilter:
    """Which events a listing shows; sectors/actions/sources/tiers: any of those given."""

    sectors: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # a report from one of these source keys
    tiers: tuple[str, ...] = ()  # a report from a source of one of these tiers
    since: datetime | None = None  # first seen at or after
    until: datetime | None = None  # first seen before


async def filter_events(
    conn: AsyncConnection, wanted: EventFilter, *, limit: int = 50, offset: int = 0
) -> list[EventSummary]:
    """One page of events, newest first (the web console). The page is chosen on the events
    table alone (events_first_seen index); only its rows go through v_events' per-event
    aggregates."""
    where, params = _event_filters(wanted.sectors, wanted.actions, wanted.since, wanted.until)
    if wanted.sources or wanted.tiers:
        report = ["ea.event_id = events.id"]
        if wanted.sources:
            report.append("a.source_key = ANY(%(sources)s)")
            params["sources"] = list(wanted.sources)
        if wanted.tiers:
            report.append(
                "EXISTS (SELECT 1 FROM sources s WHERE s.key = a.source_key"
                " AND s.tier = ANY(%(tiers)s))"
            )
            params["tiers"] = list(wanted.tiers)
        where += (
            " AND EXISTS (SELECT 1 FROM event_articles ea JOIN articles a ON a.id = ea.article_id"
            f" WHERE {' AND '.join(report)})"
        )
    params.update(limit=limit, offset=offset)
    columns = ", ".join(f"v.{name}" for name in EventSummary.__dataclass_fields__)
    async with conn.cursor(row_factory=class_row(EventSummary)) as cur:
        await cur.execute(
            f"""
            WITH page AS MATERIALIZED (
                SELECT id, first_seen_at FROM events WHERE {where}
                ORDER BY first_seen_at DESC, id LIMIT %(limit)s OFFSET %(offset)s)
            SELECT {columns} FROM page JOIN v_events v ON v.event_id = page.id
            ORDER BY page.first_seen_at DESC, page.id""",
            params,
        )
        return await cur.fetchall()


async def event_evidence(conn: AsyncConnection, event_id: str) -> list[ReportEvidence]:
    """The detections of the event's reports, first report first."""
    cur = await conn.execute(
        """
        SELECT d.article_id, d.score, d.actors, d.figures, d.evidence
        FROM event_articles ea JOIN detections d ON d.article_id = ea.article_id
        JOIN articles a ON a.id = ea.article_id
        WHERE ea.event_id = %s
        ORDER BY coalesce(a.published_at, a.first_seen_at), a.id""",
        (event_id,),
    )
    return [
        ReportEvidence(
            article_id,
            float(score),
            list(actors),
            list(figures),
            tuple(
                Evidence(e.get("field", "text"), e.get("sentence", ""), tuple(e.get("terms", ())))
                for e in evidence or ()
                if isinstance(e, dict)
            ),
        )
        for article_id, score, actors, figures, evidence in await cur.fetchall()
    ]


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
