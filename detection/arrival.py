"""When a labelled record would have reached the live detector, and in what order.

Live, every report has a time: its published time, else the moment capwatch first saw it
(first_seen_at), and the detector takes pending reports in that order
(db.articles.claim_pending_articles). A labelled record with `published` null has no crawl
moment, so an evaluation streaming it as "undated" lets it join events of any year: a grouping
that can never happen live. The honest stand-in for the missing crawl moment is the month the
labelled event names (`<sector>-<action>-<yyyy-mm>[-<short>]`, LABELING.md): the month the
action was news, when a live crawl would have seen it. Only the time is taken from the label;
sectors, actions and the grouping itself are not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from core.tz import BEIJING

T = TypeVar("T")

_EVENT_MONTH = re.compile(r"-((?:19|20)\d\d)-(0[1-9]|1[0-2])(?:-|$)")


def event_month_time(event: str | None) -> datetime | None:
    """Mid-month (Beijing noon on the 15th) of the month an event key names, or None."""
    if not event:
        return None
    found = _EVENT_MONTH.search(event)
    if found is None:
        return None
    return datetime(int(found.group(1)), int(found.group(2)), 15, 12, tzinfo=BEIJING)


def arrival_time(published: datetime | None, event: str | None) -> datetime | None:
    """The record's report time as live would have it: published, else its event's month."""
    return published if published is not None else event_month_time(event)


def carried_times(times: Sequence[datetime | None]) -> list[datetime | None]:
    """Each item's report time, a timeless one (no date, no labelled event: a negative or
    borderline record) taking the time of the item before it, where it also sorts. Live
    every report has a crawl moment; streamed undated, such a record would open an undated
    event that any dated report of any year could join."""
    out: list[datetime | None] = []
    last: datetime | None = None
    for when in times:
        if when is not None:
            last = when if when.tzinfo else when.replace(tzinfo=BEIJING)
        out.append(when if when is not None else last)
    return out


def in_arrival_order(items: Sequence[T], time_of: Callable[[T], datetime | None]) -> list[int]:
    """Indexes of `items` in live processing order: by report time, ties and items without
    any time keep their corpus order (a timeless item sorts with the item before it)."""
    keys: list[tuple[datetime | None, int]] = []
    last: datetime | None = None
    for i, item in enumerate(items):
        when = time_of(item)
        if when is not None:
            when = when if when.tzinfo else when.replace(tzinfo=BEIJING)
            last = when
        keys.append((when or last, i))
    floor = datetime.min.replace(tzinfo=BEIJING)
    return [i for _, i in sorted(keys, key=lambda k: (k[0] or floor, k[1]))]
