"""The one reader of times that sources print: feeds, API fields, article pages, CLI flags.

Rules, the same on every path:
- an explicit offset or zone always wins (`Z`, `+0800`, `GMT-01:01`, `-0000`, `MET`, `PT`);
  `CST` means China Standard Time (+08:00) on Chinese sources and US Central elsewhere;
- a naive wall-clock time is Beijing time (or the zone the caller names);
- relative and part-of-day times (`半小时前`, `2 小時前`, `昨天`, `下午3:30`, `2 hours ago`) are
  read against the crawl's clock (`now`);
- bad input never raises: the reading has no moment and says why.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Literal

from core.tz import BEIJING

Precision = Literal["second", "minute", "hour", "day", "month", "year"]


@dataclass(frozen=True)
class TimeReading:
    """A parsed time, how precise the text was, or why nothing was read."""

    moment: datetime | None
    precision: Precision | None = None
    reason: str = ""

    @property
    def has_clock(self) -> bool:
        """True when the text gave a time of day, not only a date."""
        return self.precision in ("second", "minute", "hour")


def _fail(reason: str) -> TimeReading:
    return TimeReading(None, None, reason)


# --- zones ------------------------------------------------------------------------------------

# Offsets in minutes of the zone abbreviations that feeds and pages print (facts, one per line).
_NAMED_ZONES: dict[str, int] = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "ETC/GMT": 0, "ETC/UTC": 0, "WET": 0, "WEST": 60,
    "BST": 60, "CET": 60, "CEST": 120, "MET": 60, "MEST": 120, "EET": 120, "EEST": 180,
    "MSK": 180, "IST": 330, "HKT": 480, "SGT": 480, "AWST": 480, "JST": 540, "KST": 540,
    "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
    "AST": -240, "ADT": -180, "AT": -240, "EST": -300, "EDT": -240, "ET": -300,
    "CDT": -300, "CT": -360, "MST": -420, "MDT": -360, "MT": -420,
    "PST": -480, "PDT": -420, "PT": -480, "AKST": -540, "AKDT": -480, "HST": -600,
}  # fmt: skip
_CHINA_NAMES = ("北京时间", "北京時間", "BEIJING TIME", "CHINA STANDARD TIME")
_OFFSET = re.compile(r"^([+-])(\d{1,2})(?::?(\d{2}))?$")
_ZONE_TOKEN = (
    r"(?P<zone>Z\b|[+-]\d{1,2}(?::?\d{2})?\b|(?:GMT|UTC|UT)\s*[+-]\s*\d{1,2}(?::?\d{2})?\b"
    r"|(?:Etc/)?[A-Za-z]{1,5}\b|北京时间|北京時間)"
)


def zone_of(token: str, chinese_source: bool = True) -> tzinfo | None:
    """The tzinfo a zone token names (`Z`, `+08:00`, `-0000`, `GMT-01:01`, `MET`, `CST`)."""
    text = token.strip().upper()
    if not text:
        return None
    if text in _CHINA_NAMES or (text == "CST" and chinese_source):
        return BEIJING
    if text == "CST":
        return timezone(timedelta(minutes=-360))
    if text in _NAMED_ZONES:
        return timezone(timedelta(minutes=_NAMED_ZONES[text])) if _NAMED_ZONES[text] else UTC
    for prefix in ("GMT", "UTC", "UT"):
        if text.startswith(prefix) and text[len(prefix) :].strip()[:1] in ("+", "-"):
            text = text[len(prefix) :].replace(" ", "")
            break
    match = _OFFSET.match(text)
    if not match:
        return None
    sign, hours, minutes = match.groups()
    total = int(hours) * 60 + int(minutes or 0)
    if int(hours) > 23 or int(minutes or 0) > 59:
        return None
    return timezone(timedelta(minutes=total if sign == "+" else -total)) if total else UTC


# --- small helpers ----------------------------------------------------------------------------


def from_epoch(seconds: float | int | str | None) -> datetime | None:
    """UTC datetime from Unix seconds (or milliseconds); None when missing or absurd."""
    if seconds is None or seconds == "":
        return None
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return None
    if value > 1e12:  # milliseconds
        value /= 1000.0
    if value < 1e8 or value > 1e11:  # before 1973 or after 5138: not a timestamp
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def as_beijing(moment: datetime) -> datetime:
    """Attach Asia/Shanghai to a naive time; convert an aware one."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=BEIJING)
    return moment.astimezone(BEIJING)


