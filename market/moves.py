"""What a contract did around a report: the move in an alert, the window on an event page and
the event study. Every move is close-to-close on the main-continuous series, except the alert's
move during a session: the price of the minute at (or just before) the alert against the
previous close.

The reference is the last close known BEFORE the report: a report during or before a session
is measured from the previous trading day's close; one after the close (15:00 Beijing) from
that day's close. Day N after the report is the N-th trading day after the reference day. A
day not traded yet is "pending", never 0%.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from core.tz import BEIJING
from db.models import MinuteBar, QuoteBar
from market.calendar import Calendar
from market.sina import SESSION_CLOSE

HORIZONS = (1, 3, 5)
NIGHT_FROM = time(18, 0)  # a minute from here on trades for the next trading day (night session)
NIGHT_UNTIL = time(6, 0)  # ... and so does one after midnight, until here


@dataclass(frozen=True)
class Move:
    """One contract's move from a reference close to a later close (or pending)."""

    symbol: str
    label: str
    change: float | None  # fraction: 0.042 = +4.2%; None = pending or no data
    since: date | None
    until: date | None
    final: bool = True  # False: the later bar is the session so far
    missing: str = "pending"  # why change is None: "pending" (not traded yet) or "no data"
    at: datetime | None = None  # the minute whose price the move is (intraday), else None

    def text(self) -> str:
        return f"{self.label} {self.figure()}"

    def figure(self) -> str:
        """The move as shown: +4.2%, −1.0%, or why there is none (pending, no data), never 0%."""
        if self.change is None:
            return self.missing
        sign = "+" if self.change >= 0 else "−"
        return f"{sign}{abs(self.change) * 100:.1f}%"


def reference_day(at: datetime, calendar: Calendar) -> date:
    """The trading day whose close is the last one known at `at`."""
    local = at.astimezone(BEIJING)
    if calendar.trades(local.date()) and local.time() >= SESSION_CLOSE:
        return local.date()
    return calendar.previous_days(local.date(), 1)[0]


def _by_day(bars: Iterable[QuoteBar]) -> dict[date, QuoteBar]:
    return {bar.day: bar for bar in bars}


def session_day(moment: datetime, calendar: Calendar) -> date:
    """The trading day a minute trades for: the night session (21:00 to 02:30 at the latest)
    counts for the next trading day, the day session (09:00-15:00) for its own date."""
    local = moment.astimezone(BEIJING)
    if local.time() >= NIGHT_FROM:
        return calendar.next_days(local.date(), 1)[0]
    if local.time() < NIGHT_UNTIL:
        return calendar.next_days(local.date() - timedelta(days=1), 1)[0]
    return local.date()


def move_at_alert(
    symbol: str, label: str, bars: Sequence[QuoteBar], at: datetime,
    minute: MinuteBar | None = None, calendar: Calendar | None = None,
) -> Move:  # fmt: skip
    """The move since the previous close as known at `at`.

    With a minute bar at or before `at` from the session under way: its price against the last
    final close before that session. Otherwise (no minute bars, the minute fetch failing, or
    the session closed with its close stored) the newest daily bar on or before the alert's
    day against the bar before it (the session so far when it is not final)."""
    local_day = at.astimezone(BEIJING).date()
    usable = [bar for bar in bars if bar.day <= local_day]
    if len(usable) < 2:
        daily = Move(symbol, label, None, None, None, missing="no data")
    else:
        last, previous = usable[-1], usable[-2]
        daily = Move(
            symbol, label, last.close / previous.close - 1, previous.day, last.day, last.final
        )
    if minute is None or minute.at > at:
        return daily
    day = session_day(minute.at, calendar or Calendar())
    if usable and usable[-1].day > day:
        return daily  # the minute is older than the newest daily bar: a stale minute
    closed = at >= datetime.combine(day, SESSION_CLOSE, BEIJING)
    if closed and any(bar.day == day and bar.final for bar in usable):
        return daily  # the session closed and its close is stored: the close is the figure
    closes = [bar for bar in bars if bar.day < day and bar.final]
    if not closes:
        return daily
    previous = closes[-1]
    change = minute.close / previous.close - 1
    return Move(symbol, label, change, previous.day, day, final=False, at=minute.at)


