"""Typed results of detection: what the detector, the alerts and the CLI exchange."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

# "model": the learned stage's reason (its probability and the terms that weighed most)
Field = Literal["title", "text", "model"]


@dataclass(frozen=True)
class Evidence:
    """One matched sentence and the lexicon terms found in it (every alert says why)."""

    field: Field
    sentence: str
    terms: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "sentence": self.sentence, "terms": list(self.terms)}


@dataclass(frozen=True)
class Detection:
    """Outcome of classifying one article; pure data, safe to store as JSON."""

    relevant: bool
    score: float
    sectors: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    lang: str = "zh"
    month: str | None = None  # "YYYY-MM" the action takes effect, when the text says so
    month_hint: int | None = None  # undated text: the month of its first "9月18日"
    rule_score: float | None = None  # the rules' own score (None: not recorded)
    model_score: float | None = None  # the model's probability (None: no model, or not asked)
    mentioned: tuple[str, ...] = ()  # sectors named near the action but not acted on
    # the actions the rules' sentences name, where the learned stage chose `actions` (the
    # reported ones) differently; event grouping keys on both (detection.events)
    rule_actions: tuple[str, ...] = ()
    # the sectors the rules' attribution chose, where the learned stage chose `sectors`
    # differently; event grouping keys on both (detection.events)
    rule_sectors: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in (
            "sectors",
            "actions",
            "actors",
            "figures",
            "mentioned",
            "rule_actions",
            "rule_sectors",
        ):
            d[key] = list(d[key])
        d["evidence"] = [e.to_dict() for e in self.evidence]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Detection:
        ev = tuple(
            Evidence(e["field"], e["sentence"], tuple(e.get("terms", ())))
            for e in d.get("evidence", ())
        )
        return cls(
            relevant=bool(d["relevant"]),
            score=float(d["score"]),
            sectors=tuple(d.get("sectors", ())),
            actions=tuple(d.get("actions", ())),
            actors=tuple(d.get("actors", ())),
            figures=tuple(d.get("figures", ())),
            evidence=ev,
            lang=d.get("lang", "zh"),
            month=d.get("month"),
            month_hint=d.get("month_hint"),
            rule_score=d.get("rule_score"),
            model_score=d.get("model_score"),
            mentioned=tuple(d.get("mentioned", ())),
            rule_actions=tuple(d.get("rule_actions", ())),
            rule_sectors=tuple(d.get("rule_sectors", ())),
        )
