"""Contract rolls: moves are of the main-continuous series AS PUBLISHED (README, Market context).

When the main contract switches (here from SA2609 to SA2701 on Monday 2026-08-24, the new month
3% dearer), the main-continuous series SA0 switches with it; taken as unadjusted (Sina does not
document its stitching), its closes jump by the spread between the months that day, and its
volume and open interest are the new contract's. capwatch
neither adjusts nor drops that day, so a move measured across it holds the spread. These tests
pin that behaviour: a roll adjustment (or a roll day dropped as a gap) would change every figure
below and must come with a change of the README's statement.
"""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime

import pytest

from core.tz import BEIJING
from db.models import MinuteBar
from market.calendar import Calendar
from market.context import describe
from market.moves import baseline, move_after, move_at_alert, study, window
from market.sina import parse_daily

SPREAD = 1.03  # the new month over the old one on the roll day
OLD = [  # SA2609, the main contract until Friday 2026-08-21
    ("2026-08-17", 1500), ("2026-08-18", 1510), ("2026-08-19", 1505), ("2026-08-20", 1520),
    ("2026-08-21", 1530),
]  # fmt: skip
NEW = [  # SA2701 from Monday 2026-08-24: 1530 * 1.03 = 1575.9 on an unchanged market
    ("2026-08-24", 1576), ("2026-08-25", 1590), ("2026-08-26", 1585), ("2026-08-27", 1600),
    ("2026-08-28", 1610),
]  # fmt: skip
ROLL_DAY = date(2026, 8, 24)


def published() -> str:
    """SA0 as Sina's getDailyKLine writes it across the roll (numbers as strings)."""
    rows = []
    for n, (day, close) in enumerate(OLD + NEW):
        rolled = n >= len(OLD)
        rows.append({
            "d": day, "o": str(close), "h": str(close + 5), "l": str(close - 5), "c": str(close),
            "v": str(400_000 if rolled else 150_000), "p": str(900_000 if rolled else 300_000),
            "s": str(close),
        })  # fmt: skip
    return f"var _SA0=({json.dumps(rows)});"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


@pytest.fixture
def sa0():
    bars = parse_daily("SA0", published(), at("2026-08-31T09:00")).bars
    assert [b.day for b in bars][5] == ROLL_DAY and len(bars) == 10
    return bars


def test_a_move_across_the_roll_day_holds_the_spread(sa0):
    calendar = Calendar(b.day for b in sa0)
    report = at("2026-08-21T16:00")  # after Friday's close: +1d is the roll day
    one = move_after("SA0", "SA main", sa0, report, 1, calendar)
    assert one.since == date(2026, 8, 21) and one.until == ROLL_DAY
    assert one.change == pytest.approx(1576 / 1530 - 1)  # +3.0%: the published jump
    assert one.change != pytest.approx(1576 / (1530 * SPREAD) - 1, abs=1e-3)  # not adjusted
    assert one.figure() == "+3.0%"
    three = move_after("SA0", "SA main", sa0, report, 3, calendar)
    assert three.change == pytest.approx(1585 / 1530 - 1)


def test_moves_that_do_not_span_the_roll_are_the_contracts_own(sa0):
    calendar = Calendar(b.day for b in sa0)
    before = move_after("SA0", "SA main", sa0, at("2026-08-18T16:00"), 3, calendar)
    after = move_after("SA0", "SA main", sa0, at("2026-08-24T16:00"), 1, calendar)
    assert before.change == pytest.approx(1530 / 1510 - 1)  # SA2609 only
    assert after.change == pytest.approx(1590 / 1576 - 1)  # SA2701 only


def test_the_roll_day_is_an_ordinary_trading_day_not_a_gap(sa0):
    calendar = Calendar(b.day for b in sa0)
    assert calendar.trades(ROLL_DAY)
    assert calendar.next_days(date(2026, 8, 21), 1) == [ROLL_DAY]
    shown, ref = window(sa0, at("2026-08-24T10:00"), calendar, before=3, after=3)
    assert ref == date(2026, 8, 21)
    # the chart shows the published closes, jump included
    assert [b.close for b in shown] == [1510, 1505, 1520, 1530, 1576, 1590, 1585]


def test_the_alert_on_the_roll_day_mixes_the_new_month_with_the_old_close(sa0):
    known = [b for b in sa0 if b.day < ROLL_DAY]
    alert = at("2026-08-24T10:00:30")
    minute = MinuteBar("SA0", at("2026-08-24T10:00"), 1574, 1576, 1572, 1575)  # SA2701
    move = move_at_alert("SA0", "SA main", known, alert, minute, Calendar(b.day for b in known))
    assert move.change == pytest.approx(1575 / 1530 - 1)  # vs SA2609's close: +2.9%
    assert describe([move], alert) == "SA main +2.9% (at 10:00, vs previous close)"


def test_the_study_and_its_baseline_take_the_roll_day_as_published(sa0):
    calendar = Calendar(b.day for b in sa0)
    row = study("production_cut", "SA0", sa0, [at("2026-08-21T16:00")], calendar)
    assert row.mean[1] == pytest.approx(1576 / 1530 - 1)
    closes = [close for _, close in OLD + NEW]
    ones = [b / a - 1 for a, b in itertools.pairwise(closes)]
    assert baseline(sa0, 1) == pytest.approx(sum(ones) / len(ones))  # the jump is one of them
