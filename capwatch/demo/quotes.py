"""The demo's futures quotes: a few weeks of daily bars for the sample day's polysilicon event,
in the shape of Sina's getDailyKLine JSONP, so the demo's alert shows its "📈 Market:" line
without the internet.

The bars are generated, not recorded prices: a gentle deterministic drift (no randomness, the
same every run) ending on the newest trading day, with a +4% day for polysilicon at the end, the
kind of move a coordinated production cut brings.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, time
from urllib.parse import parse_qs, urlsplit

from core.tz import BEIJING
from detection.contracts import book
from market.calendar import Calendar, is_trading_day

DEMO_SECTORS = ("polysilicon",)  # the sample day's event with listed futures
BARS = 20  # about four weeks of trading days
START = {"PS": 48_000.0, "SI": 9_000.0}  # a plausible price level per product (yuan/t)
SESSION_OPEN = time(9, 0)  # the day session opens (Beijing)
LAST_DAY_MOVE = {"PS": 0.042, "SI": 0.018}


def demo_symbols() -> tuple[str, ...]:
    """The main-continuous series the demo answers and fetches: the event's contracts."""
    return tuple(contract.main for contract in book().for_sectors(list(DEMO_SECTORS)))


def trading_days(now: datetime, count: int) -> list[date]:
    """The last `count` trading days up to `now`, oldest first: today once its session has
    opened (its bar is then the session so far), else up to the previous trading day."""
    today = now.date()
    opened = is_trading_day(today) and now.time() >= SESSION_OPEN
    days = Calendar().previous_days(today, count - 1 if opened else count)
    return [*days, today] if opened else days


def daily_bars(symbol: str, now: datetime) -> list[dict[str, str]]:
    """One symbol's bars as the endpoint writes them (numbers as strings); `now` is Beijing."""
    code = symbol.rstrip("0123456789")
    close = START.get(code, 5_000.0)
    days = trading_days(now, BARS)
    rows = []
    for n, day in enumerate(days):
        previous = close
        drift = 0.004 * math.sin(n * 1.3) - 0.001  # small ups and downs, no randomness
        close = round(
            previous * (1 + (LAST_DAY_MOVE.get(code, 0.0) if n == len(days) - 1 else drift))
        )
        high, low = max(previous, close) * 1.004, min(previous, close) * 0.996
        rows.append({
            "d": day.isoformat(), "o": f"{previous:.0f}", "h": f"{high:.0f}", "l": f"{low:.0f}",
            "c": f"{close:.0f}", "v": str(180_000 + 1_000 * n), "p": str(260_000 + 500 * n),
            "s": f"{(previous + close) / 2:.0f}",
        })  # fmt: skip
    return rows


def kline_response(path_and_query: str, now: datetime | None = None) -> bytes | None:
    """The JSONP answer to .../InnerFuturesNewService.getDailyKLine?symbol=X, or None (404)
    for another path or a symbol the demo has no bars for."""
    parts = urlsplit(path_and_query)
    if not parts.path.endswith("InnerFuturesNewService.getDailyKLine"):
        return None
    symbol = (parse_qs(parts.query).get("symbol") or [""])[0]
    if symbol not in demo_symbols():
        return None
    local = (now or datetime.now(BEIJING)).astimezone(BEIJING)
    rows = json.dumps(daily_bars(symbol, local), separators=(",", ":"))
    return f"/*<script>location.href='//sina.com';</script>*/\nvar _{symbol}=({rows});".encode()