def _clock_now(now: datetime | None, zone: tzinfo) -> datetime:
    if now is None:
        return datetime.now(zone)
    return now.replace(tzinfo=zone) if now.tzinfo is None else now.astimezone(zone)


# --- part of day: 上午/下午/凌晨/晚上, am/pm ---------------------------------------------

_PART_WORDS = (
    "凌晨|清晨|早上|早晨|上午|中午|下午|午后|傍晚|晚上|晚间|晚間|夜间|夜間|夜里|夜裡|深夜|早|晚|夜"
)
_AFTERNOON = {"下午", "午后", "傍晚", "晚上", "晚间", "晚間", "夜间", "夜間", "夜里", "夜裡",
              "深夜", "晚", "夜"}  # fmt: skip


def _hour_for_part(hour: int, part: str | None) -> int | None:
    """24-hour clock for `hour` said with a part-of-day word or am/pm; None if impossible."""
    if part is None:
        return hour if 0 <= hour <= 24 else None
    part = part.lower().replace(".", "")
    if hour > 12:
        return hour if hour <= 23 and part not in ("am",) else None
    if part in ("am",):
        return 0 if hour == 12 else hour
    if part in ("pm",):
        return hour if hour == 12 else hour + 12
    if part == "中午":
        return hour if hour >= 10 else hour + 12
    if part in ("深夜", "夜", "夜间", "夜間", "夜里", "夜裡") and hour <= 4:
        return hour  # 深夜2点: after midnight
    if part in _AFTERNOON:
        if hour == 12:  # 下午12点 is noon, 晚上12点 midnight
            return 12 if part in ("下午", "午后") else 0
        return hour + 12
    if part in ("凌晨",) and hour == 12:
        return 0
    return hour


# --- the grammars -----------------------------------------------------------------------------

