"""The detection stage, once: classify one article, then (when relevant) put it in an event.

The live detector, `capwatch redetect` and `capwatch detect --jsonl` all call
`detect_and_assign`, so the three can no longer disagree about which time dates a bare "7月"
or how a report joins an event. What they do with the result (store it, alert, print it)
stays with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from detection.classify import classify
from detection.events import Assignment, EventIndex
from detection.model import Detection


@dataclass(frozen=True)
class ArticleText:
    """What detection reads of an article. `published` is the best known time of the report
    (the live detector uses the first-seen time when a page names none); None: undated."""

    id: str
    title: str
    text: str
    lang: str | None = None
    published: datetime | None = None


@dataclass(frozen=True)
class Staged:
    """One article through the stage: its detection, and its event when it is relevant."""

    detection: Detection
    assignment: Assignment | None


def detect(article: ArticleText) -> Detection:
    """Classify one article (the one call of the classifier for every caller)."""
    return classify(article.title, article.text, article.lang, article.published)


def detect_and_assign(
    article: ArticleText, index: EventIndex, detection: Detection | None = None
) -> Staged:
    """Classify `article` and, when relevant, assign it to an event of `index`.

    `detection` is this article's detection when the caller already made it with `detect`
    (redetect classifies every article before it assigns any, so removals go first)."""
    det = detection if detection is not None else detect(article)
    if not det.relevant:
        return Staged(det, None)
    assignment = index.assign(article.id, article.title, article.text, det, article.published)
    return Staged(det, assignment)
