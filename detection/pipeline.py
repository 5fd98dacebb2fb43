"""JSON-lines in, detections out, in order, with one EventIndex — as the live detector runs.

Input line: {"id", "title", "text", "lang"?, "published"?, "url"?}. Output line: id, relevant,
score, sectors, actions, actors, figures, event, evidence. A malformed line yields
{"id": null, "error": ...} and processing continues.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from core.timeparse import read_time
from detection.events import EventIndex
from detection.stage import ArticleText, detect_and_assign


def parse_published(value: Any) -> datetime | None:
    """A record's `published` (dates, date-times, epoch seconds; naive = Beijing) read by
    core.timeparse; an unreadable value is an error of that record."""
    if value is None or value == "":
        return None
    reading = read_time(value)
    if reading.moment is None:
        raise ValueError(f"published: {reading.reason}")
    return reading.moment


def process_record(rec: dict[str, Any], index: EventIndex) -> dict[str, Any]:
    """Classify one record and, when relevant, assign it to an event."""
    if not isinstance(rec, dict):
        raise ValueError("line is not a JSON object")
    rid = rec.get("id")
    if rid is None or rid == "":
        raise ValueError("missing id")
    title = rec.get("title") or ""
    text = rec.get("text") or ""
    if not isinstance(title, str) or not isinstance(text, str):
        raise ValueError("title and text must be strings")
    article = ArticleText(
        str(rid), title, text, rec.get("lang") or None, parse_published(rec.get("published"))
    )
    staged = detect_and_assign(article, index)
    det = staged.detection
    event = staged.assignment.event_id if staged.assignment else None
    reason = staged.assignment.reason if staged.assignment else None
    return {
        "id": rid,
        "relevant": det.relevant,
        "score": det.score,
        "rule_score": det.rule_score,
        "model_score": det.model_score,
        "sectors": list(det.sectors),
        "actions": list(det.actions),
        "actors": list(det.actors),
        "figures": list(det.figures),
        "month": det.month,
        "mentioned": list(det.mentioned),
        "event": event,
        "event_reason": reason,
        "evidence": [e.to_dict() for e in det.evidence],
    }


def run_jsonl(lines: Iterable[str], index: EventIndex | None = None) -> Iterator[dict[str, Any]]:
    """Process JSON lines in order; blank lines are skipped."""
    index = index or EventIndex()
    for line in lines:
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            yield process_record(rec, index)
        except (ValueError, TypeError) as exc:
            yield {"id": None, "error": f"{type(exc).__name__}: {exc}"}