_ISO_FAST = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?$"
)
_EPOCH = re.compile(r"^\s*\d{9,10}(?:\.\d+)?\s*$|^\s*\d{13}\s*$")
_NOW_WORDS = re.compile(r"^\s*(?:刚刚|剛剛|刚才|剛才|just now|now)\s*$", re.I)
_REL_UNITS: dict[str, int] = {
    "秒": 1, "秒钟": 1, "秒鐘": 1, "second": 1, "sec": 1, "s": 1,
    "分钟": 60, "分鐘": 60, "分": 60, "minute": 60, "min": 60, "m": 60,
    "小时": 3600, "小時": 3600, "个小时": 3600, "個小時": 3600, "钟头": 3600, "鐘頭": 3600,
    "hour": 3600, "hr": 3600, "h": 3600,
    "天": 86400, "日": 86400, "day": 86400, "d": 86400,
    "周": 604800, "週": 604800, "星期": 604800, "礼拜": 604800, "禮拜": 604800, "week": 604800,
    "个月": 2592000, "個月": 2592000, "月": 2592000, "month": 2592000,
    "年": 31536000, "year": 31536000,
}  # fmt: skip
_REL_PART = (
    r"(?:\d{1,3}|半|一|两|兩|an?|one)\s*"
    r"(?:秒钟|秒鐘|秒|分钟|分鐘|分|个小时|個小時|小时|小時|钟头|鐘頭|天|日|个月|個月|周|週|星期"
    r"|礼拜|禮拜|月|年|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)"
)
# "2 小時前", "1年，1月，1周前", "an hour ago"; a bare "1年2个月" as a whole time field
_RELATIVE = re.compile(
    rf"(?P<chain>(?:{_REL_PART}(?:\s*(?:又|and|,|，|、)?\s*))+?)\s*(?:前|之前|以前|ago)", re.I
)
_RELATIVE_BARE = re.compile(
    rf"^\s*(?:约|大约|about\s+)?(?P<chain>(?:{_REL_PART}\s*(?:又|and|,|，|、)?\s*)+)$", re.I
)
_REL_UNIT_PART = re.compile(
    r"(?P<n>\d+|半|一|两|兩|an?|one)\s*"
    r"(?P<unit>秒钟|秒鐘|秒|分钟|分鐘|分|个小时|個小時|小时|小時|钟头|鐘頭|天|日|个月|個月|周|週|星期"
    r"|礼拜|禮拜|月|年|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)",
    re.I,
)
_WORD_COUNT = {"半": 0.5, "一": 1, "两": 2, "兩": 2, "a": 1, "an": 1, "one": 1}
_DAY_WORDS: dict[str, int] = {
    "今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1, "前天": 2,
}  # fmt: skip
_DAY_WORD = re.compile(r"(今天|今日|昨天|昨日|前天|today|yesterday)", re.I)
_TIME = (
    r"(?:(?P<part>" + _PART_WORDS + r")\s*)?"
    r"(?P<hour>\d{1,2})\s*(?:[:時时点點](?![:\d]*:\d+:\d+)\s*(?P<minute>\d{1,2})?\s*分?"
    r"(?:\s*:?\s*(?P<second>\d{1,2})\s*秒?)?(?:[.,](?P<frac>\d+))?|(?=\s*[ap]\.?m\b))"
    r"\s*(?P<ampm>[ap]\.?m\.?(?![a-z]))?"
)
_CLOCK_ONLY = re.compile(r"^\s*" + _TIME + r"\s*(?:" + _ZONE_TOKEN + r")?\s*$", re.I)
_YMD = re.compile(
    r"(?<!\d)(?P<year>\d{4})\s*(?P<s1>[-/.年])\s*(?P<month>\d{1,3})\s*"
    r"(?:(?P<s2>[-/.月])\s*(?P<day>\d{1,2}?)(?:(?!\d)|(?=\d{1,2}[:時时点點]))\s*[日号號]?|月)?"
    r"(?:\s*(?:星期|周|週|礼拜|禮拜)[一二三四五六日天]|\s*[(（][一二三四五六日天月火水木金土][)）])?"
    r"(?:(?:\s*[T_,]?\s*|\s*-(?=\d{1,2}:))" + _TIME + r")?"
    r"(?:\s*(?:" + _ZONE_TOKEN + r"))?",
    re.I,
)
_COMPACT = re.compile(
    r"^\s*(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2})(?P<minute>\d{2})(?P<second>\d{2})?)?\s*(?P<zone>Z|[+-]\d{2}:?\d{2})?\s*$"
)
_GLUED = re.compile(r"[A-Za-z0-9:+\-_]")  # a date followed by these is not a date
# ISO 8601's two-digit-year forms, whole strings only: 031231, 03-12-31, -0312, -03-12, 03335
_ISO_SHORT = re.compile(
    r"^\s*(?:(?P<yy>\d{2})-?(?P<mm>\d{2})-?(?P<dd>\d{2})|-(?P<yy2>\d{2})-?(?P<mm2>\d{2})"
    r"|(?P<yy3>\d{2})(?P<ddd>\d{3}))\s*$"
)
_YEAR_ONLY = re.compile(r"^\s*(?P<year>\d{4})\s*年?\s*$")
_MONTH_DAY = re.compile(
    r"(?<![\d/.-])(?P<month>\d{1,2})\s*(?:[-/]|月)\s*(?P<day>\d{1,2})(?!\d)\s*[日号號]?"
    r"(?:\s*" + _TIME + r")?",
    re.I,
)
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_NAME = re.compile(
    r"\b(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?",
    re.I,
)
_WORD_CLOCK = re.compile(
    r"(?<![\d:])(?P<hour>\d{1,2})(?::(?P<minute>\d{1,2})(?::(?P<second>\d{1,2}))?"
    r"(?:[.,](?P<frac>\d+))?(?P<extra>(?::\d*)+)?)?\s*(?P<ampm>[ap]\.?m\.?(?![a-z]))?(?![\d])",
    re.I,
)
_ZONE_AFTER = re.compile(r"^\s*(?:\(?" + _ZONE_TOKEN + r"\)?)", re.I)
_NON_ZONE_WORDS = {"AT", "ON", "BY", "AM", "PM", "THE", "OF", "IN"}


