"""Scores predictions against labelled records (LABELING.md format).

- Relevance P/R/F1 over records labelled true/false (null = borderline, left out).
- Sector and action micro-F1 over records labelled relevant (predicted sets are empty when
  the record was predicted not relevant).
- B-cubed F1 of event clustering over records labelled relevant: the gold cluster is the
  labelled event, the predicted cluster is the predicted event id; a record without a
  predicted event (predicted not relevant, or no id) counts as its own singleton.
- Alerts per true event: distinct predicted events among the records of one true event,
  averaged over the true events that got at least one alert (a missed record contributes
  nothing; wholly missed events are counted in `events_missed` instead of lowering the mean).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from detection.model import Detection

if TYPE_CHECKING:
    from detection.learned.corpus import LabelledRecord


@dataclass(frozen=True)
class Prediction:
    """What the detector said about one labelled record."""

    id: str
    relevant: bool
    score: float
    sectors: tuple[str, ...]
    actions: tuple[str, ...]
    event: str | None
    rule_score: float | None = None
    model_score: float | None = None

    @classmethod
    def of(cls, rid: str, det: Detection, event: str | None) -> Prediction:
        return cls(
            rid,
            det.relevant,
            det.score,
            det.sectors,
            det.actions,
            event,
            det.rule_score,
            det.model_score,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "relevant": self.relevant,
            "sectors": list(self.sectors),
            "actions": list(self.actions),
            "event": self.event,
        }


@dataclass(frozen=True)
class Metrics:
    n_records: int
    n_scored: int
    relevance_precision: float
    relevance_recall: float
    relevance_f1: float
    sector_f1: float
    action_f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    alerts_per_event: float
    true_events: int
    events_missed: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _ratio(a: float, b: float, empty: float = 1.0) -> float:
    return a / b if b else empty


def _micro(pairs: Iterable[tuple[set[str], set[str]]]) -> float:
    tp = fp = fn = 0
    for gold, pred in pairs:
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    return _f1(_ratio(tp, tp + fp), _ratio(tp, tp + fn))


def _bcubed(gold: list[str], pred: list[str]) -> tuple[float, float]:
    gmem: dict[str, set[int]] = defaultdict(set)
    pmem: dict[str, set[int]] = defaultdict(set)
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        gmem[g].add(i)
        pmem[p].add(i)
    if not gold:
        return 1.0, 1.0
    prec = rec = 0.0
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        both = len(gmem[g] & pmem[p])
        prec += both / len(pmem[p])
        rec += both / len(gmem[g])
        del i
    return prec / len(gold), rec / len(gold)


def evaluate(records: list[dict[str, Any]], predictions: list[dict[str, Any]]) -> Metrics:
    """Predictions are matched to records by id; a record with no prediction is a miss."""
    by_id = {p.get("id"): p for p in predictions if p.get("id") is not None}
    tp = fp = fn = 0
    sec_pairs, act_pairs = [], []
    gold_ev: list[str] = []
    pred_ev: list[str] = []
    alerts: dict[str, set[str]] = defaultdict(set)
    scored = 0
    for i, rec in enumerate(records):
        label = rec.get("relevant")
        pred = by_id.get(rec.get("id"), {})
        said = bool(pred.get("relevant"))
        if label is None:
            continue
        scored += 1
        tp += int(label and said)
        fp += int(not label and said)
        fn += int(label and not said)
        if not label:
            continue
        sec_pairs.append(
            (set(rec.get("sectors") or ()), set(pred.get("sectors") or ()) if said else set())
        )
        act_pairs.append(
            (set(rec.get("actions") or ()), set(pred.get("actions") or ()) if said else set())
        )
        gold = rec.get("event") or f"__gold_{i}"
        event = pred.get("event") if said else None
        gold_ev.append(gold)
        pred_ev.append(event or f"__single_{i}")
        if event:
            alerts[gold].add(event)
    p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    bp, br = _bcubed(gold_ev, pred_ev)
    true_events = set(gold_ev)
    hit = [len(alerts[g]) for g in true_events if alerts[g]]
    return Metrics(
        n_records=len(records),
        n_scored=scored,
        relevance_precision=round(p, 4),
        relevance_recall=round(r, 4),
        relevance_f1=round(_f1(p, r), 4),
        sector_f1=round(_micro(sec_pairs), 4),
        action_f1=round(_micro(act_pairs), 4),
        bcubed_precision=round(bp, 4),
        bcubed_recall=round(br, 4),
        bcubed_f1=round(_f1(bp, br), 4),
        alerts_per_event=round(_ratio(sum(hit), len(hit), 0.0), 4),
        true_events=len(true_events),
        events_missed=len(true_events) - len(hit),
    )


def evaluate_predictions(
    records: Sequence[LabelledRecord], predictions: Sequence[Prediction]
) -> Metrics:
    return evaluate([r.to_dict() for r in records], [p.to_dict() for p in predictions])


def evaluate_corpus(path: str) -> Metrics:
    """Run the pipeline over a labelled JSONL file and score it. Records go in live order at
    their report time (an undated one at its labelled event's month: detection.arrival)."""
    import json

    from detection.arrival import arrival_time, carried_times, in_arrival_order
    from detection.pipeline import parse_published, run_jsonl

    with open(path, encoding="utf-8") as fh:
        records = [json.loads(ln) for ln in fh if ln.strip()]
    times = carried_times(
        [arrival_time(parse_published(r.get("published")), r.get("event")) for r in records]
    )
    timed = [
        {**r, "published": t.isoformat() if t else None}
        for r, t in zip(records, times, strict=True)
    ]
    order = in_arrival_order(range(len(records)), lambda i: times[i])
    lines = [json.dumps(timed[i], ensure_ascii=False) for i in order]
    return evaluate(records, list(run_jsonl(lines)))
