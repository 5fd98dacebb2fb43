"""The event study and the event window, read from the database (market/moves.py computes)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from psycopg import AsyncConnection

from core.tz import BEIJING
from db import quotes
from db.models import QuoteBar
from detection.contracts import book
from market.calendar import Calendar
from market.moves import HORIZONS, Move, StudyRow, move_after, sparkline, study, window


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
    # each series and the calendar read once, however many kinds of action share them
    series = {symbol: await quotes.bars(conn, symbol) for symbol in {s for _, s in groups}}
    stored = [bars for bars in series.values() if bars]
    if not stored:
        return []
    first, last = min(b[0].day for b in stored), max(b[-1].day for b in stored)
    calendar = await calendar_for(conn, first, last)
    return [
        study(kind, symbol, series[symbol], moments, calendar)
        for (kind, symbol), moments in sorted(groups.items())
        if series[symbol]
    ]


@dataclass(frozen=True)
class ContractWindow:
    symbol: str
    label: str
    bars: list[QuoteBar]
    reference: date  # the last close before the first report: the chart's mark
    moves: tuple[Move, ...] = ()  # 1, 3 and 5 trading days after the reference (HORIZONS)


async def event_windows(
    conn: AsyncConnection, sectors: list[str], first_report: datetime, days: int = 10
) -> list[ContractWindow]:
    """The sectors' contracts from `days` trading days before the first report to after it."""
    out = []
    local_day = first_report.astimezone(BEIJING).date()
    start = local_day - timedelta(days=days * 2 + 20)
    end = local_day + timedelta(days=days * 2 + 20)
    calendar = await calendar_for(conn, start, end)
    for contract in book().for_sectors(sectors)[:3]:
        bars = await quotes.bars(conn, contract.main, since=start, until=end)
        if bars:
            shown, ref = window(bars, first_report, calendar, days, days)
            label = contract.label()
            moves = tuple(
                move_after(contract.main, label, bars, first_report, n, calendar) for n in HORIZONS
            )
            out.append(ContractWindow(contract.main, label, shown, ref, moves))
    return out


def window_lines(windows: list[ContractWindow]) -> list[str]:
    """The windows as text: a sparkline per contract with the report marked, and the moves
    1, 3 and 5 trading days after (close to close from the mark)."""
    lines = []
    for item in windows:
        closes = [bar.close for bar in item.bars]
        before = sum(1 for bar in item.bars if bar.day <= item.reference)
        spark = sparkline(closes)
        chart = spark[:before] + "│" + spark[before:]
        moves = [f"+{n}d {m.figure()}" for n, m in zip(HORIZONS, item.moves, strict=False)]
        first = item.bars[0].day if item.bars else item.reference
        last = item.bars[-1].day if item.bars else item.reference
        lines.append(
            f"{item.label:8} {chart}  {first:%m-%d}…{last:%m-%d}, │ = close before the report"
            f" ({item.reference:%m-%d})"
        )
        lines.append(f"{'':8} " + "  ".join(moves))
    return lines
