"""Which sectors an article acts on: the rules' attribution and the model's sector heads,
weighed by one logistic regression learned from the labels.

The rules know where each sector is named and which action it stands next to
(detection.attribution); what they cannot know is how the labels draw the line between a
sector acted on and one merely named (the iron-ore market moving on steel output cuts is
labelled with both; a wind-power pact that compares itself with solar is wind alone). Every
sector the article names is a candidate; one stacker, shared by all sectors (most have too few
examples for one of their own), reads the candidate's share of the attribution weight, its
share of the weight near any action, whether the headline names it, how often and how early
it is named, whether the rules chose it, and the model's head for that sector where it has
one. The head probabilities it learns from are out-of-fold (inner grouped folds of the
training records), and so are the stacker's own probabilities its cut-off is chosen on
(detection.learned.stack.fit_stacker); `capwatch eval --cv` refits all of it per fold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from detection.learned.stack import StackerCut, fit_stacker

OTHER = "other"


@dataclass(frozen=True)
class SectorEvidence:
    """What the rules saw of each sector in one article (the stacker's rule-side input).

    `acted`: weight of the actions about the sector over the strongest such weight (0..1);
    `near`: the same for sectors in reach of an action; `named`: how many times the sector
    is named (a headline mention counts 3); `title`: sectors the headline names; `order`:
    sectors in the order they are first named; `chosen`: the rules' own sectors."""

    acted: dict[str, float]
    near: dict[str, float]
    named: dict[str, float]
    title: frozenset[str]
    order: tuple[str, ...]
    chosen: tuple[str, ...]

    def candidates(self) -> tuple[str, ...]:
        """Every sector the article names or the rules chose, first named first."""
        return tuple(dict.fromkeys((*self.order, *self.chosen)))


def features(ev: SectorEvidence, probs: dict[str, float], sector: str) -> list[float]:
    """The stacker's input for one candidate sector (fixed order)."""
    cands = ev.candidates()
    named = ev.named.get(sector, 0.0)
    top = max(ev.named.values(), default=0.0)
    rank = ev.order.index(sector) if sector in ev.order else len(ev.order)
    head = probs.get(sector)
    return [
        ev.acted.get(sector, 0.0),
        ev.near.get(sector, 0.0),
        float(sector in ev.title),
        math.log1p(named),
        named / top if top else 0.0,
        1.0 / (1 + rank),
        float(sector in ev.chosen),
        float(bool(ev.chosen) and ev.chosen[0] == sector),
        float(len(cands)),
        head if head is not None else 0.0,
        float(head is None),
    ]


def decide(cut: StackerCut, ev: SectorEvidence, probs: dict[str, float]) -> tuple[str, ...]:
    """The sectors acted on: candidates whose stacker reaches the cut-off, else the likeliest
    candidate, else `other` (a policy naming no sector). The sector the actions are most
    about first (the event key), then the likeliest."""
    scored = {s: cut.probability(features(ev, probs, s)) for s in ev.candidates()}
    if not scored:
        return (OTHER,)
    chosen = [s for s, p in scored.items() if p >= cut.cut] or [
        max(scored, key=lambda s: (scored[s], s))
    ]
    return tuple(sorted(chosen, key=lambda s: (-ev.acted.get(s, 0.0), -scored[s], s)))


def fit_cut(
    evidence: Sequence[SectorEvidence],
    probs: Sequence[dict[str, float]],
    labels: Sequence[tuple[str, ...]],
    groups: Sequence[str],
    seed: int,
) -> StackerCut | None:
    """The shared stacker over every candidate of every relevant training record (`probs`:
    out-of-fold sector-head probabilities; `groups`: each record's event); None when there
    is too little to learn from."""
    rows: list[list[float]] = []
    ys: list[bool] = []
    row_groups: list[str] = []
    for ev, pr, lab, grp in zip(evidence, probs, labels, groups, strict=True):
        for s in ev.candidates():
            rows.append(features(ev, pr, s))
            ys.append(s in lab)
            row_groups.append(grp)
    fitted = fit_stacker(rows, ys, row_groups, seed)
    return StackerCut(*fitted) if fitted is not None else None