def _base_zone(zone: str | None, chinese_source: bool, naive_zone: tzinfo) -> tzinfo | None:
    """The zone of a match: the token's, else `naive_zone`; None when the token is bad."""
    if not zone:
        return naive_zone
    return zone_of(zone, chinese_source)


def _build(
    year: int,
    month: int,
    day: int,
    clock: tuple[int, int, int, int] | None,
    zone: tzinfo,
) -> datetime | None:
    hour, minute, second, micro = clock or (0, 0, 0, 0)
    try:
        extra = timedelta(days=1) if hour == 24 else timedelta(0)  # 24:00 is next midnight
        moment = datetime(year, month, day, 0 if hour == 24 else hour, minute, second, micro)
        moment = (moment + extra).replace(tzinfo=zone)
        moment.astimezone(UTC)  # out of range offsets and years fail here, not later
    except (ValueError, OverflowError):
        return None
    return moment


def _clock(
    hour: str | None,
    minute: str | None,
    second: str | None,
    frac: str | None,
    part: str | None,
) -> tuple[int, int, int, int] | None:
    if hour is None:
        return None
    value = _hour_for_part(int(hour), part)
    minutes, seconds = int(minute or 0), int(second or 0)
    if value is None or minutes > 59 or seconds > 60 or (value == 24 and (minutes or seconds)):
        return None
    micro = int((frac or "0")[:6].ljust(6, "0"))
    return value, minutes, min(seconds, 59), micro


def _precision(groups: dict[str, str | None]) -> Precision:
    if groups.get("second"):
        return "second"
    if groups.get("minute"):
        return "minute"
    if groups.get("hour"):
        return "hour"
    if groups.get("day"):
        return "day"
    return "month"


def _months_back(moment: datetime, months: int) -> datetime:
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    day = moment.day
    while True:
        try:
            return moment.replace(year=year, month=month + 1, day=day)
        except ValueError:  # 31 March minus a month: the last day of February
            day -= 1


def _relative(text: str, now: datetime) -> TimeReading | None:
    said_ago = "前" in text or "ago" in text.lower()
    if not said_ago and (len(text) > 24 or not _REL_UNIT_PART.search(text)):
        return None  # the common case, without the chain's backtracking (it costs ~50 us)
    match = (_RELATIVE.search(text) if said_ago else None) or _RELATIVE_BARE.match(text)
    if not match:
        return None
    seconds, months, smallest = 0.0, 0, 31536000
    for part in _REL_UNIT_PART.finditer(match.group("chain")):
        count_text, unit = part.group("n").lower(), part.group("unit").lower()
        count = _WORD_COUNT[count_text] if count_text in _WORD_COUNT else float(count_text)
        key = unit.rstrip("s") if unit.isascii() and len(unit) > 1 else unit
        size = _REL_UNITS.get(key, 60)
        smallest = min(smallest, size)
        if size >= 2592000:  # months and years: calendar months back
            months += round(count * (12 if size == 31536000 else 1))
        else:
            seconds += count * size
    moment = _months_back(now, months) - timedelta(seconds=seconds)
    precision: Precision = "minute" if smallest < 86400 else "day"
    return TimeReading(moment, precision)


def _part_clock(groups: dict[str, str | None]) -> tuple[int, int, int, int] | None:
    part = groups.get("ampm") or groups.get("part")
    return _clock(groups.get("hour"), groups.get("minute"), groups.get("second"),
                  groups.get("frac"), part)  # fmt: skip


