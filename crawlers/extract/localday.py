"""A UTC stamp put in the publisher's own offset, so its date is the day the page shows.

Many sites stamp `article:published_time` in UTC (`…T03:28:35Z`) while the page, its URL and its
readers say the local day: a New York story of 22:28 on 8 November is `2023-11-09T03:28:35Z`.
The instant is right, the day read from it is not. The offset is taken from the page itself, in
this order: the same instant stamped elsewhere on the page with an offset (JSON-LD often carries
`-05:00` where the meta tag says `Z`); the date in the URL path (`/2023/11/08/`); the offset most
of the page's other stamps use; a date printed near the headline. With a day but no offset, the
whole-hour offset nearest UTC that gives that day is used, +08:00 first on Chinese pages (the
instant never changes).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

_STAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?([+-])(\d{2}):?(\d{2})(?!\d)"
)
_URL_DAY = re.compile(
    r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?=[/_.-]|$)"
)
MAX_SCAN = 400_000  # characters of HTML searched for stamps
EARLIEST, LATEST = -10, 14  # hours: offsets where news is published (Hawaii to Kiribati)


def _offset_stamps(html: str) -> list[tuple[datetime, timedelta]]:
    """(instant, offset) of every ISO stamp on the page with a non-zero offset."""
    found: list[tuple[datetime, timedelta]] = []
    for m in _STAMP.finditer(html, 0, MAX_SCAN):
        y, mo, d, hh, mm, ss, sign, oh, om = m.groups()
        offset = timedelta(hours=int(oh), minutes=int(om)) * (1 if sign == "+" else -1)
        if not offset or abs(offset) > timedelta(hours=LATEST):
            continue
        try:
            moment = datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss or 0),
                              tzinfo=timezone(offset))  # fmt: skip
        except ValueError:
            continue
        found.append((moment, offset))
    return found


def url_day(url: str | None) -> date | None:
    """The date a URL path carries (/2023/11/08/, /2023-11-08/, /20231108/), if any."""
    match = _URL_DAY.search(url or "")
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def on_day(moment: datetime, day: date, prefer: int | None = None) -> datetime | None:
    """`moment` in the whole-hour offset nearest UTC (or `prefer`, hours, first) whose date is
    `day`; None when no offset from Hawaii to Kiribati gives that day."""
    order = sorted(range(EARLIEST, LATEST + 1), key=lambda h: (h != prefer, abs(h)))
    for hours in order:
        local = moment.astimezone(timezone(timedelta(hours=hours)))
        if local.date() == day:
            return local
    return None


def publisher_local(
    moment: datetime,
    html: str,
    url: str | None,
    shown_day: Callable[[], date | None] | None = None,
    prefer: int | None = None,
) -> tuple[datetime, str]:
    """(moment in the publisher's offset, how it was found) for a UTC stamp; other moments
    are returned as they are. `shown_day` reads the date printed near the headline; it is
    called only when the page's stamps and URL say nothing. A URL date or shown day no offset
    in use reconciles with the instant (another day entirely) leaves the moment in UTC."""
    if moment.utcoffset() != timedelta(0):
        return moment, ""
    stamps = _offset_stamps(html)
    for instant, offset in stamps:
        if abs(instant - moment) < timedelta(minutes=1):
            return moment.astimezone(timezone(offset)), "the page's own stamp of that instant"
    day = url_day(url)
    if day is not None:
        return on_day(moment, day, prefer) or moment, "the URL's date"
    if stamps:
        offset = Counter(offset for _, offset in stamps).most_common(1)[0][0]
        return moment.astimezone(timezone(offset)), "the offset of the page's other stamps"
    day = shown_day() if shown_day is not None else None  # read only when nothing else says
    if day is not None:
        return on_day(moment, day, prefer) or moment, "the date shown near the headline"
    return moment, ""
