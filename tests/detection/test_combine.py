"""The combination chosen on training data only: re-deciding from recorded scores matches
classify, the choice is the best F1 on the detections it is given, and a fold's choice never
sees that fold's records."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from detection.classify import classify
from detection.learned import crossval
from detection.learned.combine import choose, decides_relevant, grid, relevance_f1
from detection.learned.commands import cv_command
from detection.learned.corpus import LabelledRecord, read_corpus
from detection.learned.linear import Combination
from detection.learned.train import fit
from detection.model import Detection

LOCAL = Path(__file__).resolve().parent / "labelled_examples.jsonl"


def _rec(rid: str, relevant: bool) -> LabelledRecord:
    return LabelledRecord(rid, "", "", "zh", None, relevant, (), (), None)


def _det(rule: float, model: float | None) -> Detection:
    return Detection(relevant=False, score=0.0, rule_score=rule, model_score=model)


def test_redeciding_from_recorded_scores_matches_classify() -> None:
    records = [r for r in read_corpus(LOCAL) if r.relevant is not None]
    model = fit(records)
    for r in records:
        det = classify(r.title, r.text, r.lang, model=model)
        assert decides_relevant(det, model.combination, 0.5) == det.relevant, r.id


def test_rules_alert_stands_unless_vetoed_and_unconsulted_model_cannot_lift() -> None:
    comb = Combination(model_weight=0.5, threshold=0.4, veto=0.15)
    assert decides_relevant(_det(0.7, 0.2), comb, 0.5)
    assert not decides_relevant(_det(0.7, 0.1), comb, 0.5)
    assert decides_relevant(_det(0.3, 0.5), comb, 0.5)  # 0.5*0.5 + 0.5*0.3 = 0.4
    assert not decides_relevant(_det(0.3, None), comb, 0.5)


def test_choice_is_the_best_f1_and_ties_go_to_the_fixed_weights() -> None:
    records = [_rec("a", True), _rec("b", True), _rec("c", False)]
    # b is lifted only by a low threshold; c would come along only with a heavy model weight
    dets = [_det(0.8, 0.9), _det(0.3, 0.55), _det(0.0, 0.75)]
    base = Combination()
    best = choose(records, dets, base, 0.5)
    assert relevance_f1(records, dets, best, 0.5) == 1.0
    assert all(relevance_f1(records, dets, c, 0.5) <= 1.0 for c in grid(base))
    assert decides_relevant(dets[1], best, 0.5) and not decides_relevant(dets[2], best, 0.5)
    # all records already right under the fixed weights: the fixed weights are kept
    easy = [_det(0.8, 0.9), _det(0.8, 0.9), _det(0.0, 0.1)]
    kept = choose(records, easy, base, 0.5)
    assert (kept.model_weight, kept.threshold) == (base.model_weight, base.threshold)


def test_a_folds_choice_never_sees_that_folds_records(monkeypatch: pytest.MonkeyPatch) -> None:
    records = read_corpus(LOCAL)
    folds = crossval.fold_of(records, 3, seed=0)
    trained_on: list[set[str]] = []
    real_fit = crossval.fit

    def spy_fit(train, params, combination):  # type: ignore[no-untyped-def]
        trained_on.append({r.id for r in train})
        return real_fit(train, params, combination)

    monkeypatch.setattr(crossval, "fit", spy_fit)
    report = crossval.cross_validate(records, 3, choose_combination=True)
    assert len(report.combinations) == 3
    # per outer fold: 4 inner fits then the fold's own model, none touching the held-out fold
    assert len(trained_on) == 3 * 5
    for n in range(3):
        held_out = {r.id for r, f in zip(records, folds, strict=True) if f == n}
        assert all(not (ids & held_out) for ids in trained_on[n * 5 : n * 5 + 5])


def test_eval_prints_the_chosen_column() -> None:
    out = io.StringIO()
    assert cv_command([LOCAL], 3, False, False, out, choose_combination=True) == 0
    text = out.getvalue()
    assert "cv, chosen/fold" in text and "combination chosen per fold" in text
    out = io.StringIO()
    assert cv_command([LOCAL], 3, False, True, out, choose_combination=True) == 0
    doc = json.loads(out.getvalue())
    assert "cv, chosen/fold" in doc and len(doc["combinations_chosen"]) == 3
