"""Times from Chinese sites: epoch seconds are UTC; naive wall-clock strings are Beijing time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def from_epoch(seconds: float | int | str | None) -> datetime | None:
    """UTC datetime from Unix seconds (or milliseconds); None when missing or absurd."""
    if seconds in (None, ""):
        return None
    try:
        value = float(seconds)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if value > 1e12:  # milliseconds
        value /= 1000.0
    if value <= 0:
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def as_beijing(moment: datetime) -> datetime:
    """Attach Asia/Shanghai to a naive time; convert an aware one."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=BEIJING)
    return moment.astimezone(BEIJING)


# --- free-text times as Chinese and English sites print them ----------------------------------

_REL_UNITS = {
    "秒": 1, "second": 1, "sec": 1,
    "分钟": 60, "分": 60, "minute": 60, "min": 60,
    "小时": 3600, "个小时": 3600, "hour": 3600, "hr": 3600,
    "天": 86400, "日": 86400, "day": 86400,
    "周": 604800, "星期": 604800, "week": 604800,
}  # fmt: skip
_RELATIVE = re.compile(
    r"(\d+)\s*(秒|分钟|分|个小时|小时|天|周|星期|seconds?|secs?|minutes?|mins?|hours?|hrs?"
    r"|days?|weeks?)\s*(?:前|之前|ago)",
    re.I,
)
_DAY_WORD = re.compile(r"(今天|今日|昨天|昨日|前天|today|yesterday)\s*(\d{1,2})[:：](\d{2})", re.I)
_DAY_OFFSET = {"今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1, "前天": 2}
_FULL = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT_-]*(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?(?:\.\d+)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?)?"
)
_MONTH_DAY = re.compile(
    r"(?<![\d/.-])(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?\s+(\d{1,2})[:：](\d{2})(?![\d])"
)
_CLOCK = re.compile(r"^\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?\s*$")
_DIGITS = re.compile(r"^\s*\d{10}(?:\d{3})?\s*$")


def _zone(text: str | None):
    if not text:
        return None
    if text.upper() == "Z":
        return UTC
    sign = 1 if text[0] == "+" else -1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def _now_beijing(now: datetime | None) -> datetime:
    return as_beijing(now) if now is not None else datetime.now(BEIJING)


def parse_time(text: str | None, now: datetime | None = None) -> datetime | None:
    """An aware datetime from what a page prints; naive wall-clock times are Beijing time.

    Understands ISO 8601, "YYYY-MM-DD HH:mm[:ss]" (also with / . 年月日 and gov.cn's
    "YYYY-MM-DD-HH:mm:ss"), RFC 822 (RSS), epoch seconds/ms, "3分钟前" / "2 hours ago",
    "昨天 14:20", "07-03 10:36" (this year, or last year if that would be in the future) and
    a bare "10:36" (today). `now` pins "today" for tests.
    """
    if text is None:
        return None
    text = str(text).strip()
    if not text:
        return None
    if _DIGITS.match(text):
        return from_epoch(text)
    if text in ("刚刚", "just now"):
        return _now_beijing(now)
    match = _RELATIVE.search(text)
    if match:
        unit = match.group(2).lower().rstrip("s") if match.group(2).isascii() else match.group(2)
        seconds = _REL_UNITS.get(unit) or _REL_UNITS.get(match.group(2).lower(), 60)
        return _now_beijing(now) - timedelta(seconds=int(match.group(1)) * seconds)
    match = _DAY_WORD.search(text)
    if match:
        day = _now_beijing(now) - timedelta(days=_DAY_OFFSET[match.group(1).lower()])
        return day.replace(hour=int(match.group(2)), minute=int(match.group(3)), second=0,
                           microsecond=0)  # fmt: skip
    match = _FULL.search(text)
    if match:
        year, month, day, hour, minute, second, zone = match.groups()
        try:
            moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                              int(second or 0))  # fmt: skip
        except ValueError:
            return None
        tz = _zone(zone)
        return moment.replace(tzinfo=tz) if tz else as_beijing(moment)
    try:
        moment = parsedate_to_datetime(text)  # RFC 822, as in RSS pubDate
    except (TypeError, ValueError, IndexError):
        moment = None
    if moment is not None:
        return as_beijing(moment) if moment.tzinfo is None else moment
    match = _MONTH_DAY.search(text)
    if match:
        today = _now_beijing(now)
        month, day, hour, minute = (int(g) for g in match.groups())
        try:
            moment = today.replace(month=month, day=day, hour=hour, minute=minute, second=0,
                                   microsecond=0)  # fmt: skip
        except ValueError:
            return None
        if moment > today + timedelta(days=1):
            moment = moment.replace(year=moment.year - 1)
        return moment
    match = _CLOCK.match(text)
    if match:
        hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
        if hour > 23 or minute > 59:
            return None
        return _now_beijing(now).replace(hour=hour, minute=minute, second=second, microsecond=0)
    return None
