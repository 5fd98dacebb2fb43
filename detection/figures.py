"""Numbers worth showing in an alert: shares, quantities, durations and the action month."""

from __future__ import annotations

import re
from datetime import datetime

_PERCENT = re.compile(r"(?<![\d.])\d+(?:\.\d+)?\s?(?:%|个百分点|percent|成)")
_QUANTITY = re.compile(
    r"(?<![\d.])\d+(?:[.,]\d+)*\s?(?:万吨/年|万吨|亿吨|吨/日|t/d|万头|万辆|万千瓦|gw|mw|万箱|"
    r"亿元|万亿元|million (?:tonnes|tons|metric tons|sows|pigs)|"
    r"billion yuan|billion (?:tonnes|tons)|mt(?![a-z])|天|days)"
)
_ZH_YM = re.compile(r"(20\d\d)年(\d{1,2})月")
_ZH_M = re.compile(r"(?<![\d年])(\d{1,2})月(?:份|\d{1,2}日)?(?:起|开始|至|以来|实施|执行)?")
_EN_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_EN_M = re.compile(
    r"(?<![a-z])(" + "|".join(m for m in _EN_MONTHS) + r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|"
    r"oct|nov|dec)\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?(?!\d),?)?(?:\s+(20\d\d))?(?![a-z])"
)
_EN_ABBR = {m[:3]: i + 1 for i, m in enumerate(_EN_MONTHS)} | {"sept": 9}


def find_figures(sentences: list[str], limit: int = 8) -> list[str]:
    """Percentages and quantities, in order of appearance, without duplicates."""
    seen: dict[str, None] = {}
    for s in sentences:
        for rx in (_PERCENT, _QUANTITY):
            for m in rx.finditer(s):
                seen.setdefault(m.group(0).replace(" ", ""), None)
                if len(seen) >= limit:
                    return list(seen)
    return list(seen)


def find_month(sentences: list[str], published: datetime | None) -> str | None:
    """First month named in the evidence as "YYYY-MM"; the year comes from the text or
    from `published` (a bare month more than ~6 months after publication is last year)."""
    for s in sentences:
        m = _ZH_YM.search(s)
        if m and 1 <= int(m.group(2)) <= 12:
            return f"{m.group(1)}-{int(m.group(2)):02d}"
        m = _ZH_M.search(s)
        if m and 1 <= int(m.group(1)) <= 12:
            return _with_year(int(m.group(1)), None, published)
        for m in _EN_M.finditer(s):
            if m.group(0).rstrip(".") in ("may", "mar"):  # modal verb / ambiguous abbreviation
                continue
            name = m.group(1)
            month = _EN_ABBR[name[:4] if name == "sept" else name[:3]]
            year = int(m.group(2)) if m.group(2) else None
            return _with_year(month, year, published)
    return None


def _with_year(month: int, year: int | None, published: datetime | None) -> str | None:
    if year is None:
        if published is None:
            return None
        year = published.year
        if month - published.month > 6:
            year -= 1
    return f"{year}-{month:02d}"


def find_explicit_month(text: str) -> str | None:
    """First month written with its year anywhere ("2025年7月", "july 2025"): dates an
    undated article for event grouping."""
    m = _ZH_YM.search(text)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}-{int(m.group(2)):02d}"
    for m in _EN_M.finditer(text):
        if m.group(2) and m.group(0).rstrip(".") not in ("may", "mar"):
            name = m.group(1)
            return f"{m.group(2)}-{_EN_ABBR[name[:4] if name == 'sept' else name[:3]]:02d}"
    return None


_ZH_MD = re.compile(r"(?<![\d年])(\d{1,2})月(\d{1,2})日")


def find_month_hint(text: str) -> int | None:
    """Month number of the first dated day ("9月18日", "september 18") in a text whose year
    is unknown: enough to keep an undated report out of another month's event."""
    m = _ZH_MD.search(text)
    if m and 1 <= int(m.group(1)) <= 12:
        return int(m.group(1))
    for m in _EN_M.finditer(text):
        if m.group(0).rstrip(".") in ("may", "mar") or not re.search(r"\d", m.group(0)):
            continue
        name = m.group(1)
        return _EN_ABBR[name[:4] if name == "sept" else name[:3]]
    return None
