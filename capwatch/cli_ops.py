"""`capwatch status / backfill / scrapyd deploy`: operations."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from capwatch import cli_common
from capwatch.settings import Settings
from core.errors import UserError

scrapyd_app = typer.Typer(help="Scale-out on Scrapyd nodes.", no_args_is_help=True)
_STATE_STYLE = {
    "ok": "green",
    "degraded": "yellow",
    "failing": "bold red",
    "stale": "red",
    "new": "cyan",
    "disabled": "dim",
}


def _ago(value: str | None) -> str:
    if not value:
        return "-"
    seconds = (datetime.now(UTC) - datetime.fromisoformat(value)).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit} ago"
    return f"{max(seconds, 0):.0f}s ago"


async def _report(settings: Settings) -> dict[str, Any]:

    from capwatch.database import connection_pool
    from crawlers.sources import load_sources
    from market.fetch import with_quotes
    from scheduler.status import status_report

    async with connection_pool(settings) as pool:
        sources = with_quotes(
            load_sources(settings.sources_file),
            settings.quotes_enabled,
            settings.quotes_interval_minutes,
            settings.quotes_intraday,
        )
        return await status_report(pool, sources, settings.health_failures)


def _print_table(report: dict[str, Any]) -> None:
    from rich.console import Console

    console = Console()
    holder = report["scheduler"]
    if holder:
        console.print(f"scheduler: {holder['name']} ({holder['address']}) since {holder['since']}")
    else:
        console.print("scheduler: [bold red]no `capwatch run` holds this database[/]")
    from capwatch.query_format import wants_records

    if wants_records(console):  # a pipe or a narrow terminal: one line per source, nothing cut
        _print_source_lines(console, report["sources"])
    else:
        console.print(_status_table(report["sources"]))
    if report.get("network"):
        console.print(f"[bold red]{report['network']}[/]")
    outbox = report["outbox"]
    console.print(
        "alerts: " + (", ".join(f"{n} {status}" for status, n in sorted(outbox.items())) or "none")
    )


def _cover(h: dict[str, Any]) -> str:
    cover = h["coverage"]
    return "/".join(f"{cover[k]:.0%}" for k in ("title", "time", "body")) if cover else "-"


def _print_source_lines(console: Any, sources: list[dict[str, Any]]) -> None:
    from rich.markup import escape

    width = max((len(h["key"]) for h in sources), default=0)
    for h in sources:
        items = "-" if h["last_items"] is None else str(h["last_items"])
        usual = "" if h["usual_items"] is None else f" (usual {h['usual_items']:g})"
        new = "-" if h["last_new"] is None else str(h["last_new"])
        console.print(
            f"{escape(h['key']):<{width}}  [{_STATE_STYLE.get(h['state'], '')}]{h['state']:<8}[/]"
            f"  last {h['last_status'] or '-'} {_ago(h['last_run_at'])}"
            f"  ok {_ago(h['last_success_at'])}  fails {h['consecutive_failures']}"
            f"  items {items}{usual}  new {new} (last {_ago(h['last_new_at'])})"
            f"  t/t/b {_cover(h)}",
            soft_wrap=True,
        )
        if h["problems"]:
            console.print("    " + escape("; ".join(h["problems"])), soft_wrap=True)


def _status_table(sources: list[dict[str, Any]]) -> Any:
    from rich.table import Table

    table = Table(
        "source", "state", "last run", "last success", "fails", "items", "usual", "new",
        "last new", "coverage t/t/b", "problems",
    )  # fmt: skip
    for h in sources:
        table.add_row(
            h["key"],
            f"[{_STATE_STYLE.get(h['state'], '')}]{h['state']}[/]",
            f"{h['last_status'] or '-'} {_ago(h['last_run_at'])}",
            _ago(h["last_success_at"]),
            str(h["consecutive_failures"]),
            "-" if h["last_items"] is None else str(h["last_items"]),
            "-" if h["usual_items"] is None else f"{h['usual_items']:g}",
            "-" if h["last_new"] is None else str(h["last_new"]),
            _ago(h["last_new_at"]),
            _cover(h),
            "; ".join(h["problems"]),
        )
    return table


def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Show each source's health, who schedules this database, and the alert queue.

    Health: last success, items against the usual level, consecutive failures, field coverage
    (title/time/body) and staleness."""
    import asyncio

    settings = cli_common.settings()
    report = asyncio.run(_report(settings))
    if as_json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        _print_table(report)


def backfill(
    source: Annotated[str, typer.Argument(help="The source key, e.g. cls.")],
    since: Annotated[
        str,
        typer.Option(help="Walk back to: 2026-06-01 (Beijing), an ISO time, 7d/12h/2w/3m."),
    ],
    until: Annotated[
        str | None, typer.Option(help="Start from this date/time instead of now.")
    ] = None,
    timeout: Annotated[int, typer.Option(help="Stop the backfill after this many seconds.")] = 3600,
) -> None:
    """Crawl a source's history back to a date (sources whose API pages backwards: cls).

    What it stores is detected, and alerted, by the running service like any new article."""
    from capwatch.service import backfill_command, run_under_reactor
    from core.timeparse import parse_when

    try:  # the spider gets epoch seconds: --since reads the same forms as `search --since`
        start = str(int(parse_when(since).timestamp()))
        end = str(int(parse_when(until).timestamp())) if until else None
    except ValueError as exc:
        raise UserError(str(exc)) from None
    settings = cli_common.settings()
    code = run_under_reactor(lambda: backfill_command(settings, source, start, end, timeout))
    raise typer.Exit(code)


@scrapyd_app.command("deploy")
def scrapyd_deploy(
    url: Annotated[
        str | None, typer.Option(help="Node URL(s), comma-separated; default CAPWATCH_SCRAPYD_URL.")
    ] = None,
    version: Annotated[str | None, typer.Option(help="Version label; default a UTC time.")] = None,
    out: Annotated[Path, typer.Option(help="Where to write the egg.")] = Path("dist"),
) -> None:
    """Package the crawlers as an egg and upload it to every Scrapyd node (addversion.json)."""
    from scheduler.scrapyd_egg import deploy

    settings = cli_common.settings()
    nodes = [u.strip() for u in url.split(",")] if url else settings.scrapyd_nodes
    if not nodes:
        raise UserError("no node: pass --url or set CAPWATCH_SCRAPYD_URL")
    deployed = deploy(nodes, settings.scrapyd_project, out, version)
    typer.echo(f"deployed {settings.scrapyd_project} {deployed} to {len(nodes)} node(s)")


def register(app: typer.Typer) -> None:
    """Adds this concern's commands to the `capwatch` app."""
    app.command("status")(status)
    app.command("backfill")(backfill)
    app.add_typer(scrapyd_app, name="scrapyd")
