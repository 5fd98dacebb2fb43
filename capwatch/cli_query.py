"""`capwatch search / events / event / export`: the archive, for people and their tools."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from psycopg import AsyncConnection

from capwatch.cli_common import when_option, with_connection

if TYPE_CHECKING:
    from db.models import EventTimeline
from capwatch.cli_vocab import (
    check_actions,
    check_langs,
    check_sectors,
    check_sources,
    check_tiers,
)


class SearchFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


class ExportKind(StrEnum):
    events = "events"
    articles = "articles"


class SortOrder(StrEnum):
    rank = "rank"
    newest = "newest"


SEARCH_CSV = [
    "article_id", "article_time", "source_key", "source_name", "source_tier", "lang", "title",
    "url", "relevant", "score", "sectors", "actions", "event_id", "rank", "snippet",
]  # fmt: skip
EVENT_CSV = [
    "event_id", "first_seen_at", "last_seen_at", "headline", "sectors", "actions", "actors",
    "reports", "source_names", "first_source_name", "first_url",
]  # fmt: skip

Since = Annotated[
    str | None,
    typer.Option(help="From this time: 2026-06-01 (Asia/Shanghai), an ISO time, or 7d/12h/2w/3m."),
]
Until = Annotated[str | None, typer.Option(help="Before this time (same forms as --since).")]
Sectors = Annotated[
    list[str] | None,
    typer.Option(
        "--sector",
        help="Sector slug or name, e.g. pv_glass or 光伏玻璃 (repeat); see `capwatch vocab`.",
        callback=check_sectors,
    ),
]
Actions = Annotated[
    list[str] | None,
    typer.Option(
        "--action",
        help="Action slug or name, e.g. production_cut or 减产 (repeat); see `capwatch vocab`.",
        callback=check_actions,
    ),
]


_run = with_connection


def _query_text(words: list[str]) -> str:
    """Shell words back into a query; a word the shell kept whole with spaces is a phrase."""
    return " ".join(f'"{w}"' if len(w.split()) > 1 else w for w in words)


def search(
    query: Annotated[list[str], typer.Argument(help="Words, all of which must appear.")],
    sector: Sectors = None,
    action: Actions = None,
    source: Annotated[
        list[str] | None, typer.Option(help="Source key (repeat).", callback=check_sources)
    ] = None,
    tier: Annotated[
        list[str] | None,
        typer.Option(help="official | association | wire | media (repeat).", callback=check_tiers),
    ] = None,
    lang: Annotated[
        list[str] | None, typer.Option(help="zh | en (repeat).", callback=check_langs)
    ] = None,
    since: Since = None,
    until: Until = None,
    relevant: Annotated[
        bool, typer.Option("--relevant", "-r", help="Only articles the detector kept.")
    ] = False,
    event: Annotated[str | None, typer.Option(help="Only reports of this event id.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    sort: Annotated[
        SortOrder, typer.Option(help="rank (default) or newest first.")
    ] = SortOrder.rank,
    fmt: Annotated[SearchFormat, typer.Option("--format", "-f")] = SearchFormat.table,
) -> None:
    """Search stored articles (Chinese or English, substring, words AND-ed), best first."""
    from capwatch import query_format as out
    from db.search import SearchQuery, search_articles

    if not any(word.strip().strip('"').strip() for word in query):
        raise typer.BadParameter(
            "nothing to search for: give at least one word (to list without words: "
            "`capwatch events` or `capwatch export --kind articles`)",
            param_hint="WORDS",
        )
    q = SearchQuery(
        text=_query_text(query), sectors=tuple(sector or ()), actions=tuple(action or ()),
        sources=tuple(source or ()), tiers=tuple(tier or ()), langs=tuple(lang or ()),
        since=when_option(since), until=when_option(until), relevant_only=relevant, event_id=event,
        limit=limit, offset=offset, sort=sort.value,
    )  # fmt: skip
    hits = _run(lambda conn: search_articles(conn, q))
    if fmt is SearchFormat.json:
        out.write_json([h.to_dict() for h in hits], sys.stdout)
    elif fmt is SearchFormat.csv:
        out.write_csv([h.to_dict() for h in hits], SEARCH_CSV, sys.stdout)
    elif not hits:
        typer.echo("no matching articles", err=True)
    else:
        out.print_hits(hits)


def events(
    sector: Sectors = None,
    action: Actions = None,
    since: Since = None,
    until: Until = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    fmt: Annotated[SearchFormat, typer.Option("--format", "-f")] = SearchFormat.table,
) -> None:
    """List events, newest first: first seen, sector, action, headline, reports, sources."""
    from capwatch import query_format as out
    from db.events import list_events

    found = _run(
        lambda conn: list_events(
            conn, sectors=tuple(sector or ()), actions=tuple(action or ()),
            since=when_option(since), until=when_option(until), limit=limit,
        )
    )  # fmt: skip
    rows = [vars(e) for e in found]
    if fmt is SearchFormat.json:
        out.write_json(rows, sys.stdout)
    elif fmt is SearchFormat.csv:
        out.write_csv(rows, EVENT_CSV, sys.stdout)
    elif not found:
        typer.echo("no events", err=True)
    else:
        out.print_events(found)


def event(
    event_id: Annotated[str, typer.Argument(help="The event id (or a unique prefix of it).")],
    fmt: Annotated[SearchFormat, typer.Option("--format", "-f")] = SearchFormat.table,
) -> None:
    """One event's timeline: every report with source and time, first report first."""
    from capwatch import query_format as out
    from db.events import event_timeline, resolve_event_id

    async def work(conn: AsyncConnection) -> list[str] | EventTimeline | None:
        ids = await resolve_event_id(conn, event_id)
        if len(ids) != 1:
            return ids
        return await event_timeline(conn, ids[0])

    found = _run(work)
    if found is None or isinstance(found, list):
        if not found:
            typer.echo(f"no event {event_id!r}", err=True)
        else:
            typer.echo(f"{event_id!r} is ambiguous: " + ", ".join(found), err=True)
        raise typer.Exit(1)
    reports = [vars(r) for r in found.reports]
    if fmt is SearchFormat.json:
        out.write_json([{**vars(found.event), "timeline": reports}], sys.stdout)
    elif fmt is SearchFormat.csv:
        out.write_csv(reports, list(reports[0]) if reports else ["report_no"], sys.stdout)
    else:
        out.print_timeline(found)
        _print_market(found)


