"""Times from Chinese sites: epoch seconds are UTC; naive wall-clock strings are Beijing time."""

from __future__ import annotations

from datetime import UTC, datetime
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
