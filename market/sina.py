"""Sina Finance's bars of a main-continuous futures series: daily and one-minute.

Daily (the endpoint AKShare's futures_main_sina / futures_zh_daily_sina wrap) answers JSONP:
`var _PS0=([{"d":"2026-08-20","o":"…","h":"…","l":"…","c":"…","v":"…","p":"…","s":"…"}, …]);`
d day, o/h/l/c open/high/low/close, v volume, p open interest, s settlement; numbers as strings.
During the session the newest bar is the day so far; it is stored as provisional.

Minutes (InnerFuturesNewService.getFewMinLine, AKShare's futures_zh_minute_sina) answer the same
JSONP with `"d":"2026-08-21 10:31:00"` (Beijing, the bar's labelled minute) and no settlement;
`type` is the bar length in minutes (1, 5, 15, 30, 60). The endpoint returns a fixed number of
the newest bars (about a thousand: two to three trading days of one-minute bars), so a fetch
every half hour of the session never leaves a hole.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Generic, TypeVar

from core.tz import BEIJING
from db.models import MinuteBar, QuoteBar

log = logging.getLogger(__name__)

DAILY_URL = (
    "https://stock2.finance.sina.com.cn/futures/api/jsonp.php/var%20_{symbol}=/"
    "InnerFuturesNewService.getDailyKLine?symbol={symbol}"
)
MINUTE_URL = (
    "https://stock2.finance.sina.com.cn/futures/api/jsonp.php/var%20_{symbol}=/"
    "InnerFuturesNewService.getFewMinLine?symbol={symbol}&type={period}"
)
MINUTE_PERIOD = 1  # one-minute bars: the price at (or just before) the minute of an alert
SESSION_CLOSE = time(15, 0)  # the day session's end; night sessions belong to the next day


BarT = TypeVar("BarT", QuoteBar, MinuteBar)


@dataclass(frozen=True)
class Parsed(Generic[BarT]):
    """One answer's bars (daily or minute), how many rows were skipped, and why nothing could
    be read when nothing could."""

    bars: list[BarT]
    skipped: int
    problem: str | None = None


def daily_url(symbol: str) -> str:
    return DAILY_URL.format(symbol=symbol)


def minute_url(symbol: str, period: int = MINUTE_PERIOD) -> str:
    return MINUTE_URL.format(symbol=symbol, period=period)


def _rows(body: str) -> tuple[list[object], str | None]:
    """The list inside the JSONP wrapper, or why there is none."""
    marker = body.find("=(")  # past the leading /*<script>…*/ comment the endpoint adds
    start = marker + 1 if marker >= 0 else body.find("(")
    end = body.rfind(")")
    raw = body[start + 1 : end] if 0 <= start < end else body.strip()
    if not raw or raw in ("null", "[]"):
        return [], "no bars in the response"
    try:
        rows = json.loads(raw)
    except json.JSONDecodeError as exc:
        return [], f"not JSON(P): {exc.msg} at {exc.pos}"
    if not isinstance(rows, list):
        return [], f"expected a list of bars, got {type(rows).__name__}"
    return rows, None


def parse_daily(symbol: str, body: str, fetched_at: datetime | None = None) -> Parsed[QuoteBar]:
    """The bars in one response; malformed rows are skipped and counted, never fatal."""
    rows, problem = _rows(body)
    if problem:
        return Parsed([], 0, problem)
    now = (fetched_at or datetime.now(BEIJING)).astimezone(BEIJING)
    bars, skipped = [], 0
    for row in rows:
        bar = _bar(symbol, row, now)
        if bar is None:
            skipped += 1
        else:
            bars.append(bar)
    if skipped:
        log.warning("%s: %d malformed bar(s) skipped", symbol, skipped)
    return Parsed(bars, skipped)


def parse_minutes(symbol: str, body: str) -> Parsed[MinuteBar]:
    """The minute bars in one response, oldest first; malformed rows are skipped and counted
    (a row without a time of day is malformed: it would pass for midnight)."""
    rows, problem = _rows(body)
    if problem:
        return Parsed([], 0, problem)
    bars: dict[datetime, MinuteBar] = {}
    skipped = 0
    for row in rows:
        bar = _minute(symbol, row)
        if bar is None:
            skipped += 1
        else:
            bars[bar.at] = bar
    if skipped:
        log.warning("%s: %d malformed minute bar(s) skipped", symbol, skipped)
    ordered = [bars[at] for at in sorted(bars)]
    return Parsed(ordered, skipped, None if ordered else "no valid minute bars")


def _minute(symbol: str, row: object) -> MinuteBar | None:
    if not isinstance(row, dict):
        return None
    try:
        text = str(row["d"]).strip()
        at = None
        for shape in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
            try:
                at = datetime.strptime(text, shape).replace(tzinfo=BEIJING)
                break
            except ValueError:
                continue
        opened, high, low, close = (float(row[k]) for k in ("o", "h", "l", "c"))
    except (KeyError, TypeError, ValueError):
        return None
    if at is None or min(opened, high, low, close) <= 0:
        return None
    return MinuteBar(
        symbol, at, opened, high, low, close,
        volume=_int(row.get("v")), open_interest=_int(row.get("p")),
    )  # fmt: skip


def _bar(symbol: str, row: object, now: datetime) -> QuoteBar | None:
    if not isinstance(row, dict):
        return None
    try:
        day = date.fromisoformat(str(row["d"])[:10])
        opened, high, low, close = (float(row[k]) for k in ("o", "h", "l", "c"))
    except (KeyError, TypeError, ValueError):
        return None
    if min(opened, high, low, close) <= 0:
        return None
    # a past day is settled; today's bar once the day session closed; a bar dated after
    # today (the night session trades for the next trading day) is still running
    final = day < now.date() or (day == now.date() and now.time() >= SESSION_CLOSE)
    return QuoteBar(
        symbol, day, opened, high, low, close, settle=_num(row.get("s")),
        volume=_int(row.get("v")), open_interest=_int(row.get("p")), final=final,
    )  # fmt: skip


def _num(value: object) -> float | None:
    try:
        number = float(str(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _int(value: object) -> int | None:
    number = _num(value)
    return int(number) if number is not None else None
