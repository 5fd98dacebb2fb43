"""Analysts' verdicts as labelled records (the guide's format), so `capwatch train --feedback`
learns from them: every report of a judged event becomes one record carrying the event's
latest verdict."""

from __future__ import annotations

from core.tz import BEIJING
from db.feedback import FeedbackReport
from detection.learned.corpus import LabelledRecord


def feedback_record(report: FeedbackReport) -> LabelledRecord:
    """useful: relevant with the event's sectors and actions; wrong_sector: relevant with the
    sectors the analyst chose; not_relevant: a negative (no sectors, actions or event)."""
    relevant = report.verdict != "not_relevant"
    if report.verdict == "wrong_sector" and report.chosen_sectors:
        sectors = tuple(report.chosen_sectors)
    else:
        sectors = tuple(report.event_sectors) if relevant else ()
    published = report.published_at.astimezone(BEIJING).isoformat() if report.published_at else None
    votes = f"{report.votes} verdicts on the event, the latest counts" if report.votes > 1 else ""
    notes = "; ".join(
        part
        for part in (
            f"analyst feedback #{report.feedback_id}: {report.verdict} on event {report.event_id}",
            votes,
        )
        if part
    )
    return LabelledRecord(
        id=f"fb-{report.article_id}",
        url=report.url,
        source=report.source_key,
        lang=report.lang,
        title=report.title,
        text=report.body,
        published=published,
        relevant=relevant,
        sectors=sectors,
        actions=tuple(report.event_actions) if relevant else (),
        event=report.event_id if relevant else None,
        notes=notes,
    )
