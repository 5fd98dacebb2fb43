"""A stored TF-IDF + logistic-regression model, scored in plain Python.

Scoring needs no scikit-learn: the vocabulary, the idf weights and each head's coefficients
are enough to reproduce `TfidfVectorizer(sublinear_tf=True)` + `LogisticRegression` exactly,
and a dictionary look-up per token is fast enough for a live feed. Heads: "relevant" (is the
article about a supply-discipline action) and one per action slug (which action, for articles
only the model found).
"""

from __future__ import annotations

import math
import operator
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from detection.learned.features import display
from detection.learned.stack import StackerCut

RELEVANT = "relevant"
SECTOR_HEAD = "sector:"  # heads named "sector:<slug>": is the article about that sector


@dataclass(frozen=True)
class Head:
    """One logistic-regression output over the shared TF-IDF features."""

    coef: tuple[float, ...]
    intercept: float


@dataclass(frozen=True)
class ModelScore:
    """The model's probability that an article is relevant, and why: the present terms that
    pushed it up most (for an alert the rules did not find)."""

    probability: float
    top_terms: tuple[str, ...]


@dataclass(frozen=True)
class Combination:
    """How the model's probability and the rule score decide.

    score = model_weight * probability + (1 - model_weight) * rule score. An article the rules
    find relevant stays relevant unless the model's probability is below `veto`; any other
    article is relevant when its score reaches `threshold` (the model lifting what the rules
    missed). Actions of an article only the model found: the heads from `action_threshold`."""

    model_weight: float = 0.6
    threshold: float = 0.5
    veto: float = 0.15
    action_threshold: float = 0.5
    action_add: float = 0.8  # a head this sure adds its action to the rules' ones


@dataclass(frozen=True)
class TextModel:
    """`terms[i]` has weight `idf[i]` and coefficient `heads[h].coef[i]`."""

    terms: tuple[str, ...]
    idf: tuple[float, ...]
    heads: dict[str, Head]
    combination: Combination = field(default_factory=Combination)
    # per-action stackers (detection.learned.stack); empty: the rules name the actions and
    # a head above `combination.action_add` adds one
    stack: dict[str, StackerCut] = field(default_factory=dict)
    # the sector stacker (detection.learned.sectors); None: the rules' attribution decides
    sector_cut: StackerCut | None = None

    @cached_property
    def vocabulary(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.terms)}

    @cached_property
    def _indexed_idf(self) -> dict[str, tuple[int, float]]:
        """term -> (index, idf): one dictionary look-up per distinct token."""
        return {t: (i, self.idf[i]) for i, t in enumerate(self.terms)}

    def vector(self, toks: list[str]) -> dict[int, float]:
        """L2-normalised sublinear TF-IDF weights of the known tokens."""
        known = self._indexed_idf
        vec: dict[int, float] = {}
        for tok, c in Counter(toks).items():
            hit = known.get(tok)
            if hit is not None:
                vec[hit[0]] = (1.0 + math.log(c)) * hit[1] if c > 1 else hit[1]
        norm = math.sqrt(sum(map(operator.mul, vec.values(), vec.values())))
        if norm:
            scale = 1.0 / norm
            vec = {i: v * scale for i, v in vec.items()}
        return vec

    def probability(self, vec: dict[int, float], head: str = RELEVANT) -> float:
        h = self.heads[head]
        z = h.intercept + sum(map(operator.mul, vec.values(), map(h.coef.__getitem__, vec)))
        return _sigmoid(z)

    def score(self, toks: list[str], n_terms: int = 6) -> ModelScore:
        vec = self.vector(toks)
        return ModelScore(round(self.probability(vec), 4), self.top_terms(vec, n_terms))

    def actions(self, vec: dict[int, float]) -> dict[str, float]:
        """Probability of each action head (slug -> 0..1)."""
        return {
            h: self.probability(vec, h)
            for h in self.heads
            if h != RELEVANT and not h.startswith(SECTOR_HEAD)
        }

    def sectors(
        self, vec: dict[int, float], only: tuple[str, ...] | None = None
    ) -> dict[str, float]:
        """Probability of each sector head (slug -> 0..1; sectors with too few examples
        have none), or of the `only` ones among them."""
        names = (
            [h for h in self.heads if h.startswith(SECTOR_HEAD)]
            if only is None
            else [SECTOR_HEAD + s for s in only if SECTOR_HEAD + s in self.heads]
        )
        return {h.removeprefix(SECTOR_HEAD): self.probability(vec, h) for h in names}

    def top_terms(self, vec: dict[int, float], n: int) -> tuple[str, ...]:
        """The present tokens with the largest positive contribution; a token contained in
        one already chosen ("减产" beside "减产3") and single characters tell a reader nothing."""
        coef = self.heads[RELEVANT].coef
        ranked = sorted(
            ((v * coef[i], i) for i, v in vec.items() if coef[i] > 0), key=lambda x: -x[0]
        )
        terms = self.terms
        out: list[str] = []
        for _, i in ranked:
            term = display(terms[i])
            if len(term) < 2 or any(term in t or t in term for t in out):
                continue
            out.append(term)
            if len(out) == n:
                break
        return tuple(out)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)
