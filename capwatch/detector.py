"""The detector stage: pending articles -> detections, events, event_articles, outbox rows.

One transaction per batch, so an article is either fully processed or still pending. The
detector is the only writer of events (one per database), and keeps the recent events in
memory (EventIndex), reloading them from the database at start and after any failure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from crawlers.sources import SourceConfig
from db import alert_queries, queries
from db.models import StoredArticle
from detection.classify import classify
from detection.events import EventIndex

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
        for event_id, state in await queries.recent_event_states(conn, since):
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
            articles = await queries.claim_pending_articles(conn, BATCH)
            for article in articles:
                detection = classify(
                    article.title,
                    article.body,
                    article.lang,
                    published=article.published_at or article.first_seen_at,
                )
                data = detection.to_dict()
                await queries.save_detection(conn, article.id, data, DETECTOR_VERSION)
                if detection.relevant:
                    relevant += 1
                    new_events += await self._assign(conn, article, detection, data)
            await queries.mark_detected(conn, [a.id for a in articles])
            if relevant:  # new alerts or updates of earlier ones
                await queries.notify(conn, queries.OUTBOX_CHANNEL)
        if articles:
            log.info(
                "detector: %d articles, %d relevant, %d new events",
                len(articles),
                relevant,
                new_events,
            )
        return DetectorStats(len(articles), relevant, new_events)

    async def _assign(
        self, conn: AsyncConnection, article: StoredArticle, detection: Any, data: dict[str, Any]
    ) -> int:
        assert self.index is not None
        published = article.published_at or article.first_seen_at
        assignment = self.index.assign(
            str(article.id), article.title, article.body, detection, published
        )
        await queries.upsert_event(
            conn,
            assignment.event_id,
            article.title,
            data["sectors"],
            data["actions"],
            data.get("actors", []),
            article.id,
            published,
            self.index.export_event(assignment.event_id),
        )
        await queries.add_event_article(conn, assignment.event_id, article.id, assignment.reason)
        if not assignment.is_new:  # edit of / reply to the first alert, never a new one
            await alert_queries.enqueue_updates(conn, assignment.event_id)
            return 0
        if self._too_old(published):
            log.info(
                "event %s recorded without an alert: its first report is from %s (older than "
                "CAPWATCH_ALERT_MAX_AGE_HOURS)",
                assignment.event_id,
                published.isoformat(),
            )
            return 1
        await alert_queries.enqueue_alert(  # alert chats + matching subscriptions
            conn,
            assignment.event_id,
            self.alert_chat_ids,
            data["sectors"],
            data["actions"],
            self._payload(article, data),
        )
        return 1

    def _too_old(self, published: datetime) -> bool:
        """Backfills and first crawls of archives must not page analysts about old news."""
        if self.alert_max_age is None:
            return False
        return published < datetime.now(UTC) - self.alert_max_age

    def _payload(self, article: StoredArticle, data: dict[str, Any]) -> dict[str, Any]:
        source = self.sources.get(article.source_key)
        return {
            "headline": article.title,
            "sectors": data["sectors"],
            "actions": data["actions"],
            "actors": data.get("actors", []),
            "figures": data.get("figures", []),
            "evidence": data.get("evidence", [])[:3],
            "score": data["score"],
            "source_key": article.source_key,
            "source_name": source.name if source else article.source_key,
            "tier": source.tier if source else "media",
            "url": article.url,
            "article_id": article.id,
            "published_at": (article.published_at or article.first_seen_at).isoformat(),
        }
