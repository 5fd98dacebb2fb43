"""`eval --show-groups`: which true events were split and which predicted events mixed."""

from __future__ import annotations

from detection.evaluate import Prediction, evaluate_predictions
from detection.learned.corpus import LabelledRecord
from detection.learned.crossval import CVReport, ScoredRecord
from detection.learned.grouping import grouping_report


def _rec(rid: str, event: str) -> LabelledRecord:
    return LabelledRecord(rid, f"title {rid}", "", "zh", None, True, ("steel",), (), event)


def test_split_and_mixed_events_are_listed_with_their_loss() -> None:
    records = [_rec("a", "T1"), _rec("b", "T1"), _rec("c", "T2"), _rec("d", "T3")]
    preds = [
        Prediction("a", True, 0.9, ("steel",), ("production_cut",), "P1"),
        Prediction("b", True, 0.9, ("steel",), ("production_cut",), "P2"),
        Prediction("c", True, 0.9, ("steel",), ("production_cut",), "P2"),
        Prediction("d", True, 0.9, ("steel",), ("production_cut",), "P3"),
    ]
    scored = tuple(ScoredRecord(r, p, 0) for r, p in zip(records, preds, strict=True))
    text = grouping_report(CVReport(2, evaluate_predictions(records, preds), {}, scored))
    heads = [
        line.strip()
        for line in text.splitlines()
        if line.startswith("  ") and "loss" in line and not line.startswith("    ")
    ]
    assert heads == ["T1  loss 1.00", "P2  loss 1.00"]
    assert "b  published -  true T1  predicted P2" in text