def move_after(
    symbol: str, label: str, bars: Sequence[QuoteBar], at: datetime, days: int,
    calendar: Calendar,
) -> Move:  # fmt: skip
    """The move from the last close before `at` to the close `days` trading days later."""
    by_day = _by_day(bars)
    ref = reference_day(at, calendar)
    target = calendar.next_days(ref, days)[-1]
    start, end = by_day.get(ref), by_day.get(target)
    newest = max(by_day) if by_day else None
    if newest is None:
        return Move(symbol, label, None, ref, target, missing="no data")
    # a day after the newest stored bar has not been fetched (or traded) yet: pending; a day
    # inside the stored span that the series lacks is a gap: no data
    if start is None:
        gone = "no data" if newest > ref else "pending"
        return Move(symbol, label, None, ref, target, missing=gone)
    if end is None:
        gone = "no data" if newest > target else "pending"
        return Move(symbol, label, None, ref, target, missing=gone)
    if not end.final or not start.final:
        return Move(symbol, label, None, ref, target)
    return Move(symbol, label, end.close / start.close - 1, ref, target)


def window(
    bars: Sequence[QuoteBar], at: datetime, calendar: Calendar, before: int = 10, after: int = 10
) -> tuple[list[QuoteBar], date]:
    """The bars from `before` trading days before the report to `after` days after, and the
    reference day (the last close before the report) to mark on a chart."""
    ref = reference_day(at, calendar)
    first = calendar.previous_days(ref, before)[0] if before else ref
    last = calendar.next_days(ref, after)[-1] if after else ref
    return [bar for bar in bars if first <= bar.day <= last], ref


def sparkline(values: Sequence[float]) -> str:
    """A one-line chart for terminals and Telegram."""
    marks = "▁▂▃▄▅▆▇█"
    if not values:
        return ""
    low, high = min(values), max(values)
    span = high - low or 1.0
    return "".join(marks[min(7, int((v - low) / span * 7.999))] for v in values)


@dataclass(frozen=True)
class StudyRow:
    """One kind of action on one contract: how the contract moved after its events, against
    the same horizons over every trading day of the series (the baseline)."""

    action: str
    symbol: str
    events: int
    mean: dict[int, float | None]
    median: dict[int, float | None]
    pending: dict[int, int]  # events whose horizon has not traded yet
    baseline_mean: dict[int, float | None]
    no_data: dict[int, int] = field(default_factory=dict)  # events the series has a gap at


def _stats(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return statistics.fmean(values), statistics.median(values)


def baseline(bars: Sequence[QuoteBar], days: int) -> float | None:
    """The mean `days`-day close-to-close move over every final bar of the series."""
    closes = [bar.close for bar in bars if bar.final]
    moves = [closes[i + days] / closes[i] - 1 for i in range(len(closes) - days)]
    return statistics.fmean(moves) if moves else None


def study(
    action: str, symbol: str, bars: Sequence[QuoteBar], first_reports: Sequence[datetime],
    calendar: Calendar,
) -> StudyRow:  # fmt: skip
    mean: dict[int, float | None] = {}
    median: dict[int, float | None] = {}
    pending: dict[int, int] = {}
    base: dict[int, float | None] = {}
    gaps: dict[int, int] = {}
    for days in HORIZONS:
        moves = [move_after(symbol, symbol, bars, at, days, calendar) for at in first_reports]
        known = [m.change for m in moves if m.change is not None]
        mean[days], median[days] = _stats(known)
        pending[days] = sum(1 for m in moves if m.change is None and m.missing == "pending")
        gaps[days] = sum(1 for m in moves if m.change is None and m.missing != "pending")
        base[days] = baseline(bars, days)
    return StudyRow(action, symbol, len(first_reports), mean, median, pending, base, gaps)
