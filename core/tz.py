"""Beijing time: the zone of every naive time a Chinese source prints."""

from __future__ import annotations

from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
