"""Quality gates: pinned floors on figures the detector was not fitted to.

- our own hand-written examples (the committed model never trained on them);
- grouped 5-fold cross-validation over all shared labelled data (../shared/eval): each fold's
  model retrained on the other folds, events kept whole, so no figure here is in-sample.
Floors are measured values minus a small margin; raising them is fine, lowering them must be
a deliberate edit here, never a side effect of a lexicon change. The issue-11 targets are
written beside each floor; `capwatch eval --cv 5` prints the same figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from detection.evaluate import Metrics, evaluate_corpus
from detection.learned.commands import SHARED_CORPORA
from detection.learned.corpus import read_corpora
from detection.learned.crossval import CVReport, cross_validate
from tests.conftest import shared_path

HERE = Path(__file__).resolve()
LOCAL = HERE.parent / "labelled_examples.jsonl"

# measured (86 examples, rules + committed model): P 1.0 R 1.0 sec 1.0 act 0.962 b3 1.0
LOCAL_FLOORS = {
    "relevance_precision": 0.95,
    "relevance_recall": 0.95,
    "sector_f1": 0.97,
    "action_f1": 0.93,
    "bcubed_f1": 0.97,
}
# measured, grouped 5-fold CV over dev+dev2+train (340 records, 303 scored):
# P 0.982 R 0.936 sec 0.898 act 0.803 b3 0.905 alerts/event 1.081; recall en 0.944 zh 0.931
# (fold seeds 1-3: act 0.804 / 0.805 / 0.801, sector 0.893 / 0.905 / 0.892)
# (sectors: a stacker learned inside each training fold, detection.learned.sectors)
# (records stream in report-time order, an undated one at its event's month: detection.arrival)
# (targets: P 0.95, R 0.92, sector 0.88, action 0.80, B-cubed 0.90, alerts 1.1)
CV_FLOORS = {
    "relevance_precision": 0.955,
    "relevance_recall": 0.915,
    "sector_f1": 0.88,
    "action_f1": 0.795,
    "bcubed_f1": 0.89,
}
CV_MAX_ALERTS = 1.11
# Issue 11: English recall within 3 points of Chinese (English was the weak language; either
# language falling behind the other by more than that fails).
LANG_GAP_MAX = 0.03


def _check(metrics: Metrics, floors: dict[str, float], max_alerts: float) -> None:
    d = metrics.to_dict()
    low = {k: (d[k], v) for k, v in floors.items() if d[k] < v}
    assert not low, f"below floor (value, floor): {low}"
    assert d["alerts_per_event"] <= max_alerts, d


def test_local_labelled_examples_gate() -> None:
    _check(evaluate_corpus(str(LOCAL)), LOCAL_FLOORS, max_alerts=1.1)


def test_local_examples_are_many_and_mixed() -> None:
    import json

    rows = [json.loads(x) for x in LOCAL.read_text(encoding="utf-8").splitlines() if x]
    assert len(rows) >= 86
    assert {r["lang"] for r in rows} == {"zh", "en"}
    assert sum(r["relevant"] is False for r in rows) >= 25


@pytest.fixture(scope="module")
def shared_cv() -> CVReport:
    paths = [shared_path("eval", name) for name in SHARED_CORPORA]
    records, _ = read_corpora(paths)
    assert len(records) >= 340
    return cross_validate(records, 5)


def test_cross_validated_gate(shared_cv: CVReport) -> None:
    _check(shared_cv.metrics, CV_FLOORS, CV_MAX_ALERTS)


def test_english_and_chinese_recall_within_three_points(shared_cv: CVReport) -> None:
    by_lang = shared_cv.recall_by_lang
    assert abs(by_lang["en"] - by_lang["zh"]) <= LANG_GAP_MAX, by_lang
