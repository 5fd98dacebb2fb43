"""Fit the model with scikit-learn (training only: detection scores with `linear` alone).

One TF-IDF vocabulary over every labelled article; a "relevant" head trained on all records
labelled true or false (borderline ones left out), and one head per action trained on the
relevant records (which action the article reports). Same records in the same order and the
same seed give the same coefficients (lbfgs is deterministic).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from detection.learned.corpus import LabelledRecord
from detection.learned.features import tokens
from detection.learned.linear import RELEVANT, SECTOR_HEAD, Combination, Head, TextModel
from detection.learned.sectors import fit_cut
from detection.learned.stack import StackerCut, fit_cuts

ACTIONS = ("production_cut", "capacity_exit", "price_discipline", "policy_guideline", "inspection")
MIN_ACTION_EXAMPLES = 5
INNER_FOLDS = 5  # out-of-fold head probabilities for the action stacker


@dataclass(frozen=True)
class TrainParams:
    """Regularisation and vocabulary pruning; chosen on grouped CV (see README)."""

    c: float = 10.0
    min_df: int = 2
    seed: int = 0
    stack: bool = True  # learn the stackers (detection.learned.sectors / .stack)
    # the per-action stackers: measured and not kept by default (README "which actions")
    action_stack: bool = False

    def as_dict(self) -> dict[str, float]:
        return {
            "c": self.c,
            "min_df": float(self.min_df),
            "stack": float(self.stack),
            "action_stack": float(self.action_stack),
        }


def record_tokens(rec: LabelledRecord) -> list[str]:
    from detection.classify import normalized_fields

    title, body = normalized_fields(rec.title, rec.text)
    return tokens(title, body)


def _identity(toks: list[str]) -> list[str]:
    return toks


def fit(
    records: Sequence[LabelledRecord],
    params: TrainParams | None = None,
    combination: Combination | None = None,
) -> TextModel:
    """Train on the records labelled true or false; ValueError when one class is missing."""
    from threadpoolctl import threadpool_limits

    # Tiny problems: BLAS threads only contend (seconds instead of milliseconds on a busy box).
    params = params or TrainParams()
    combination = combination or Combination()
    with threadpool_limits(1):
        model = _fit(records, params, combination)
        if params.stack:
            stack, sector_cut = _fit_stackers(records, params, combination)
            model = replace(model, stack=stack, sector_cut=sector_cut)
        return model


def _fit_stackers(
    records: Sequence[LabelledRecord], params: TrainParams, combination: Combination
) -> tuple[dict[str, StackerCut], StackerCut | None]:
    """The per-action stackers and the sector stacker, over the rules' evidence and
    out-of-fold head probabilities: each relevant record's heads come from a model fitted
    without its event (grouped inner folds), as a new article's will."""
    from sklearn.model_selection import StratifiedGroupKFold

    from detection.classify import rule_evidence

    labelled = [r for r in records if r.relevant is not None]
    y = [int(bool(r.relevant)) for r in labelled]
    act_probs: dict[int, dict[str, float]] = {}
    sec_probs: dict[int, dict[str, float]] = {}
    splitter = StratifiedGroupKFold(n_splits=INNER_FOLDS, shuffle=True, random_state=params.seed)
    for train_idx, test_idx in splitter.split(labelled, y, [r.group for r in labelled]):
        inner = _fit([labelled[int(i)] for i in train_idx], params, combination)
        for i in test_idx:
            if labelled[int(i)].relevant:
                vec = inner.vector(record_tokens(labelled[int(i)]))
                act_probs[int(i)] = inner.actions(vec)
                sec_probs[int(i)] = inner.sectors(vec)
    pos = sorted(act_probs)
    evidence = [rule_evidence(labelled[i].title, labelled[i].text, labelled[i].lang) for i in pos]
    stack = (
        fit_cuts(
            [e[0] for e in evidence],
            [act_probs[i] for i in pos],
            [labelled[i].actions for i in pos],
            [labelled[i].group for i in pos],
            params.seed,
        )
        if params.action_stack
        else {}
    )
    sector_cut = fit_cut(
        [e[1] for e in evidence],
        [sec_probs[i] for i in pos],
        [labelled[i].sectors for i in pos],
        [labelled[i].group for i in pos],
        params.seed,
    )
    return stack, sector_cut


def _fit(
    records: Sequence[LabelledRecord], params: TrainParams, combination: Combination
) -> TextModel:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    labelled = [r for r in records if r.relevant is not None]
    y = np.array([int(bool(r.relevant)) for r in labelled])
    if len(set(y.tolist())) < 2:
        raise ValueError("training needs relevant and not-relevant records")
    docs = [record_tokens(r) for r in labelled]
    vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=params.min_df)
    x = vec.fit_transform(docs)
    heads: dict[str, Head] = {RELEVANT: _fit_head(x, y, params)}
    pos = np.flatnonzero(y == 1)
    for action in ACTIONS:
        ya = np.array([int(action in labelled[i].actions) for i in pos])
        if MIN_ACTION_EXAMPLES <= ya.sum() <= len(ya) - MIN_ACTION_EXAMPLES:
            heads[action] = _fit_head(x[pos], ya, params)
    sectors = sorted({s for i in pos for s in labelled[i].sectors})
    for sector in sectors:
        ys = np.array([int(sector in labelled[i].sectors) for i in pos])
        if MIN_ACTION_EXAMPLES <= ys.sum() <= len(ys) - MIN_ACTION_EXAMPLES:
            heads[SECTOR_HEAD + sector] = _fit_head(x[pos], ys, params)
    terms = tuple(vec.get_feature_names_out().tolist())
    idf = tuple(float(v) for v in vec.idf_)
    return TextModel(terms, idf, heads, combination)


def _fit_head(x: Any, y: Any, params: TrainParams) -> Head:
    """x: the TF-IDF matrix, y: 0/1 labels (scikit-learn's own array types)."""
    from sklearn.linear_model import LogisticRegression

    m = LogisticRegression(
        C=params.c, class_weight="balanced", max_iter=5000, random_state=params.seed
    )
    m.fit(x, y)
    return Head(tuple(float(c) for c in m.coef_[0]), float(m.intercept_[0]))
