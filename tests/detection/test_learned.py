"""The learned second stage: exact scoring without scikit-learn, reproducible training, the
committed model's provenance, rules-only fallback, model-only alerts that say why, honest
folds. Trains on the repository's own hand-written examples (no shared data needed)."""

from __future__ import annotations

import hashlib
import io
import json
import logging
from pathlib import Path

import pytest

from detection.classify import classify
from detection.learned import crossval, store
from detection.learned.commands import cv_command, train_command
from detection.learned.corpus import read_corpus
from detection.learned.linear import RELEVANT, Combination, Head, TextModel
from detection.learned.train import TrainParams, fit, record_tokens
from tests.conftest import SHARED

LOCAL = Path(__file__).resolve().parent / "labelled_examples.jsonl"


@pytest.fixture(scope="module")
def local_model() -> TextModel:
    return fit(read_corpus(LOCAL))


def test_plain_python_scoring_equals_scikit_learn(local_model: TextModel) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    records = [r for r in read_corpus(LOCAL) if r.relevant is not None]
    docs = [record_tokens(r) for r in records]
    vec = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True, min_df=2)
    x = vec.fit_transform(docs)
    lr = LogisticRegression(C=TrainParams().c, class_weight="balanced", max_iter=5000)
    lr.fit(x, [int(bool(r.relevant)) for r in records])
    expected = lr.predict_proba(x)[:, 1]
    got = [local_model.probability(local_model.vector(d)) for d in docs]
    assert max(abs(a - b) for a, b in zip(expected, got, strict=True)) < 1e-6
    assert len({round(p, 3) for p in got}) > 10  # really scoring, not a constant


def test_same_data_gives_the_same_bytes(tmp_path: Path) -> None:
    out = io.StringIO()
    assert train_command([LOCAL], [], tmp_path / "a.json.gz", out) == 0
    assert train_command([LOCAL], [], tmp_path / "b.json.gz", io.StringIO()) == 0
    a, b = (tmp_path / "a.json.gz").read_bytes(), (tmp_path / "b.json.gz").read_bytes()
    assert a == b
    meta = json.loads((tmp_path / "a.meta.json").read_text())
    assert meta["model_sha256"] == hashlib.sha256(a).hexdigest()
    assert meta["corpora"] == [
        {
            "name": LOCAL.name,
            "records": 86,
            "sha256": hashlib.sha256(LOCAL.read_bytes()).hexdigest(),
        }
    ]
    assert "sha256" in out.getvalue() and "86" in out.getvalue()
    loaded = store.load_model(tmp_path / "a.json.gz")
    assert loaded.terms and set(loaded.heads) >= {RELEVANT, "production_cut"}


def test_feedback_records_are_trained_on(tmp_path: Path, local_model: TextModel) -> None:
    extra = tmp_path / "feedback.jsonl"
    row = {
        "id": "fb-1",
        "lang": "zh",
        "title": "某地纸厂联合停机十天 意在控制产量稳定纸价",
        "text": "多家纸厂宣布联合停机十天，意在控制产量、稳定纸价。",
        "relevant": True,
        "sectors": ["paper"],
        "actions": ["production_cut"],
        "event": "paper-production_cut-fb",
    }
    extra.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    out = io.StringIO()
    assert train_command([LOCAL], [extra], tmp_path / "m.json.gz", out) == 0
    meta = json.loads((tmp_path / "m.meta.json").read_text())
    assert [c["name"] for c in meta["corpora"]] == [LOCAL.name, "feedback.jsonl"]
    assert meta["records"] == 84  # 83 labelled true/false + the feedback record


def test_bad_training_input_is_refused_with_a_reason(tmp_path: Path) -> None:
    only_true = tmp_path / "one.jsonl"
    only_true.write_text('{"id": "x", "title": "t", "text": "", "relevant": true}\nnot json\n')
    out = io.StringIO()
    assert train_command([only_true], [], tmp_path / "m.json.gz", out) == 2
    assert "relevant and not-relevant" in out.getvalue()
    assert train_command([tmp_path / "absent.jsonl"], [], None, out) == 2
    assert "not found" in out.getvalue()


def test_committed_model_is_small_and_names_its_data() -> None:
    assert store.DEFAULT_PATH.stat().st_size < 5_000_000
    meta = json.loads(store.meta_path(store.DEFAULT_PATH).read_text())
    assert meta["model_sha256"] == hashlib.sha256(store.DEFAULT_PATH.read_bytes()).hexdigest()
    assert store.default_model() is not None
    for corpus in meta["corpora"]:
        path = SHARED / "eval" / corpus["name"]
        if path.exists():  # stale model: the shared data changed, run `capwatch train`
            assert hashlib.sha256(path.read_bytes()).hexdigest() == corpus["sha256"], path


