"""Honest figures: grouped k-fold cross-validation of the whole detector (rules + model).

Every report of one labelled event lands in the same fold (a copy or translation of a test
article is never in training); each fold's model is trained on the other folds only, then the
fold's records go through classify and event grouping in corpus order, as live. The pooled
predictions are scored once with detection.evaluate. `in_sample` runs the same pipeline with
a model trained on everything, for the side-by-side figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from detection.arrival import arrival_time, carried_times, in_arrival_order
from detection.classify import classify
from detection.evaluate import Metrics, Prediction, evaluate_predictions
from detection.events import EventIndex
from detection.learned.corpus import LabelledRecord
from detection.learned.linear import Combination, TextModel
from detection.learned.train import TrainParams, fit
from detection.model import Detection
from detection.pipeline import parse_published
from detection.stage import ArticleText, detect_and_assign


@dataclass(frozen=True)
class ScoredRecord:
    """One record's label beside what the detector said (for --show-errors)."""

    record: LabelledRecord
    prediction: Prediction
    fold: int


@dataclass(frozen=True)
class CVReport:
    folds: int
    metrics: Metrics
    recall_by_lang: dict[str, float]
    scored: tuple[ScoredRecord, ...]
    combinations: tuple[Combination, ...] = ()  # chosen per fold (choose_combination only)

    def errors(self) -> list[ScoredRecord]:
        """False alerts and missed records, the worst first (highest-scored false alerts,
        lowest-scored misses)."""
        wrong = [
            s
            for s in self.scored
            if s.record.relevant is not None and s.record.relevant != s.prediction.relevant
        ]
        return sorted(wrong, key=lambda s: (s.record.relevant, -s.prediction.score))


def fold_of(records: Sequence[LabelledRecord], k: int, seed: int) -> list[int]:
    """Fold number per record: groups (events) kept whole, labels spread evenly."""
    from sklearn.model_selection import StratifiedGroupKFold

    if k < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    labels = [int(bool(r.relevant)) for r in records]
    groups = [r.group for r in records]
    folds = [0] * len(records)
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    for n, (_, test) in enumerate(splitter.split(records, labels, groups)):
        for i in test:
            folds[int(i)] = n
    return folds


def detect_all(records: Sequence[LabelledRecord], model: TextModel | None) -> list[Detection]:
    return [
        classify(r.title, r.text, r.lang, parse_published(r.published), model=model)
        for r in records
    ]


def group(records: Sequence[LabelledRecord], detections: Sequence[Detection]) -> list[Prediction]:
    """Event grouping over all records with one index, as live: in report-time order, each
    record at its report time (an undated one at its labelled event's month, standing in for
    the crawl moment live always has; see detection.arrival), given its detection."""
    index = EventIndex()
    times = carried_times([arrival_time(parse_published(r.published), r.event) for r in records])
    out: list[Prediction | None] = [None] * len(records)
    for i in in_arrival_order(range(len(records)), lambda i: times[i]):
        r, det = records[i], detections[i]
        article = ArticleText(r.id, r.title, r.text, r.lang, times[i])
        staged = detect_and_assign(article, index, det)
        event = staged.assignment.event_id if staged.assignment else None
        out[i] = Prediction.of(r.id, det, event)
    return [p for p in out if p is not None]


def cross_validate(
    records: Sequence[LabelledRecord],
    k: int = 5,
    params: TrainParams | None = None,
    combination: Combination | None = None,
    choose_combination: bool = False,
) -> CVReport:
    """Each record classified by the model of the fold it was held out of; then all records
    grouped into events together (so a wrong merge across folds still counts).
    `choose_combination`: each fold's model/rules weight and threshold are chosen by an inner
    grouped CV of its training part (detection.learned.combine), not fixed."""
    params = params or TrainParams()
    folds = fold_of(records, k, params.seed)
    dets: list[Detection | None] = [None] * len(records)
    chosen: list[Combination] = []
    for n in range(k):
        train = [r for r, f in zip(records, folds, strict=True) if f != n]
        comb = combination
        if choose_combination:
            comb = _inner_choice(train, params, combination or Combination())
            chosen.append(comb)
        model = fit(train, params, comb)
        test = [i for i, f in enumerate(folds) if f == n]
        for i, det in zip(test, detect_all([records[i] for i in test], model), strict=True):
            dets[i] = det
    done = [d for d in dets if d is not None]
    report = _report(records, group(records, done), folds, k)
    return replace(report, combinations=tuple(chosen))


def _inner_choice(
    train: Sequence[LabelledRecord], params: TrainParams, base: Combination
) -> Combination:
    """The combination that does best on out-of-fold detections of `train` alone."""
    from detection.learned.combine import INNER_FOLDS, choose
    from detection.lexicon import load_lexicon

    labelled = [r for r in train if r.relevant is not None]
    inner = fold_of(labelled, INNER_FOLDS, params.seed)
    relevance_only = replace(params, stack=False)  # the choice reads relevance alone
    dets: list[Detection | None] = [None] * len(labelled)
    for n in range(INNER_FOLDS):
        train_part = [r for r, f in zip(labelled, inner, strict=True) if f != n]
        model = fit(train_part, relevance_only, base)
        test = [i for i, f in enumerate(inner) if f == n]
        for i, det in zip(test, detect_all([labelled[i] for i in test], model), strict=True):
            dets[i] = det
    threshold = float(load_lexicon().settings.get("threshold", 0.5))
    return choose(labelled, [d for d in dets if d is not None], base, threshold)


def in_sample(records: Sequence[LabelledRecord], model: TextModel | None) -> CVReport:
    """The detector with `model` (trained on these very records, or None: rules only)."""
    preds = group(records, detect_all(records, model))
    return _report(records, preds, [0] * len(records), 0)


def _report(
    records: Sequence[LabelledRecord], preds: list[Prediction], folds: list[int], k: int
) -> CVReport:
    metrics = evaluate_predictions(records, preds)
    recall: dict[str, float] = {}
    for lang in sorted({r.lang or "?" for r in records}):
        pos = [
            p for r, p in zip(records, preds, strict=True) if r.relevant and (r.lang or "?") == lang
        ]
        if pos:
            recall[lang] = round(sum(p.relevant for p in pos) / len(pos), 4)
    scored = tuple(ScoredRecord(r, p, f) for r, p, f in zip(records, preds, folds, strict=True))
    return CVReport(k, metrics, recall, scored)
