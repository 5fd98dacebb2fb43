"""`capwatch quotes ...` and `capwatch study`: the futures around detected actions."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Annotated

import typer

from capwatch.cli_common import settings, split_keys, with_connection
from capwatch.cli_vocab import check_actions, check_sectors
from core.errors import UnavailableError
from core.tz import BEIJING

DailyCounts = list[tuple[str, date, int]]
MinuteCounts = dict[str, tuple[datetime, int]]

quotes_app = typer.Typer(
    help="Futures quotes of the sectors' contracts (detection/contracts.toml).",
    no_args_is_help=True,
)


@quotes_app.command("fetch")
def fetch(
    symbols: Annotated[
        str | None, typer.Option("--symbols", help="Only these series, e.g. PS0,SI0.")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="Another host for Sina's endpoint (a mirror, a replay).")
    ] = None,
    minutes: Annotated[
        bool | None,
        typer.Option(
            "--minutes/--no-minutes",
            help="Also fetch the one-minute bars (default: CAPWATCH_QUOTES_INTRADAY).",
        ),
    ] = None,
) -> None:
    """Fetch and store the daily bars (the whole history each time: also the backfill) and
    the newest one-minute bars (two to three trading days of them)."""

    from capwatch.database import connection_pool
    from market.fetch import fetch_minutes, fetch_quotes

    config = settings()
    wanted = split_keys(symbols)
    base = base_url or config.quotes_base_url
    intraday = config.quotes_intraday if minutes is None else minutes

    async def main() -> None:
        async with connection_pool(config) as pool:
            result = await fetch_quotes(pool, wanted, base_url=base)
            per_minute = (
                await fetch_minutes(
                    pool, wanted, base_url=base, keep_days=config.quotes_minute_days
                )
                if intraday
                else None
            )
        for symbol, count in sorted(result.stored.items()):
            typer.echo(f"{symbol:5} {count} bar(s) stored")
        for symbol, why in sorted(result.failed.items()):
            typer.echo(f"{symbol:5} FAILED: {why}")
        if per_minute is not None:
            for symbol, count in sorted(per_minute.stored.items()):
                typer.echo(f"{symbol:5} {count} new minute bar(s) stored")
            for symbol, why in sorted(per_minute.failed.items()):
                typer.echo(f"{symbol:5} minutes FAILED: {why}")
        if result.failed and not result.stored:
            raise UnavailableError("no quotes could be fetched (network? see the reasons above)")

    asyncio.run(main())


@quotes_app.command("list")
def list_quotes() -> None:
    """Each stored series: its newest day and how many bars (and minute bars, newest minute)."""
    from psycopg import AsyncConnection

    from db.quotes import latest_days, minute_counts
    from detection.contracts import book

    async def read(conn: AsyncConnection) -> tuple[DailyCounts, MinuteCounts]:
        return await latest_days(conn), await minute_counts(conn)

    rows, per_minute = with_connection(read)
    if not rows and not per_minute:
        typer.echo("no quotes stored yet: run `capwatch quotes fetch`")
        return
    for symbol in sorted({s for s, _, _ in rows} | set(per_minute)):
        daily = next(((d, n) for s, d, n in rows if s == symbol), None)
        contract = book().by_main(symbol)
        name = f"{contract.en} {contract.zh} ({contract.exchange})" if contract else ""
        days = f"{daily[0]}  {daily[1]:5} bars" if daily else f"{'-':10}  {0:5} bars"
        minute = per_minute.get(symbol)
        mins = (
            f"{minute[1]:6} minutes to {minute[0].astimezone(BEIJING):%m-%d %H:%M}"
            if minute
            else f"{0:6} minutes{'':15}"
        )
        typer.echo(f"{symbol:5} {days}  {mins}  {name}")


@quotes_app.command("contracts")
def contracts() -> None:
    """Which contracts each sector's events are measured on (sectors without any say so)."""
    from detection.contracts import book
    from detection.vocabulary import label

    for sector, codes in sorted(book().by_sector.items()):
        names = ", ".join(f"{c} ({book().contracts[c].exchange})" for c in codes)
        typer.echo(f"{label(sector, 'sector')}: {names or 'no listed future'}")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:+.2f}%"


def study(
    sector: Annotated[
        list[str] | None,
        typer.Option(help="Only events of this sector (slug or name).", callback=check_sectors),
    ] = None,
    action: Annotated[
        list[str] | None,
        typer.Option(help="Only this kind of action (slug or name).", callback=check_actions),
    ] = None,
) -> None:
    """Event study: per kind of action, how many events and the mean / median move of the
    sector's main contract 1, 3 and 5 trading days after the first report (close to close),
    against the same horizons over all days of the series (the baseline)."""
    from detection.vocabulary import label
    from market.study import event_study

    rows = with_connection(
        lambda conn: event_study(conn, sector[0] if sector else None, action[0] if action else None)
    )
    if not rows:
        typer.echo("no events with quotes: run `capwatch quotes fetch` (and wait for events)")
        return
    typer.echo("moves close to close after the first report; baseline = all days of the series")
    for row in rows:
        typer.echo(f"\n{label(row.action, 'action')} · {row.symbol} · {row.events} event(s)")
        for days in (1, 3, 5):
            pending = f"  ({row.pending[days]} pending)" if row.pending[days] else ""
            if row.no_data.get(days):
                pending += f"  ({row.no_data[days]} no data)"
            typer.echo(
                f"  +{days}d  mean {_pct(row.mean[days]):>8}  median {_pct(row.median[days]):>8}"
                f"  baseline {_pct(row.baseline_mean[days]):>8}{pending}"
            )


def register(app: typer.Typer) -> None:
    app.add_typer(quotes_app, name="quotes")
    app.command("study")(study)
