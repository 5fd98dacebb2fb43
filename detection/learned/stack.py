"""Which actions an article reports: the rules' evidence and the model's action heads, weighed
by a small per-action logistic regression learned from the labels.

The rules see the action words; what they cannot know is the labelling convention (does a
ministry's order to cut output also count as `policy_guideline`? is a buyout platform's
"shut one third of capacity" a production cut too?). Each action gets a stacker over a handful
of features: the action's share of the rules' weight, the model head's probability, the
strongest hit of each kind (action word, cue pair, directive, issuing body, campaign) in the
headline and in the body, and which kinds of actor are named. Its decision cut-off is the one
with the best F1 on the training records. The head probabilities it learns from are
out-of-fold (inner grouped folds of the training records): in-sample probabilities are near
certain and would teach the stacker to trust the head blindly. Cross-validation refits all of
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
STACK_C = 3.0
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
class ActionCut:
    """One action's stacker: logistic regression over `features`, reported from `cut`."""

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
    cuts: dict[str, ActionCut], ev: ActionEvidence, probs: dict[str, float]
) -> tuple[str, ...]:
    """The actions reported: each whose stacker reaches its cut-off, else the one nearest
    its cut-off (a relevant article reports some action). Strongest rule evidence first."""
    ratio = {a: c.probability(features(ev, probs, a)) / c.cut for a, c in sorted(cuts.items())}
    if not ratio:
        return ()
    chosen = [a for a, r in ratio.items() if r >= 1.0]
    if not chosen:
        chosen = [max(ratio, key=lambda a: (ratio[a], a))]
    rank = {a: i for i, a in enumerate(ACTIONS)}
    return tuple(
        sorted(chosen, key=lambda a: (-round(ev.share.get(a, 0.0), 6), -ratio[a], rank.get(a, 9)))
    )


def fit_cuts(
    evidence: Sequence[ActionEvidence],
    probs: Sequence[dict[str, float]],
    labels: Sequence[tuple[str, ...]],
    seed: int,
) -> dict[str, ActionCut]:
    """One stacker per action with at least 3 positive and 3 negative examples among the
    relevant training records (`probs`: out-of-fold head probabilities)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    out: dict[str, ActionCut] = {}
    for action in ACTIONS:
        y = np.array([action in lab for lab in labels])
        if min(int(y.sum()), int((~y).sum())) < 3:
            continue
        x = np.array([features(e, p, action) for e, p in zip(evidence, probs, strict=True)])
        lr = LogisticRegression(C=STACK_C, max_iter=5000, random_state=seed).fit(x, y)
        fitted = lr.predict_proba(x)[:, 1]
        best = (-1.0, 0.5)
        for cut in CUTS:
            said = fitted >= cut
            tp = int((said & y).sum())
            wrong = int((said ^ y).sum())
            f1 = 2 * tp / (2 * tp + wrong) if tp else 0.0
            if f1 > best[0] + 1e-9:
                best = (f1, cut)
        coef = tuple(float(c) for c in lr.coef_[0])
        out[action] = ActionCut(coef, float(lr.intercept_[0]), best[1])
    return out
