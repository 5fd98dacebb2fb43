"""Which actions an article reports: the rules' evidence and the model's action heads, weighed
by a small per-action logistic regression learned from the labels.

The rules see the action words; what they cannot know is the labelling convention (does a
ministry's order to cut output also count as `policy_guideline`? is a buyout platform's
"shut one third of capacity" a production cut too?). Each action gets a stacker over a handful
of features: the action's share of the rules' weight, the model head's probability, the
strongest hit of each kind (action word, cue pair, directive, issuing body, campaign) in the
headline and in the body, and which kinds of actor are named. Its decision cut-off is the one
with the best F1 over the stacker's own out-of-fold probabilities on the training records. The
head probabilities it learns from are out-of-fold too (inner grouped folds of the training
records): in-sample probabilities are near certain and would teach the stacker to trust the
head blindly. Cross-validation refits all of
it per fold, so no cut-off is chosen on the records it is scored on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

ACTIONS = ("production_cut", "capacity_exit", "price_discipline", "policy_guideline", "inspection")
HIT_KINDS = ("term", "pair", "policy", "issuer", "implied")
FIELDS = ("title", "text")
ACTOR_KINDS = ("ministry", "association", "company")
STACK_CS = (1.0, 3.0, 10.0)  # regularisation, chosen with the cut-off
STACK_FOLDS = 5
# A stacker is learned only from at least one example of each class per feature it weighs
# (logistic regression needs several per feature to be stable); a rarer action (inspection,
# 18 relevant records in all) keeps the rules' decision.
MIN_EXAMPLES = 5
CUTS = tuple(round(0.1 + 0.025 * i, 3) for i in range(33))  # 0.1 .. 0.9


@dataclass(frozen=True)
class ActionEvidence:
    """What the rules saw of each action in one article: the stacker's rule-side input.
    `share`: the action's weight over the strongest action's (0..1); `strongest`: (action,
    field, hit kind) -> the highest position weight of such a hit; `actor_kinds`: kinds of
    the actors named anywhere."""

    share: dict[str, float]
    strongest: dict[tuple[str, str, str], float]
    actor_kinds: frozenset[str]


@dataclass(frozen=True)
class StackerCut:
    """A learned stacker (one per action, one shared by all sectors): logistic regression over
    its features, reporting the label from `cut`."""

    coef: tuple[float, ...]
    intercept: float
    cut: float

    def probability(self, x: Sequence[float]) -> float:
        z = self.intercept + sum(c * v for c, v in zip(self.coef, x, strict=True))
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def features(ev: ActionEvidence, probs: dict[str, float], action: str) -> list[float]:
    """The stacker's input for one action (fixed order; a missing head counts as 0.5)."""
    x = [ev.share.get(action, 0.0), probs.get(action, 0.5)]
    x += [ev.strongest.get((action, f, k), 0.0) for f in FIELDS for k in HIT_KINDS]
    x += [float(k in ev.actor_kinds) for k in ACTOR_KINDS]
    x.append(float(sum(1 for a in ACTIONS if ev.share.get(a, 0.0) > 0)))
    return x


def decide(
    cuts: dict[str, StackerCut],
    ev: ActionEvidence,
    probs: dict[str, float],
    rules: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """The actions reported: each whose stacker reaches its cut-off, and each of the rules'
    actions (`rules`) that has no stacker (too rare to learn one); else the one nearest its
    cut-off (a relevant article reports some action). Strongest rule evidence first."""
    ratio = {a: c.probability(features(ev, probs, a)) / c.cut for a, c in sorted(cuts.items())}
    chosen = [a for a, r in ratio.items() if r >= 1.0]
    chosen += [a for a in rules if a not in cuts and a not in chosen]
    if not chosen and ratio:
        chosen = [max(ratio, key=lambda a: (ratio[a], a))]
    rank = {a: i for i, a in enumerate(ACTIONS)}
    return tuple(
        sorted(
            chosen,
            key=lambda a: (-round(ev.share.get(a, 0.0), 6), -ratio.get(a, 1.0), rank.get(a, 9)),
        )
    )


def fit_cuts(
    evidence: Sequence[ActionEvidence],
    probs: Sequence[dict[str, float]],
    labels: Sequence[tuple[str, ...]],
    groups: Sequence[str],
    seed: int,
) -> dict[str, StackerCut]:
    """One stacker per action with at least MIN_EXAMPLES positive and negative examples among
    the relevant training records (`probs`: out-of-fold head probabilities; `groups`: each
    record's event, for the folds that choose the cut-off)."""
    out: dict[str, StackerCut] = {}
    for action in ACTIONS:
        y = [action in lab for lab in labels]
        x = [features(e, p, action) for e, p in zip(evidence, probs, strict=True)]
        fitted = fit_stacker(x, y, groups, seed)
        if fitted is not None:
            out[action] = StackerCut(*fitted)
    return out


def fit_stacker(
    x: Sequence[Sequence[float]], y: Sequence[bool], groups: Sequence[str], seed: int
) -> tuple[tuple[float, ...], float, float] | None:
    """A logistic regression over `x` and its cut-off: (coefficients, intercept, cut), None
    with fewer than MIN_EXAMPLES examples of either class. The regularisation and the
    cut-off are those with the best F1 over the stacker's own out-of-fold probabilities
    (grouped folds of these records): chosen on fitted probabilities they would be set by
    records the stacker has memorised (a cut-off too low for a rare action)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    xa, ya = np.array(x, dtype=float), np.array(y, dtype=bool)
    if min(int(ya.sum()), int((~ya).sum())) < MIN_EXAMPLES:
        return None

    def model(c: float) -> LogisticRegression:
        return LogisticRegression(C=c, max_iter=5000, random_state=seed)

    splits = list(GroupKFold(n_splits=min(STACK_FOLDS, len(set(groups)))).split(xa, ya, groups))
    best = (-1.0, STACK_CS[0], 0.5)  # (F1, C, cut)
    for c in STACK_CS:
        oof = np.zeros(len(ya))
        for train, test in splits:
            if len(set(ya[train].tolist())) < 2:
                oof[test] = float(ya[train][0])
                continue
            oof[test] = model(c).fit(xa[train], ya[train]).predict_proba(xa[test])[:, 1]
        for cut in CUTS:
            said = oof >= cut
            tp = int((said & ya).sum())
            wrong = int((said ^ ya).sum())
            f1 = 2 * tp / (2 * tp + wrong) if tp else 0.0
            if f1 > best[0] + 1e-9:
                best = (f1, c, cut)
    lr = model(best[1]).fit(xa, ya)
    return tuple(float(c) for c in lr.coef_[0]), float(lr.intercept_[0]), best[2]
