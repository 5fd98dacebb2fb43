"""The detector stage: pending articles -> detections, events, event_articles, outbox rows.

One transaction per batch, so an article is either fully processed or still pending. The
detector is the only writer of events (one per database), and keeps the recent events in
memory (EventIndex), reloading them from the database at start and after any failure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from alerts.payload import AlertPayload
from crawlers.sources import SourceConfig
from db import articles as articles_db
from db import outbox as outbox_db
from db.articles import claim_pending_articles, mark_detected
from db.channels import OUTBOX_CHANNEL, notify
from db.events import add_event_article, event_states, upsert_event
from db.models import StoredArticle
from db.outbox import enqueue_updates
from detection.events import Assignment, EventIndex
from detection.model import Detection
from detection.stage import ArticleText, detect_and_assign

log = logging.getLogger(__name__)

DETECTOR_VERSION = "1"
WINDOW_DAYS = 21
BATCH = 100


@dataclass(frozen=True)
class DetectorStats:
    processed: int
    relevant: int
    new_events: int


class Detector:
    def __init__(
        self,
        pool: AsyncConnectionPool,
        sources: dict[str, SourceConfig],
        alert_chat_ids: list[int],
        alert_max_age: timedelta | None = None,
    ) -> None:
        self.pool = pool
        self.sources = sources
        self.alert_chat_ids = alert_chat_ids
        self.alert_max_age = alert_max_age
        self.index: EventIndex | None = None

    async def _load_index(self, conn: AsyncConnection) -> EventIndex:
        index = EventIndex(window_days=WINDOW_DAYS)
        since = datetime.now(UTC) - timedelta(days=WINDOW_DAYS * 2)
        for event_id, state in await event_states(conn, since):
            index.load_event(event_id, state)
        return index

    async def drain(self) -> DetectorStats:
        """Process every pending article, batch by batch."""
        totals = [0, 0, 0]
        while True:
            try:
                batch = await self._process_batch()
            except Exception:
                self.index = None  # the rolled-back batch may have touched it: reload
                raise
            if batch.processed == 0:
                return DetectorStats(*totals)
            for i, value in enumerate((batch.processed, batch.relevant, batch.new_events)):
                totals[i] += value

    async def _process_batch(self) -> DetectorStats:
        relevant = new_events = 0
        async with self.pool.connection() as conn, conn.transaction():
            if self.index is None:
                self.index = await self._load_index(conn)
            articles = await claim_pending_articles(conn, BATCH)
            for article in articles:
                staged = detect_and_assign(stored_text(article), self.index)
                await save_detection(conn, article.id, staged.detection)
                if staged.assignment is not None:
                    relevant += 1
                    new_events += await self._record(
                        conn, article, staged.detection, staged.assignment
                    )
            await mark_detected(conn, [a.id for a in articles])
            if relevant:  # new alerts or updates of earlier ones
                await notify(conn, OUTBOX_CHANNEL)
        if articles:
            log.info(
                "detector: %d articles, %d relevant, %d new events",
                len(articles),
                relevant,
                new_events,
            )
        return DetectorStats(len(articles), relevant, new_events)

    async def _record(
        self,
        conn: AsyncConnection,
        article: StoredArticle,
        detection: Detection,
        assignment: Assignment,
    ) -> int:
        """Store the event membership; alert a new event, update the chats of a known one."""
        assert self.index is not None
        await store_assignment(conn, article, detection, assignment, self.index, assignment.reason)
        if not assignment.is_new:  # edit of / reply to the first alert, never a new one
            await enqueue_updates(conn, assignment.event_id)
            return 0
        published = report_time(article)
        if self._too_old(published):
            log.info(
                "event %s recorded without an alert: its first report is from %s (older than "
                "CAPWATCH_ALERT_MAX_AGE_HOURS)",
                assignment.event_id,
                published.isoformat(),
            )
            return 1
        await self.enqueue_alert(conn, assignment.event_id, article, detection)
        return 1

    async def enqueue_alert(
        self, conn: AsyncConnection, event_id: str, article: StoredArticle, detection: Detection
    ) -> None:
        """Queue a new event's alert: the alert chats plus the matching subscriptions."""
        await outbox_db.enqueue_alert(
            conn,
            event_id,
            self.alert_chat_ids,
            detection.sectors,
            detection.actions,
            self.payload(article, detection).to_json(),
        )

    def _too_old(self, published: datetime) -> bool:
        """Backfills and first crawls of archives must not page analysts about old news."""
        if self.alert_max_age is None:
            return False
        return published < datetime.now(UTC) - self.alert_max_age

    def payload(self, article: StoredArticle, detection: Detection) -> AlertPayload:
        """What the alert of the event this article opens shows."""
        return alert_payload(article, detection, self.sources.get(article.source_key))


def alert_payload(
    article: StoredArticle,
    detection: Detection,
    source: SourceConfig | None,
    event_id: str | None = None,
) -> AlertPayload:
    """The alert of the event `article` opens (live, and `capwatch alerts preview`)."""
    return AlertPayload.of(
        detection,
        headline=article.title,
        source_key=article.source_key,
        source_name=source.name if source else article.source_key,
        tier=source.tier if source else "media",
        url=article.url,
        article_id=article.id,
        published_at=report_time(article),
        event_id=event_id,
    )


def report_time(article: StoredArticle) -> datetime:
    """When the report happened: its published time, else when capwatch first saw it."""
    return article.published_at or article.first_seen_at


def stored_text(article: StoredArticle) -> ArticleText:
    """A stored article as the detection stage reads it (live and redetect alike)."""
    return ArticleText(
        str(article.id), article.title, article.body, article.lang, report_time(article)
    )


async def save_detection(conn: AsyncConnection, article_id: int, detection: Detection) -> None:
    await articles_db.save_detection(conn, article_id, detection.to_dict(), DETECTOR_VERSION)


async def store_assignment(
    conn: AsyncConnection,
    article: StoredArticle,
    detection: Detection,
    assignment: Assignment,
    index: EventIndex,
    reason: str,
) -> None:
    """Write an article's event membership and the event's new state (live and redetect)."""
    await upsert_event(
        conn,
        assignment.event_id,
        article.title,
        detection.sectors,
        detection.actions,
        detection.actors,
        article.id,
        report_time(article),
        index.export_event(assignment.event_id),
    )
    await add_event_article(conn, assignment.event_id, article.id, reason)
