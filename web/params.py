"""Query-string parameters: typed values for the pages, and a note for each one ignored.

Filters live in the query string so every view is a shareable URL. A bad value never fails
the page: it is dropped and the page says why (and the log does).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from multidict import MultiMapping

from core.timeparse import parse_when

log = logging.getLogger(__name__)


@dataclass
class Params:
    """Reads one request's query string; `problems` collects what was ignored and why."""

    query: MultiMapping[str]
    problems: list[str] = field(default_factory=list)

    def text(self, name: str, max_len: int = 200) -> str:
        return " ".join(self.query.get(name, "").split())[:max_len]

    def many(self, name: str, allowed: Mapping[str, str] | None = None) -> tuple[str, ...]:
        """Every non-empty value of a repeated parameter (comma-separated values too)."""
        values: list[str] = []
        for raw in self.query.getall(name, []):
            for value in raw.split(","):
                value = value.strip()
                if not value or value in values:
                    continue
                if allowed is not None and value not in allowed:
                    self.ignore(name, value, "unknown value")
                    continue
                values.append(value)
        return tuple(values)

    def when(self, name: str, *, end_of_day: bool = False) -> datetime | None:
        """A date (Beijing), ISO time or span (7d); `end_of_day`: a bare date means up to the
        end of that day, so since=until=D shows day D."""
        raw = self.text(name, 40)
        if not raw:
            return None
        try:
            parsed = parse_when(raw)
        except ValueError as exc:
            self.ignore(name, raw, str(exc))
            return None
        return parsed + timedelta(days=1) if end_of_day and len(raw) == 10 else parsed

    def number(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.text(name, 12)
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            self.ignore(name, raw, "not a number")
            return default
        if not low <= value <= high:
            self.ignore(name, raw, f"outside {low}..{high}")
            return min(max(value, low), high)
        return value

    def flag(self, name: str) -> bool:
        return self.text(name, 8).lower() in ("1", "on", "true", "yes")

    def choice(self, name: str, options: tuple[str, ...]) -> str:
        raw = self.text(name, 20)
        if raw and raw not in options:
            self.ignore(name, raw, "unknown value")
        return raw if raw in options else options[0]

    def ignore(self, name: str, value: str, reason: str) -> None:
        self.problems.append(f"ignored {name}={value!r}: {reason}")
        log.info("web: ignored query parameter %s=%r: %s", name, value, reason)


def with_params(query: MultiMapping[str], **changes: str | int | None) -> str:
    """The query string with some parameters replaced (None removes one): paging links."""
    items = [(k, v) for k, v in query.items() if k not in changes]
    items += [(k, str(v)) for k, v in changes.items() if v is not None and v != ""]
    return urlencode(items)