def _day_word(text: str, now: datetime) -> TimeReading | None:
    match = _DAY_WORD.search(text)
    if not match:
        return None
    day = now - timedelta(days=_DAY_WORDS[match.group(1).lower()])
    rest = text[match.end() :]
    clock_match = re.match(r"\s*" + _TIME, rest, re.I)
    said_hour = re.match(r"\s*(?:" + _PART_WORDS + r")?\s*\d{1,2}\s*[点點時时]", rest)
    if clock_match and (clock_match.group("minute") or clock_match.group("ampm") or said_hour):
        clock = _part_clock(clock_match.groupdict())
        if clock is None:
            return _fail("impossible time of day")
        moment = _build(day.year, day.month, day.day, clock, now.tzinfo or BEIJING)
        if moment is None:
            return _fail("impossible time of day")
        return TimeReading(moment, _precision(clock_match.groupdict()))
    return TimeReading(day.replace(hour=0, minute=0, second=0, microsecond=0), "day")


def _iso_short(groups: dict[str, str | None], zone: tzinfo) -> TimeReading:
    yy = groups["yy"] or groups["yy2"] or groups["yy3"] or "0"
    year = 2000 + int(yy) if int(yy) < 70 else 1900 + int(yy)
    if groups["ddd"]:
        start = _build(year, 1, 1, None, zone)
        ordinal = int(groups["ddd"])
        if start is None or not 1 <= ordinal <= 366:
            return _fail("impossible day of the year")
        return TimeReading(start + timedelta(days=ordinal - 1), "day")
    month = int(groups["mm"] or groups["mm2"] or 0)
    moment = _build(year, month, int(groups["dd"] or 1), None, zone)
    if moment is None:
        return _fail("impossible date")
    return TimeReading(moment, "day" if groups["dd"] else "month")


def _numeric_date(
    text: str, now: datetime, chinese_source: bool, naive_zone: tzinfo
) -> TimeReading | None:
    match = _COMPACT.match(text)
    if match is None:
        match = _YMD.search(text)
    if match is None:
        short = _ISO_SHORT.match(text)
        if short:
            return _iso_short(short.groupdict(), naive_zone)
        year_only = _YEAR_ONLY.match(text)
        if year_only:
            moment = _build(int(year_only.group("year")), 1, 1, None, naive_zone)
            return TimeReading(moment, "year") if moment else _fail("impossible year")
        return None
    groups = match.groupdict()
    if _GLUED.match(text, match.end()):
        return _fail(f"unexpected characters after the date in {text[:40]!r}")
    if (
        groups.get("s1")
        and groups.get("s2")
        and groups["s1"] != "年"
        and groups["s1"] != groups["s2"]
    ):
        return _fail("mixed date separators")
    year, month = int(groups["year"] or 0), int(groups["month"] or 0)
    if month > 12 and len(groups["month"] or "") == 3:
        month = int((groups["month"] or "")[1:])  # "2003-012-31": an extra leading zero
    day = int(groups.get("day") or 1)
    zone_token = groups.get("zone")
    if zone_token and zone_token.upper() in _NON_ZONE_WORDS:
        zone_token = None
    if zone_token and not groups.get("hour") and not re.fullmatch(r"[A-Za-z]+", zone_token):
        return _fail(f"an offset without a time of day in {text[:40]!r}")
    zone = _base_zone(zone_token, chinese_source, naive_zone)
    if zone is None:
        if re.fullmatch(r"[A-Za-z]{1,5}", zone_token or ""):
            zone = naive_zone  # a word after the date ("2026-08-21 by"), not a zone
        else:
            return _fail(f"unknown time zone {zone_token!r}")
    clock = None
    if groups.get("hour") is not None:
        clock = _part_clock(groups)
        if clock is None:
            return _fail("impossible time of day")
    moment = _build(year, month, day, clock, zone)
    if moment is None:
        return _fail("impossible date or offset")
    return TimeReading(moment, _precision(groups))


