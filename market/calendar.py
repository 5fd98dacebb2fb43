"""China's futures trading days: weekdays that are not exchange holidays.

The exchanges close for the State Council's public holidays (and the weekend days swapped to
work days around them stay closed for trading). HOLIDAYS lists the closed weekdays of the years
capwatch covers; a year not listed falls back to weekdays only, and the stored bars (the days a
series actually traded) always win over this list where they exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta


def _span(first: str, last: str) -> set[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return {start + timedelta(days=n) for n in range((end - start).days + 1)}


# closed days from the exchanges' holiday notices (weekends inside a span are harmless)
HOLIDAYS: frozenset[date] = frozenset(
    set()
    | _span("2025-01-01", "2025-01-01")
    | _span("2025-01-28", "2025-02-04")
    | _span("2025-04-04", "2025-04-04")
    | _span("2025-05-01", "2025-05-05")
    | _span("2025-06-02", "2025-06-02")
    | _span("2025-10-01", "2025-10-08")
    | _span("2026-01-01", "2026-01-02")
    | _span("2026-02-16", "2026-02-23")
    | _span("2026-04-06", "2026-04-06")
    | _span("2026-05-01", "2026-05-05")
    | _span("2026-06-19", "2026-06-19")
    | _span("2026-09-25", "2026-09-25")
    | _span("2026-10-01", "2026-10-07")
)
COVERED_YEARS = frozenset({2025, 2026})


def is_trading_day(day: date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


class Calendar:
    """Trading days: the observed ones (bars stored) where known, the rule elsewhere."""

    def __init__(self, observed: Iterable[date] = ()) -> None:
        self.observed = frozenset(observed)
        self.first = min(self.observed) if self.observed else None
        self.last = max(self.observed) if self.observed else None

    def trades(self, day: date) -> bool:
        if self.first is not None and self.last is not None and self.first <= day <= self.last:
            return day in self.observed
        return is_trading_day(day)

    def next_days(self, day: date, count: int) -> list[date]:
        """The `count` trading days after `day` (not including it)."""
        out: list[date] = []
        current = day
        while len(out) < count:
            current += timedelta(days=1)
            if self.trades(current):
                out.append(current)
        return out

    def previous_days(self, day: date, count: int) -> list[date]:
        """The `count` trading days before `day` (not including it), oldest first."""
        out: list[date] = []
        current = day
        while len(out) < count:
            current -= timedelta(days=1)
            if self.trades(current):
                out.append(current)
        return list(reversed(out))
