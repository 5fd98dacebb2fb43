"""Trading calendar, quote parsing and moves: pure functions on our own recorded-shape bars."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from core.tz import BEIJING
from detection.contracts import book, read_book
from market.calendar import Calendar, is_trading_day
from market.context import describe
from market.moves import baseline, move_after, move_at_alert, reference_day, study, window
from market.sina import parse_daily

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "quotes"
FETCHED = datetime(2026, 8, 31, 9, 0, tzinfo=BEIJING)


def bars(symbol: str):
    return parse_daily(symbol, (FIXTURES / f"{symbol}.jsonp").read_text(), FETCHED).bars


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def test_weekends_and_exchange_holidays_are_closed():
    assert is_trading_day(date(2026, 8, 21))  # a Friday
    assert not is_trading_day(date(2026, 8, 22))  # Saturday
    assert not is_trading_day(date(2026, 10, 1))  # National Day
    assert not is_trading_day(date(2026, 2, 18))  # Spring Festival
    # the day after the Spring Festival week of 2026 is the first one open again
    assert Calendar().next_days(date(2026, 2, 13), 1) == [date(2026, 2, 24)]


def test_observed_days_win_over_the_rule_inside_their_span():
    observed = [date(2026, 8, 17), date(2026, 8, 19)]  # the 18th did not trade (a closure)
    calendar = Calendar(observed)
    assert not calendar.trades(date(2026, 8, 18))
    assert calendar.next_days(date(2026, 8, 17), 1) == [date(2026, 8, 19)]
    assert calendar.trades(date(2026, 8, 20))  # past the observed span: the rule


def test_the_endpoint_shape_is_read_and_bad_rows_are_skipped():
    ps = bars("PS0")
    assert len(ps) == 35 and ps[0].day == date(2026, 7, 13) and ps[0].close == 42084
    assert ps[0].settle == 42042 and ps[0].open_interest == 200000
    broken = 'var _X0=([{"d":"2026-08-20","o":"1","h":"2","l":"1","c":"2"},{"d":"bad"},3]);'
    parsed = parse_daily("X0", broken, FETCHED)
    assert len(parsed.bars) == 1 and parsed.skipped == 2
    assert parse_daily("X0", "var _X0=(<html>", FETCHED).problem.startswith("not JSON")
    assert parse_daily("X0", "", FETCHED).problem == "no bars in the response"


def test_a_bar_fetched_during_its_session_is_provisional():
    body = 'var _X0=([{"d":"2026-08-20","o":"10","h":"11","l":"9","c":"10"},' \
        '{"d":"2026-08-21","o":"10","h":"11","l":"9","c":"11"}]);'  # fmt: skip
    during = parse_daily("X0", body, at("2026-08-21T10:30")).bars
    after = parse_daily("X0", body, at("2026-08-21T15:05")).bars
    assert [b.final for b in during] == [True, False]
    assert [b.final for b in after] == [True, True]
    move = move_at_alert("X0", "X main", during, at("2026-08-21T10:30"))
    assert round(move.change, 3) == 0.1 and not move.final
    assert describe([move], at("2026-08-21T10:30")) == (
        "X main +10.0% (today so far, vs previous close)"
    )


def test_the_reference_is_the_last_close_before_the_report():
    calendar = Calendar()
    assert reference_day(at("2026-08-21T10:00"), calendar) == date(2026, 8, 20)
    assert reference_day(at("2026-08-21T16:13"), calendar) == date(2026, 8, 21)
    assert reference_day(at("2026-08-22T09:00"), calendar) == date(2026, 8, 21)  # Saturday


def test_moves_after_a_report_pending_and_missing_days():
    ps = bars("PS0")
    calendar = Calendar(b.day for b in ps)
    report = at("2026-08-21T16:13")  # after Friday's close: day 1 is Monday the 24th
    one = move_after("PS0", "PS main", ps, report, 1, calendar)
    by_day = {b.day: b.close for b in ps}
    assert one.since == date(2026, 8, 21) and one.until == date(2026, 8, 24)
    assert one.change == by_day[date(2026, 8, 24)] / by_day[date(2026, 8, 21)] - 1
    assert one.change > 0.04  # the fixture's strong day
    late = move_after("PS0", "PS main", ps, at("2026-08-27T10:00"), 5, calendar)
    assert late.change is None and late.text() == "PS main pending"  # not traded yet: not 0%
    fg = bars("FG0")  # FG0 has no bar on 2026-08-12 although the exchange traded
    gap = move_after("FG0", "FG main", fg, at("2026-08-11T16:00"), 1, calendar)
    assert gap.change is None and gap.missing == "no data"


def test_window_marks_the_reference_and_spans_ten_days_each_side():
    ps = bars("PS0")
    calendar = Calendar(b.day for b in ps)
    shown, ref = window(ps, at("2026-08-14T11:00"), calendar)
    assert ref == date(2026, 8, 13)
    assert len([b for b in shown if b.day < ref]) == 10
    assert len([b for b in shown if b.day > ref]) == 10


def test_study_against_the_baseline_of_all_days():
    ps = bars("PS0")
    calendar = Calendar(b.day for b in ps)
    row = study("production_cut", "PS0", ps, [at("2026-08-21T16:13")], calendar)
    assert row.events == 1 and row.mean[1] == row.median[1] and row.mean[1] > 0.04
    assert row.pending[5] == 0 and row.baseline_mean[1] == baseline(ps, 1)
    assert abs(row.baseline_mean[1]) < 0.01  # ordinary days move little


def test_every_sector_is_mapped_and_the_contracts_file_is_checked(tmp_path):
    from detection.vocabulary import sectors

    assert set(book().by_sector) == {t.slug for t in sectors()}
    assert [c.code for c in book().for_sectors(["polysilicon", "pv"])] == ["PS", "SI"]
    assert book().contracts["EC"].exchange == "INE"
    bad = tmp_path / "c.toml"
    bad.write_text('[contracts.XX]\nexchange = "NYMEX"\nzh = "x"\nen = "x"\n', "utf-8")
    try:
        read_book(bad)
    except ValueError as exc:
        assert "unknown exchange" in str(exc)
    else:
        raise AssertionError("an unknown exchange must be refused")


def test_a_reference_close_not_fetched_yet_is_pending_not_no_data():
    """A report after today's close, before the fetch that stores that close: the move waits
    (pending); only a day missing INSIDE the stored span is 'no data'."""
    ps = [b for b in bars("PS0") if b.day <= date(2026, 8, 20)]
    calendar = Calendar(b.day for b in ps)
    report = at("2026-08-21T16:13")  # Friday after the close; Friday's bar not stored yet
    move = move_after("PS0", "PS main", ps, report, 1, calendar)
    assert move.since == date(2026, 8, 21) and move.change is None
    assert move.missing == "pending" and move.figure() == "pending"
    assert move_after("PS0", "PS main", [], report, 1, calendar).missing == "no data"
    # the reference close itself provisional (fetched mid-session): the move is not final yet
    provisional = [*ps, replace(bars("PS0")[-1], day=date(2026, 8, 21), final=False)]
    assert move_after("PS0", "PS main", provisional, report, 1, calendar).missing == "pending"


def test_the_study_counts_gaps_apart_from_pending_events():
    fg = bars("FG0")  # no bar on 2026-08-12 although the exchange traded
    calendar = Calendar(b.day for b in bars("PS0"))
    gap, late = at("2026-08-11T16:00"), at("2026-08-28T16:00")
    row = study("production_cut", "FG0", fg, [gap, late], calendar)
    assert row.events == 2
    assert row.pending[1] == 1 and row.no_data[1] == 1  # was: both counted as pending
    assert row.mean[1] is None


def test_holidays_2025_and_2026_follow_the_state_council_notices():
    closed = [
        "2025-01-01", "2025-01-28", "2025-02-04", "2025-04-04", "2025-05-05", "2025-06-02",
        "2025-10-08", "2026-01-02", "2026-02-16", "2026-02-23", "2026-04-06", "2026-05-05",
        "2026-06-19", "2026-09-25", "2026-10-07",
    ]  # fmt: skip
    opened = [
        "2025-01-27", "2025-02-05", "2025-04-07", "2025-05-06", "2025-06-03", "2025-10-09",
        "2026-01-05", "2026-02-13", "2026-02-24", "2026-04-07", "2026-05-06", "2026-06-22",
        "2026-09-28", "2026-10-08",
    ]  # fmt: skip
    assert [d for d in closed if is_trading_day(date.fromisoformat(d))] == []
    assert [d for d in opened if not is_trading_day(date.fromisoformat(d))] == []
    # the make-up working Saturdays/Sundays (e.g. 2025-01-26, 2026-02-14) stay closed
    assert not is_trading_day(date(2025, 1, 26)) and not is_trading_day(date(2026, 2, 14))


def test_a_bar_of_the_next_trading_day_fetched_in_the_night_session_is_provisional():
    """Night sessions (21:00-) trade for the next trading day: a bar dated tomorrow fetched
    tonight is the session so far, not a close (it was taken as final after 15:00)."""
    body = 'var _X0=([{"d":"2026-08-21","o":"10","h":"11","l":"9","c":"10"},' \
        '{"d":"2026-08-24","o":"10","h":"11","l":"9","c":"11"}]);'  # fmt: skip
    night = parse_daily("X0", body, at("2026-08-21T21:30")).bars
    assert [b.final for b in night] == [True, False]