def test_missing_model_means_rules_only_said_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(store, "DEFAULT_PATH", tmp_path / "none.json.gz")
    store.default_model.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger=store.__name__):
            first = classify("光伏玻璃企业集体减产30%", "十家企业自7月起集体减产30%。")
            classify("钢厂限产", "唐山钢厂限产。")
        assert first.relevant and first.model_score is None
        assert first.score == first.rule_score
        said = [r for r in caplog.records if "rules only" in r.getMessage()]
        assert len(said) == 1
    finally:
        store.default_model.cache_clear()


def _toy_model() -> TextModel:
    """A hand-made model that is sure whenever "quota talks" appears."""
    terms = ("w:quota talks", "w:quota", "w:talks", "w:the")
    heads = {
        RELEVANT: Head((6.0, 1.0, 1.0, -0.5), -1.0),
        "capacity_exit": Head((4.0, 0.0, 1.0, 0.0), -1.0),
        "production_cut": Head((-2.0, 0.0, 0.0, 0.0), -1.0),
    }
    return TextModel(terms, (1.0, 1.0, 1.0, 1.0), heads, Combination(0.5, 0.45, 0.5))


def test_model_only_alert_says_why() -> None:
    title = "Producers hold quota talks as oversupply persists"
    rules_only = classify(title, "", "en", model=None)
    det = classify(title, "", "en", model=_toy_model())
    assert not rules_only.relevant
    assert det.relevant and det.model_score is not None and det.model_score > 0.9
    first = det.evidence[0]
    assert first.field == "model" and "quota talks" in first.terms
    assert det.actions == ("capacity_exit",)
    assert det.sectors == ("other",)
    assert det.to_dict()["evidence"][0]["field"] == "model"


def test_model_alone_never_alerts_off_topic() -> None:
    """A ministry notice with none of the topic's words stays quiet however sure the model
    is; the model is not even asked (most of a day's wire costs the rules only)."""
    title, text = "Ministry holds quota talks briefing", "The ministry met."
    toy = _toy_model()
    assert toy.probability(toy.vector(["w:quota talks", "w:quota", "w:talks"])) > 0.9
    det = classify(title, text, "en", model=toy)
    assert not det.relevant and det.model_score is None and det.score == det.rule_score == 0


def test_folds_keep_events_whole_and_never_score_training_records(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    records = read_corpus(LOCAL)
    folds = crossval.fold_of(records, 3, seed=0)
    by_group: dict[str, set[int]] = {}
    for r, f in zip(records, folds, strict=True):
        by_group.setdefault(r.group, set()).add(f)
    assert all(len(fs) == 1 for fs in by_group.values())
    assert len(set(folds)) == 3

    trained_on: list[set[str]] = []
    scored_by: dict[str, int] = {}
    real_fit, real_detect = crossval.fit, crossval.detect_all

    def spy_fit(train, params, combination):  # type: ignore[no-untyped-def]
        trained_on.append({r.id for r in train})
        return real_fit(train, params, combination)

    def spy_detect(test, model):  # type: ignore[no-untyped-def]
        for r in test:
            scored_by[r.id] = len(trained_on) - 1
        return real_detect(test, model)

    monkeypatch.setattr(crossval, "fit", spy_fit)
    monkeypatch.setattr(crossval, "detect_all", spy_detect)
    report = crossval.cross_validate(records, 3)
    assert len(trained_on) == 3 and len(scored_by) == len(records)
    assert all(rid not in trained_on[n] for rid, n in scored_by.items())
    assert report.metrics.n_scored == 83


def test_eval_cv_command_prints_figures_and_errors() -> None:
    out = io.StringIO()
    assert cv_command([LOCAL], 3, True, False, out) == 0
    text = out.getvalue()
    for needle in ("cv 3-fold", "in-sample", "rules only", "Relevance precision", "Recall en"):
        assert needle in text
    assert "errors (fold" in text
    out = io.StringIO()
    assert cv_command([LOCAL], 3, True, True, out) == 0
    doc = json.loads(out.getvalue())
    assert {"cv 3-fold", "in-sample", "rules only", "errors"} <= set(doc)
    for e in doc["errors"]:
        assert e["label"] != e["relevant"]
    assert cv_command([LOCAL], 1, False, False, io.StringIO()) == 2


def test_detect_jsonl_reports_both_scores() -> None:
    from detection.pipeline import run_jsonl

    row = {"id": "a", "title": "光伏玻璃企业集体减产30%", "text": "自7月起集体减产30%。"}
    line = json.dumps(row, ensure_ascii=False)
    out = next(run_jsonl([line]))
    assert out["relevant"] and out["rule_score"] > 0.5
    assert out["model_score"] is not None and 0 <= out["model_score"] <= 1
