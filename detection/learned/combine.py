"""The model/rules combination chosen on training data only: a check of the fixed one.

The committed model ships fixed combination weights (linear.Combination), set by reading
cross-validated figures, which may therefore flatter them. Here the weight and threshold are
instead chosen inside each training set, on out-of-fold detections of an inner grouped
cross-validation, by relevance F1 (ties go to the weights nearest the fixed ones), so
`capwatch eval --cv K --choose-combination` shows what an honest choice reaches on folds it
never saw. It is a check, not what ships: the headline figure is the fixed weights' column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from detection.learned.corpus import LabelledRecord
from detection.learned.linear import Combination
from detection.model import Detection

WEIGHTS = (0.4, 0.5, 0.6, 0.7)
THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55)
INNER_FOLDS = 4


def grid(base: Combination) -> tuple[Combination, ...]:
    """Model weight x threshold; the veto and the action cut-offs stay as in `base`."""
    return tuple(replace(base, model_weight=w, threshold=t) for w in WEIGHTS for t in THRESHOLDS)


def decides_relevant(det: Detection, comb: Combination, rule_threshold: float) -> bool:
    """What classify would have said under `comb`, from the scores a detection records (a model
    score of None: the model was not consulted, so only the rules could say yes)."""
    rule = det.rule_score if det.rule_score is not None else 0.0
    prob = det.model_score
    if rule >= rule_threshold:
        return prob is None or prob >= comb.veto
    if prob is None:
        return False
    return comb.model_weight * prob + (1 - comb.model_weight) * rule >= comb.threshold


def relevance_f1(
    records: Sequence[LabelledRecord],
    detections: Sequence[Detection],
    comb: Combination,
    rule_threshold: float,
) -> float:
    tp = fp = fn = 0
    for rec, det in zip(records, detections, strict=True):
        if rec.relevant is None:
            continue
        said = decides_relevant(det, comb, rule_threshold)
        tp += int(said and rec.relevant)
        fp += int(said and not rec.relevant)
        fn += int(not said and rec.relevant)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def choose(
    records: Sequence[LabelledRecord],
    detections: Sequence[Detection],
    base: Combination,
    rule_threshold: float,
) -> Combination:
    """The grid's combination with the best relevance F1 on these (out-of-fold) detections;
    among equals, the one nearest `base`."""

    def key(c: Combination) -> tuple[float, float]:
        distance = abs(c.model_weight - base.model_weight) + abs(c.threshold - base.threshold)
        return round(relevance_f1(records, detections, c, rule_threshold), 6), -distance

    return max(grid(base), key=key)
