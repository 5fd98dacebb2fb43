"""The per-action stackers (measured, off by default: TrainParams.action_stack): learned
inside the training records only (inner grouped folds), stored with the model, and deciding
the reported actions while the rules' own actions stay the grouping keys. Trains on the
repository's own examples (no shared data needed)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from detection.classify import classify, rule_evidence
from detection.events import EventIndex, key_actions
from detection.learned import store, train
from detection.learned.corpus import LabelledRecord, read_corpus
from detection.learned.linear import TextModel
from detection.learned.stack import ACTIONS, ActionEvidence, StackerCut, decide, features
from detection.learned.train import TrainParams, fit
from detection.model import Detection

LOCAL = Path(__file__).resolve().parent / "labelled_examples.jsonl"


@pytest.fixture(scope="module")
def stacked() -> TextModel:
    return fit(read_corpus(LOCAL), TrainParams(action_stack=True))


def _cut(bias: float, cut: float = 0.5, share_w: float = 0.0) -> StackerCut:
    n = len(features(ActionEvidence({}, {}, frozenset()), {}, ACTIONS[0]))
    return StackerCut((share_w,) + (0.0,) * (n - 1), bias, cut)


def test_each_action_gets_a_stacker_with_a_cut(stacked: TextModel) -> None:
    assert set(stacked.stack) <= set(ACTIONS) and len(stacked.stack) >= 3
    for cut in stacked.stack.values():
        assert 0.1 <= cut.cut <= 0.9
        assert any(abs(c) > 1e-3 for c in cut.coef)  # learned, not a constant


def test_stacker_head_probabilities_are_out_of_fold(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stacker learns from heads that never saw the record's event."""
    records = read_corpus(LOCAL)
    seen: list[set[str]] = []
    asked: dict[str, int] = {}
    fitting = [False]
    real_fit, real_tokens = train._fit, train.record_tokens

    def spy_fit(recs, params, combination):  # type: ignore[no-untyped-def]
        seen.append({r.group for r in recs})
        fitting[0] = True
        try:
            return real_fit(recs, params, combination)
        finally:
            fitting[0] = False

    def spy_tokens(rec: LabelledRecord) -> list[str]:
        if not fitting[0]:  # a held-out record scored by the inner model just fitted
            asked[rec.id] = len(seen) - 1
        return real_tokens(rec)

    monkeypatch.setattr(train, "_fit", spy_fit)
    monkeypatch.setattr(train, "record_tokens", spy_tokens)
    fit(records, TrainParams(action_stack=True))
    # fit 0 is the model itself; fits 1.. are the inner folds whose held-out records are scored
    by_id = {r.id: r for r in records}
    inner = {rid: n for rid, n in asked.items() if n >= 1}
    assert len(inner) == sum(bool(r.relevant) for r in records)
    assert all(by_id[rid].group not in seen[n] for rid, n in inner.items())


def test_decide_reports_the_actions_past_their_cut_strongest_rule_first() -> None:
    ev = ActionEvidence({"capacity_exit": 1.0, "production_cut": 0.4}, {}, frozenset())
    cuts = {
        "production_cut": _cut(2.0),  # p 0.88 >= 0.5
        "capacity_exit": _cut(1.0),  # p 0.73 >= 0.5
        "inspection": _cut(-2.0),  # p 0.12 < 0.5
    }
    assert decide(cuts, ev, {}) == ("capacity_exit", "production_cut")


def test_decide_always_reports_one_action() -> None:
    ev = ActionEvidence({}, {}, frozenset())
    cuts = {"production_cut": _cut(-3.0, 0.5), "inspection": _cut(-1.0, 0.5)}
    assert decide(cuts, ev, {}) == ("inspection",)
    assert decide({}, ev, {}) == ()


def test_model_file_keeps_the_stackers_and_older_files_still_load(
    stacked: TextModel, tmp_path: Path
) -> None:
    meta = store.TrainingMeta((), 0, 0, 0, TrainParams().as_dict(), "test")
    path = tmp_path / "m.json.gz"
    store.write_model(path, stacked, meta)
    back = store.load_model(path)
    assert set(back.stack) == set(stacked.stack)
    for name, cut in stacked.stack.items():
        assert back.stack[name].cut == pytest.approx(cut.cut)
        assert back.stack[name].coef == pytest.approx(cut.coef, rel=1e-5)
    plain = fit(read_corpus(LOCAL))
    store.write_model(path, plain, meta)
    assert store.load_model(path).stack == {}


def test_classify_reports_stacked_actions_and_keeps_the_rules_ones(stacked: TextModel) -> None:
    title = "多晶硅企业联合减产 收储平台推进产能出清"
    text = "多家多晶硅企业宣布减产30%,行业收储平台将收购并关停落后产能。"
    det = classify(title, text, "zh", model=stacked)
    rules = classify(title, text, "zh", model=None)
    assert det.relevant and det.actions
    assert set(det.actions) <= set(ACTIONS)
    assert det.rule_actions == rules.actions
    assert set(key_actions(det)) == set(det.actions) | set(rules.actions)
    ev = rule_evidence(title, text, "zh")[0]
    assert ev.share["production_cut"] > 0 and ev.share["capacity_exit"] > 0
    assert max(ev.share.values()) == 1.0


def test_grouping_keys_on_the_rules_actions_too() -> None:
    """Two reports of one action whose reported actions differ still share a key."""
    from datetime import UTC, datetime

    index = EventIndex()
    when = datetime(2025, 7, 10, tzinfo=UTC)
    a = Detection(True, 0.9, ("polysilicon",), ("capacity_exit",), lang="en")
    b = Detection(
        True, 0.9, ("polysilicon",), ("production_cut",), lang="en", rule_actions=("capacity_exit",)
    )
    first = index.assign("a", "Polysilicon buyout platform", "one", a, when)
    second = index.assign("b", "Polysilicon makers cut output", "two", b, when)
    assert first.is_new and not second.is_new and second.event_id == first.event_id


def test_detection_round_trips_rule_actions() -> None:
    det = Detection(True, 0.8, ("steel",), ("production_cut",), rule_actions=("policy_guideline",))
    assert Detection.from_dict(det.to_dict()) == det
    old = det.to_dict()
    del old["rule_actions"]
    assert Detection.from_dict(old).rule_actions == ()


def test_the_shipped_training_keeps_the_rules_actions(tmp_path: Path) -> None:
    """Action stackers are measured, not shipped (README): `capwatch train` learns none."""
    from detection.learned.commands import train_command

    assert not TrainParams().action_stack
    assert train_command([LOCAL], [], tmp_path / "m.json.gz", io.StringIO()) == 0
    assert store.load_model(tmp_path / "m.json.gz").stack == {}