def _month_name_date(text: str, chinese_source: bool, naive_zone: tzinfo) -> TimeReading | None:
    """English dates: RFC 822 (`Thu, 01 Jan 2004 19:48:21 GMT`), `June 10, 2003 4:00 PM`,
    asctime (`Sun Jan  4 16:29:06 2004`, `Sun Jul 15 01:16:00 +0000 2012`)."""
    month_match = _MONTH_NAME.search(text)
    if not month_match:
        return None
    month = _MONTHS[month_match.group(1).lower()[:3]]
    rest = text[: month_match.start()] + " " * (month_match.end() - month_match.start())
    rest += text[month_match.end() :]
    clock = None
    zone: tzinfo | None = naive_zone
    precision: Precision = "day"
    for found in _WORD_CLOCK.finditer(rest):
        if found.group("minute") is None and found.group("ampm") is None:
            continue
        if found.group("extra"):
            return _fail("malformed time of day")
        clock = _clock(found.group("hour"), found.group("minute"), found.group("second"),
                       found.group("frac"), found.group("ampm"))  # fmt: skip
        if clock is None:
            return _fail("impossible time of day")
        precision = "second" if found.group("second") else "minute"
        after = rest[found.end() :]
        zone_match = _ZONE_AFTER.match(after)
        token = zone_match.group("zone") if zone_match else ""
        if zone_match and (token.isupper() or token.upper() not in _NON_ZONE_WORDS):
            if _GLUED.match(after, len(zone_match.group(0))) and token[0] in "+-":
                return _fail(f"malformed time zone in {text[:40]!r}")
            if (
                not re.match(r"\d", after.strip()[len(token) :].strip()[:1] or "x")
                or token[0] in "+-"
            ):
                zone = zone_of(token, chinese_source)
                if zone is None and not token.isalpha():
                    return _fail(f"unknown time zone {token!r}")
                if zone is None:
                    zone = naive_zone
                rest = (
                    rest[: found.start()]
                    + " " * (found.end() - found.start())
                    + (" " * len(zone_match.group(0)) + after[len(zone_match.group(0)) :])
                )
                break
        elif re.match(r"\s*[+-]\D", after):
            return _fail("malformed time zone")
        rest = rest[: found.start()] + " " * (found.end() - found.start()) + after
        break
    numbers = [n for n in re.findall(r"(?<![\d+-])\d+(?!\d)", rest)]
    year = next((int(n) for n in numbers if len(n) == 4), None)
    small = [n for n in numbers if len(n) <= 2]
    if not small:
        return _fail("no day of month")
    day = int(small[0])
    if year is None:
        if len(small) < 2:
            return _fail("no year")
        two = int(small[1])
        year = 2000 + two if two < 70 else 1900 + two
    moment = _build(year, month, day, clock, zone or naive_zone)
    if moment is None:
        return _fail("impossible date, time or offset")
    return TimeReading(moment, precision)


def _month_day(text: str, now: datetime) -> TimeReading | None:
    """`07-03 10:36`, `7月3日`: this year, or last year when that would lie in the future."""
    match = _MONTH_DAY.search(text)
    if not match:
        return None
    groups = match.groupdict()
    if "月" not in match.group(0) and groups.get("minute") is None:
        return None  # "07-03" alone is too ambiguous (a score, a range)
    clock = _part_clock(groups) if groups.get("hour") else None
    if groups.get("hour") and clock is None:
        return _fail("impossible time of day")
    moment = _build(now.year, int(groups["month"]), int(groups["day"]), clock,
                    now.tzinfo or BEIJING)  # fmt: skip
    if moment is None:
        return _fail("impossible month or day")
    if moment > now + timedelta(days=1):
        moment = _build(now.year - 1, moment.month, moment.day, clock, now.tzinfo or BEIJING)
        if moment is None:
            return _fail("impossible month or day")
    return TimeReading(moment, _precision(groups))


def _clock_only(text: str, now: datetime, chinese_source: bool) -> TimeReading | None:
    """`10:36`, `下午3:30`, `晚8:00`, `3:30 pm`: today, or yesterday when that is still ahead."""
    match = _CLOCK_ONLY.match(text)
    if not match or (match.group("minute") is None and match.group("ampm") is None
                     and not re.search(r"[点點時时]", text)):  # fmt: skip
        return None
    clock = _part_clock(match.groupdict())
    if clock is None:
        return _fail("impossible time of day")
    zone = now.tzinfo or BEIJING
    if match.group("zone"):
        named = zone_of(match.group("zone"), chinese_source)
        if named is None:
            return _fail(f"unknown time zone {match.group('zone')!r}")
        zone = named
    local_now = now.astimezone(zone)
    moment = _build(local_now.year, local_now.month, local_now.day, clock, zone)
    if moment is None:
        return _fail("impossible time of day")
    if moment > now + timedelta(hours=1):
        moment -= timedelta(days=1)
    return TimeReading(moment, _precision(match.groupdict()))


