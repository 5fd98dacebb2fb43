"""Whole saved days of real news through the detection pipeline, as the live system sees them.

Shared by `bench/real_traffic.py` (prints what each day would alert) and
tests/detection/test_real_traffic.py (pins bounds on the same numbers, so a lexicon change
cannot flood analysts on an ordinary day, or starve them on the keyword hits). The saved days
live in the reference folder (`../shared/fixtures/sources`), never in the repository.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detection.events import EventIndex
from detection.pipeline import run_jsonl

Record = dict[str, Any]  # the pipeline's JSON-lines input: id, title, text, published
_BRACKET = re.compile(r"^\s*【([^】]{2,120})】")


def cls_record(line: dict[str, Any]) -> Record:
    """CLS telegraph: `title` if set, else the leading 【…】 of the content, else the brief."""
    content = line.get("content") or line.get("brief") or ""
    title = (line.get("title") or "").strip()
    if not title:
        m = _BRACKET.match(content)
        title = m.group(1) if m else (line.get("brief") or "")
    return {
        "id": f"cls-{line['id']}",
        "title": title,
        "text": content,
        "published": line.get("ctime") or line.get("datetime"),
    }


def eastmoney_record(line: dict[str, Any]) -> Record:
    """Eastmoney 7x24: title and summary as the API returned them (`raw`)."""
    raw = line.get("raw") or {}
    return {
        "id": f"em-{raw.get('code') or line['id']}",
        "title": raw.get("title") or line.get("title") or "",
        "text": raw.get("summary") or line.get("content") or "",
        "published": raw.get("showTime") or line.get("datetime"),
    }


@dataclass(frozen=True)
class SavedDay:
    name: str
    path: tuple[str, ...]  # below the fixtures folder
    convert: Callable[[dict[str, Any]], Record]


SAVED_DAYS = (
    SavedDay("cls day 2026-08-21", ("cls", "cls_roll_archive_2026-08-21.jsonl"), cls_record),
    SavedDay(
        "eastmoney day 2026-08-21",
        ("eastmoney", "eastmoney_fastnews_archive_2026-08-21.jsonl"),
        eastmoney_record,
    ),
    SavedDay(
        "cls keyword hits 2026-05..08",
        ("cls", "cls_roll_archive_keyword_hits_2026-05-14_to_2026-08-22.jsonl"),
        cls_record,
    ),
)


@dataclass
class Traffic:
    name: str
    items: int = 0
    relevant: list[dict[str, Any]] = field(default_factory=list)  # the pipeline's output lines
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (event id, headline)

    @property
    def events(self) -> int:
        return len(self.alerts)


def run_file(name: str, path: Path, convert: Callable[[dict[str, Any]], Record]) -> Traffic:
    """Items in file order through one EventIndex; the first report of an event alerts."""
    records = [convert(json.loads(x)) for x in path.read_text("utf-8").splitlines() if x.strip()]
    titles = {r["id"]: r["title"] for r in records}
    out = Traffic(name, items=len(records))
    seen: set[str] = set()
    for res in run_jsonl((json.dumps(r, ensure_ascii=False) for r in records), EventIndex()):
        if not res.get("relevant"):
            continue
        out.relevant.append(res)
        if res["event"] not in seen:
            seen.add(res["event"])
            out.alerts.append((res["event"], titles[res["id"]]))
    return out


def run_saved_days(fixtures: Path) -> list[Traffic]:
    """Every saved day under `fixtures` (the reference folder's fixtures/sources)."""
    return [run_file(day.name, fixtures.joinpath(*day.path), day.convert) for day in SAVED_DAYS]
