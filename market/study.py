"""The event study and the event window, read from the database (market/moves.py computes)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from psycopg import AsyncConnection

from db import quotes
from db.models import QuoteBar
from detection.contracts import book
from market.calendar import Calendar
from market.moves import StudyRow, study, window


async def calendar_for(conn: AsyncConnection, since: date, until: date) -> Calendar:
    """The observed trading days (any stored series) in the span, the rule outside it."""
    return Calendar(await quotes.trading_days(conn, since, until))


async def event_study(
    conn: AsyncConnection, sector: str | None = None, action: str | None = None
) -> list[StudyRow]:
    """Per kind of action: its events' moves of the sector's first (most direct) contract."""
    events = await quotes.study_events(conn, sector, action)
    groups: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for _event_id, sectors, actions, first_report in events:
        chosen = [sector] if sector else sectors
        contracts = book().for_sectors(chosen)
        if not contracts:
            continue
        for kind in [action] if action else actions:
            groups[(kind, contracts[0].main)].append(first_report)
    rows = []
    for (kind, symbol), moments in sorted(groups.items()):
        bars = await quotes.bars(conn, symbol)
        if not bars:
            continue
        calendar = Calendar(await quotes.trading_days(conn, bars[0].day, bars[-1].day))
        rows.append(study(kind, symbol, bars, moments, calendar))
    return rows


@dataclass(frozen=True)
class ContractWindow:
    symbol: str
    label: str
    bars: list[QuoteBar]
    reference: date  # the last close before the first report: the chart's mark


async def event_windows(
    conn: AsyncConnection, sectors: list[str], first_report: datetime, days: int = 10
) -> list[ContractWindow]:
    """The sectors' contracts from `days` trading days before the first report to after it."""
    out = []
    start = first_report.date() - timedelta(days=days * 2 + 20)
    end = first_report.date() + timedelta(days=days * 2 + 20)
    calendar = await calendar_for(conn, start, end)
    for contract in book().for_sectors(sectors)[:3]:
        bars = await quotes.bars(conn, contract.main, since=start, until=end)
        if bars:
            shown, ref = window(bars, first_report, calendar, days, days)
            out.append(ContractWindow(contract.main, contract.label(), shown, ref))
    return out


def window_lines(windows: list[ContractWindow]) -> list[str]:
    """The windows as text: a sparkline per contract with the report marked, and the moves
    1, 3 and 5 trading days after (close to close from the mark)."""
    from market.moves import sparkline

    lines = []
    for item in windows:
        closes = [bar.close for bar in item.bars]
        before = sum(1 for bar in item.bars if bar.day <= item.reference)
        spark = sparkline(closes)
        chart = spark[:before] + "│" + spark[before:]
        by_day = {bar.day: bar for bar in item.bars}
        start = by_day.get(item.reference)
        after = [bar for bar in item.bars if bar.day > item.reference and bar.final]
        moves = []
        for days in (1, 3, 5):
            if start is None or len(after) < days:
                moves.append(f"+{days}d pending")
            else:
                moves.append(f"+{days}d {(after[days - 1].close / start.close - 1) * 100:+.1f}%")
        first = item.bars[0].day if item.bars else item.reference
        last = item.bars[-1].day if item.bars else item.reference
        lines.append(
            f"{item.label:8} {chart}  {first:%m-%d}…{last:%m-%d}, │ = close before the report"
            f" ({item.reference:%m-%d})"
        )
        lines.append(f"{'':8} " + "  ".join(moves))
    return lines