def _print_market(found: EventTimeline) -> None:
    """The sectors' contracts 10 trading days either side of the first report."""
    from market.study import event_windows, window_lines

    first = found.event.first_report_at or found.event.first_seen_at
    windows = _run(lambda conn: event_windows(conn, list(found.event.sectors), first))
    if windows:
        typer.echo("\nMarket (main-continuous futures, daily closes):")
        for line in window_lines(windows):
            typer.echo("  " + line)


def export(
    since: Since = None,
    until: Until = None,
    kind: Annotated[ExportKind, typer.Option(help="events, or articles.")] = ExportKind.events,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.jsonl,
    relevant: Annotated[
        bool, typer.Option("--relevant", "-r", help="articles: only those the detector kept.")
    ] = False,
    with_body: Annotated[bool, typer.Option(help="articles: include the full text.")] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout).")
    ] = None,
) -> None:
    """Export events or articles, oldest first, as JSON lines or CSV for your own tools."""
    from capwatch import query_format as out
    from db.events import EXPORT_COLUMNS, export_rows

    columns = EXPORT_COLUMNS[kind.value] + (
        ["body"] if with_body and kind.value == "articles" else []
    )
    target = output.open("w", encoding="utf-8", newline="") if output else sys.stdout

    async def work(conn: AsyncConnection) -> int:
        rows = export_rows(conn, kind.value, when_option(since), when_option(until),
                           relevant_only=relevant, with_body=with_body)  # fmt: skip
        count = 0
        writer = out.csv_writer(target, columns) if fmt is ExportFormat.csv else None
        async for row in rows:
            if writer is None:
                out.write_jsonl([row], target)
            else:
                writer.writerow({k: out.to_csv_value(row.get(k)) for k in columns})
            count += 1
        return count

    try:
        count = _run(work)
    finally:
        if output:
            target.close()
    typer.echo(f"exported {count} {kind.value}", err=True)


def register(app: typer.Typer) -> None:
    """Adds this concern's commands to the `capwatch` app."""
    app.command()(search)
    app.command()(events)
    app.command()(event)
    app.command()(export)
