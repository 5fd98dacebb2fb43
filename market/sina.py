"""Sina Finance's daily bars of a main-continuous futures series.

The endpoint (the one AKShare's futures_main_sina / futures_zh_daily_sina wrap) answers JSONP:
`var _PS0=([{"d":"2026-08-20","o":"…","h":"…","l":"…","c":"…","v":"…","p":"…","s":"…"}, …]);`
d day, o/h/l/c open/high/low/close, v volume, p open interest, s settlement; numbers as strings.
During the session the newest bar is the day so far; it is stored as provisional.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time

from core.tz import BEIJING
from db.models import QuoteBar

log = logging.getLogger(__name__)

DAILY_URL = (
    "https://stock2.finance.sina.com.cn/futures/api/jsonp.php/var%20_{symbol}=/"
    "InnerFuturesNewService.getDailyKLine?symbol={symbol}"
)
SESSION_CLOSE = time(15, 0)  # the day session's end; night sessions belong to the next day


@dataclass(frozen=True)
class Parsed:
    bars: list[QuoteBar]
    skipped: int
    problem: str | None = None  # why nothing could be read


def daily_url(symbol: str) -> str:
    return DAILY_URL.format(symbol=symbol)


def parse_daily(symbol: str, body: str, fetched_at: datetime | None = None) -> Parsed:
    """The bars in one response; malformed rows are skipped and counted, never fatal."""
    marker = body.find("=(")  # past the leading /*<script>…*/ comment the endpoint adds
    start = marker + 1 if marker >= 0 else body.find("(")
    end = body.rfind(")")
    raw = body[start + 1 : end] if 0 <= start < end else body.strip()
    if not raw or raw in ("null", "[]"):
        return Parsed([], 0, "no bars in the response")
    try:
        rows = json.loads(raw)
    except json.JSONDecodeError as exc:
        return Parsed([], 0, f"not JSON(P): {exc.msg} at {exc.pos}")
    if not isinstance(rows, list):
        return Parsed([], 0, f"expected a list of bars, got {type(rows).__name__}")
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