def read_time(
    text: object,
    now: datetime | None = None,
    *,
    chinese_source: bool = True,
    naive_zone: tzinfo = BEIJING,
) -> TimeReading:
    """Read one printed time. `now` is the crawl's clock for relative and clock-only times;
    `chinese_source` makes `CST` +08:00; naive times are in `naive_zone` (Beijing)."""
    if text is None:
        return _fail("no time given")
    if isinstance(text, int | float) and not isinstance(text, bool):
        moment = from_epoch(text)
        return TimeReading(moment, "second") if moment else _fail("epoch out of range")
    if not isinstance(text, str):
        return _fail(f"not a time: {type(text).__name__}")
    value = unicodedata.normalize("NFKC", text).strip()
    if not value:
        return _fail("empty")
    if len(value) > 300:
        value = value[:300]
    try:
        return _read(value, now, chinese_source, naive_zone)
    except (ValueError, OverflowError, KeyError, IndexError) as exc:  # never raise on input
        return _fail(f"unreadable time {value[:40]!r}: {exc}")


def _read(
    value: str, now: datetime | None, chinese_source: bool, naive_zone: tzinfo
) -> TimeReading:
    if _ISO_FAST.match(value):  # most machine-written times: the standard library reads them
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None:
            moment = moment if moment.tzinfo else moment.replace(tzinfo=naive_zone)
            return TimeReading(
                moment, "second" if len(value) > 16 else "minute" if len(value) > 10 else "day"
            )
    if _EPOCH.match(value):
        moment = from_epoch(value)
        return TimeReading(moment, "second") if moment else _fail("epoch out of range")
    clock_now = _clock_now(now, naive_zone)
    if _NOW_WORDS.match(value):
        return TimeReading(clock_now, "minute")
    reading = (
        _relative(value, clock_now)
        or _numeric_date(value, clock_now, chinese_source, naive_zone)
        or _month_name_date(value, chinese_source, naive_zone)
        or _day_word(value, clock_now)
        or _month_day(value, clock_now)
        or _clock_only(value, clock_now, chinese_source)
    )
    if reading is not None:
        return reading
    return _fail(f"no date or time in {value[:40]!r}")


def parse_time(
    text: object,
    now: datetime | None = None,
    *,
    chinese_source: bool = True,
    naive_zone: tzinfo = BEIJING,
) -> datetime | None:
    """The aware datetime of a printed time, or None (see `read_time` for the reason)."""
    return read_time(text, now, chinese_source=chinese_source, naive_zone=naive_zone).moment


# --- command-line arguments: --since 7d / 2026-06-01 / 2026-06-01T09:30 -------------------------

_SPAN = re.compile(r"^(\d+)\s*([hdwm])$")
_SPAN_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1),
               "m": timedelta(days=30)}  # fmt: skip


def parse_when(text: str, now: datetime | None = None) -> datetime:
    """A CLI time: a span back from now (12h, 7d, 2w, 3m = 30-day months), epoch seconds, or
    any date/time `read_time` reads (a bare date is midnight Beijing). Raises ValueError with
    the accepted forms, for the command line to show."""
    value = text.strip()
    span = _SPAN.match(value.lower())
    if span:
        return (now or datetime.now(UTC)) - int(span.group(1)) * _SPAN_UNITS[span.group(2)]
    if value.isdigit() and len(value) >= 9:
        moment = from_epoch(value)
    else:
        moment = read_time(value, now).moment
    if moment is None:
        raise ValueError(
            f"not a date: {text!r} (use 2026-06-01, 2026-06-01T09:30, or 7d / 12h / 2w / 3m)"
        )
    return moment
