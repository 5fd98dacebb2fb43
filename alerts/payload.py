"""What an alert is rendered from: the detector builds it for a new event, the outbox stores
it as JSON, the renderer reads it. Typed, so a renamed field breaks at the type check rather
than as a blank line in an analyst's alert."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from detection.model import Detection, Evidence, Field

log = logging.getLogger(__name__)

MAX_EVIDENCE = 3  # sentences an alert shows under "Why it matched"


@dataclass(frozen=True)
class AlertPayload:
    """One event's first report, as its alert shows it."""

    headline: str
    sectors: tuple[str, ...]
    actions: tuple[str, ...]
    actors: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    mentioned: tuple[str, ...] = ()  # sectors named beside the action, not acted on
    evidence: tuple[Evidence, ...] = ()
    score: float = 0.0
    source_key: str = ""
    source_name: str = ""
    tier: str = "media"
    url: str | None = None
    article_id: int | None = None
    published_at: datetime | None = None
    event_id: str | None = None  # not stored: the outbox row carries it

    @classmethod
    def of(
        cls,
        detection: Detection,
        *,
        headline: str,
        source_key: str,
        source_name: str,
        tier: str,
        url: str | None,
        article_id: int | None,
        published_at: datetime | None,
        event_id: str | None = None,
    ) -> AlertPayload:
        """The payload of a report's detection (the first few evidence sentences)."""
        return cls(
            headline=headline,
            sectors=detection.sectors,
            actions=detection.actions,
            actors=detection.actors,
            figures=detection.figures,
            mentioned=detection.mentioned,
            evidence=detection.evidence[:MAX_EVIDENCE],
            score=detection.score,
            source_key=source_key,
            source_name=source_name,
            tier=tier,
            url=url,
            article_id=article_id,
            published_at=published_at,
            event_id=event_id,
        )

    def with_event(self, event_id: str) -> AlertPayload:
        return replace(self, event_id=event_id)

    def to_json(self) -> dict[str, Any]:
        """The outbox's JSON form (the keys older rows already use)."""
        return {
            "headline": self.headline,
            "sectors": list(self.sectors),
            "actions": list(self.actions),
            "actors": list(self.actors),
            "figures": list(self.figures),
            "mentioned": list(self.mentioned),
            "evidence": [e.to_dict() for e in self.evidence],
            "score": self.score,
            "source_key": self.source_key,
            "source_name": self.source_name,
            "tier": self.tier,
            "url": self.url,
            "article_id": self.article_id,
            "published_at": self.published_at.isoformat() if self.published_at else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], event_id: str | None = None) -> AlertPayload:
        """Read a stored payload; a missing or malformed field falls back to empty (logged),
        so one odd outbox row still renders instead of failing the chat's queue."""
        return cls(
            headline=_text(data.get("headline")),
            sectors=_strings(data.get("sectors")),
            actions=_strings(data.get("actions")),
            actors=_strings(data.get("actors")),
            figures=_strings(data.get("figures")),
            mentioned=_strings(data.get("mentioned")),
            evidence=_evidence(data.get("evidence")),
            score=_score(data.get("score")),
            source_key=_text(data.get("source_key")),
            source_name=_text(data.get("source_name")) or _text(data.get("source_key")),
            tier=_text(data.get("tier")) or "media",
            url=_text(data.get("url")) or None,
            article_id=data["article_id"] if isinstance(data.get("article_id"), int) else None,
            published_at=_moment(data.get("published_at")),
            event_id=event_id if event_id is not None else (_text(data.get("event_id")) or None),
        )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(str(v) for v in value)


def _score(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _evidence(value: Any) -> tuple[Evidence, ...]:
    if not isinstance(value, list | tuple):
        return ()
    out = []
    for item in value:
        if not isinstance(item, dict):
            log.warning("alert payload: evidence entry %r is not an object; skipped", item)
            continue
        raw_field = item.get("field")
        field: Field = raw_field if raw_field in ("title", "text", "model") else "text"
        out.append(Evidence(field, _text(item.get("sentence")), _strings(item.get("terms"))))
    return tuple(out)


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        log.warning("alert payload: published_at %r is no ISO time; shown as unknown", value)
        return None
