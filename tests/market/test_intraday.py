"""Minute bars: the endpoint's shape read (and bad answers refused with a reason), the trading
day a minute belongs to, and the alert's move at the minute it is sent."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from core.tz import BEIJING
from db.models import MinuteBar, QuoteBar
from market.calendar import Calendar
from market.context import describe
from market.fetch import in_session
from market.moves import move_at_alert, session_day
from market.sina import minute_url, parse_daily, parse_minutes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "quotes"
FETCHED = datetime(2026, 8, 31, 9, 0, tzinfo=BEIJING)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def daily(symbol: str, known_at: datetime = FETCHED) -> list[QuoteBar]:
    """The daily bars as a fetch at `known_at` had them (today's bar the session so far)."""
    body = (FIXTURES / f"{symbol}.jsonp").read_text()
    bars = parse_daily(symbol, body, known_at).bars
    return [bar for bar in bars if bar.day <= known_at.date()]


def minutes(symbol: str) -> list[MinuteBar]:
    return parse_minutes(symbol, (FIXTURES / f"{symbol}_1m.jsonp").read_text()).bars


def minute_at(bars: list[MinuteBar], moment: datetime) -> MinuteBar | None:
    known = [bar for bar in bars if bar.at <= moment]
    return known[-1] if known else None


def test_the_minute_endpoint_url_and_shape_are_read():
    url = minute_url("PS0")
    assert url.startswith("https://stock2.finance.sina.com.cn/futures/api/jsonp.php/")
    assert "InnerFuturesNewService.getFewMinLine?symbol=PS0&type=1" in url
    ps = minutes("PS0")
    assert len(ps) == 235  # Friday's last ten minutes and Monday's day session
    assert ps[0].at == at("2026-08-21T14:51") and ps[-1].at == at("2026-08-24T15:00")
    assert ps[0].at.utcoffset().total_seconds() == 8 * 3600  # Beijing on the wire
    assert [b.at for b in ps] == sorted(b.at for b in ps)
    assert ps[0].close == 44580 and ps[0].volume == 300 and ps[0].open_interest == 226000
    fg = minutes("FG0")  # with the Friday night session
    assert any(b.at == at("2026-08-21T22:00") and b.close == 1074 for b in fg)


def test_malformed_and_empty_minute_answers_give_a_reason():
    row = '{"d":"2026-08-24 10:31:00","o":"1","h":"2","l":"1","c":"2","v":"3","p":"4"}'
    mixed = (
        f"var _X0=([{row},"
        '{"d":"2026-08-24","o":"1","h":"1","l":"1","c":"1"},'  # no time of day: not midnight
        '{"d":"2026-08-24 10:32:00","o":"1","h":"1","l":"1"},'  # no close
        '{"d":"2026-08-24 10:33:00","o":"1","h":"1","l":"1","c":"-5"},'  # not a price
        '{"d":"yesterday","o":"1","h":"1","l":"1","c":"1"}, 7, null]);'
    )
    parsed = parse_minutes("X0", mixed)
    assert [b.at for b in parsed.bars] == [at("2026-08-24T10:31")] and parsed.skipped == 6
    assert parse_minutes("X0", "").problem == "no bars in the response"
    assert parse_minutes("X0", "var _X0=(null);").problem == "no bars in the response"
    assert parse_minutes("X0", "=([]);").problem == "no bars in the response"
    assert parse_minutes("X0", "<html>502 Bad Gateway</html>").problem.startswith("not JSON")
    assert parse_minutes("X0", 'var _X0=([{"d":"2026-08-24 10:31:00","o":').problem.startswith(
        "not JSON"
    )  # a cut-off answer
    assert parse_minutes("X0", 'var _X0=({"error":"x"});').problem == (
        "expected a list of bars, got dict"
    )
    only_bad = parse_minutes("X0", 'var _X0=([{"d":"2026-08-24"}]);')
    assert only_bad.bars == [] and only_bad.problem == "no valid minute bars"


def test_a_night_minute_trades_for_the_next_trading_day():
    calendar = Calendar()
    assert session_day(at("2026-08-24T10:31"), calendar) == date(2026, 8, 24)
    assert session_day(at("2026-08-21T21:30"), calendar) == date(2026, 8, 24)  # Friday night
    assert session_day(at("2026-08-22T01:00"), calendar) == date(2026, 8, 24)  # past midnight
    # the night before National Day trades for the first day after the holiday
    assert session_day(at("2026-09-30T21:30"), calendar) == date(2026, 10, 8)


def test_the_alert_move_is_the_price_of_its_minute_against_the_previous_close():
    alert = at("2026-08-24T10:31:30")
    ps, bars = minutes("PS0"), daily("PS0", alert)
    assert not bars[-1].final and bars[-1].day == date(2026, 8, 24)  # fetched in the session
    move = move_at_alert("PS0", "PS main", bars, alert, minute_at(ps, alert), Calendar())
    # 46840 at 10:31 against Friday's close 44527: the price then, not the day's close 47021
    assert move.change == 46840 / 44527 - 1 and move.at == at("2026-08-24T10:31")
    assert move.since == date(2026, 8, 21) and move.until == date(2026, 8, 24)
    assert not move.final
    assert describe([move], alert) == "PS main +5.2% (at 10:31, vs previous close)"
    earlier = at("2026-08-24T09:05:00")
    first = move_at_alert("PS0", "PS main", bars, earlier, minute_at(ps, earlier))
    assert first.at == at("2026-08-24T09:05") and first.change < move.change


def test_a_minute_after_the_alert_is_never_used():
    alert = at("2026-08-24T10:31:30")
    bars = daily("PS0", alert)
    later = MinuteBar("PS0", at("2026-08-24T10:45"), 1, 1, 1, 50000)
    move = move_at_alert("PS0", "PS main", bars, alert, later)
    assert move.at is None and not move.final  # the daily day-so-far bar instead
    assert move.change == bars[-1].close / 44527 - 1


def test_without_a_current_minute_the_daily_bar_is_the_fallback():
    bars = [b for b in daily("PS0") if b.day <= date(2026, 8, 24)]
    today = QuoteBar("PS0", date(2026, 8, 24), 44527, 47000, 44500, 46900, final=False)
    so_far = [*bars[:-1], today]
    alert = at("2026-08-24T11:00")
    # the minute fetch failing since Friday: Friday's last minute is stale, the day's bar wins
    stale = minutes("PS0")[9]
    assert stale.at == at("2026-08-21T15:00")
    move = move_at_alert("PS0", "PS main", so_far, alert, stale)
    assert move.at is None and move.change == 46900 / 44527 - 1
    assert describe([move], alert) == "PS main +5.3% (today so far, vs previous close)"
    # no minute bars at all (CAPWATCH_QUOTES_INTRADAY=false): the same
    assert move_at_alert("PS0", "PS main", so_far, alert, None) == move


def test_after_the_close_is_stored_the_close_is_the_figure():
    alert = at("2026-08-24T16:00")
    ps, bars = minutes("PS0"), daily("PS0", alert)
    move = move_at_alert("PS0", "PS main", bars, alert, minute_at(ps, alert))
    assert move.at is None and move.final and move.change == 47021 / 44527 - 1
    assert describe([move], alert) == "PS main +5.6% (today, close 08-24, vs previous close)"


def test_a_night_alert_measures_the_night_session_from_the_day_close():
    alert = at("2026-08-21T22:00:10")
    fg, bars = minutes("FG0"), daily("FG0", alert)
    move = move_at_alert("FG0", "FG main", bars, alert, minute_at(fg, alert), Calendar())
    assert move.change == 1074 / 1068 - 1  # Friday's 15:00 close, not Thursday's
    assert move.since == date(2026, 8, 21) and move.until == date(2026, 8, 24)
    assert describe([move], alert) == "FG main +0.6% (at 22:00, vs previous close)"
    # Saturday morning: the night's last minute, shown with its date
    saturday = at("2026-08-22T09:00")
    late = move_at_alert("FG0", "FG main", bars, saturday, minute_at(fg, saturday), Calendar())
    assert describe([late], saturday) == "FG main +1.1% (at 08-21 23:00, vs previous close)"


def test_no_previous_close_falls_back_and_mixed_sources_say_each_their_time():
    alert = at("2026-08-24T10:31:30")
    minute = MinuteBar("PS0", at("2026-08-24T10:31"), 1, 1, 1, 46840)
    provisional_only = [QuoteBar("PS0", date(2026, 8, 21), 1, 1, 1, 44527, final=False)]
    alone = move_at_alert("PS0", "PS main", provisional_only, alert, minute)
    assert alone.change is None and alone.missing == "no data"
    ps = move_at_alert("PS0", "PS main", daily("PS0", alert), alert, minute)
    fg_bars = [b for b in daily("FG0") if b.day < date(2026, 8, 24)]
    fg_bars.append(QuoteBar("FG0", date(2026, 8, 24), 1068, 1090, 1068, 1089, final=False))
    fg = move_at_alert("FG0", "FG main", fg_bars, alert, None)  # no minutes for FG0
    assert describe([ps, fg], alert) == (
        "PS main +5.2% (at 10:31, vs previous close), "
        "FG main +2.0% (today so far, vs previous close)"
    )


def test_a_close_stored_later_is_not_read_before_it_happened():
    """Replayed after the fact (a preview, an edit of an old alert): at 10:31 the day's close
    was not known yet, so the minute is the figure even though the final bar is stored now."""
    alert = at("2026-08-24T10:31:30")
    bars = [b for b in daily("PS0") if b.day <= date(2026, 8, 24)]  # fetched 08-31: all final
    assert bars[-1].final and bars[-1].day == date(2026, 8, 24)
    move = move_at_alert("PS0", "PS main", bars, alert, minute_at(minutes("PS0"), alert))
    assert move.at == at("2026-08-24T10:31") and move.change == 46840 / 44527 - 1


def test_quotes_are_fetched_in_the_day_and_night_sessions():
    fetch = {
        "2026-08-24T08:59": False, "2026-08-24T09:00": True, "2026-08-24T15:00": True,
        "2026-08-24T15:01": False, "2026-08-24T20:59": False,
        "2026-08-24T21:00": True, "2026-08-25T01:30": True,  # Monday's night session
        "2026-08-25T02:31": False,
        "2026-08-21T22:00": True, "2026-08-22T02:00": True,  # Friday night trades for Monday
        "2026-08-22T10:00": False, "2026-08-22T21:30": False,  # Saturday
        "2026-09-30T21:30": False,  # no night session on the eve of National Day
        "2026-10-01T10:00": False,
    }  # fmt: skip
    assert {when: in_session(at(when)) for when in fetch} == fetch
