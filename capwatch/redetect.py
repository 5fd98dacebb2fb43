"""`capwatch redetect`: classify stored articles again (after a lexicon change) and repair
detections and events without alerting anything twice.

Rules (one transaction; the live detector's event writes wait for it):
- relevant → still relevant: the article stays in its event, so event ids never change and
  the outbox key (event_id, chat_id, kind) keeps blocking a second alert.
- relevant → irrelevant: the article leaves its event. An event left with no report is kept
  and marked `state.retracted` (its alert went out; no retraction message is sent), and it
  stays in the event index so a later report of the same action joins it instead of alerting.
- irrelevant → relevant: assigned in report order through the EventIndex loaded from the
  database, exactly as the live detector would; joining an existing event sends nothing
  (no update either: the report is old news to the chats that got the alert).
- a NEW event found this way is alerted only when its latest report is recent (within
  `alert_days`, default the detector's 21-day event window); older ones are recorded
  silently — analysts do not want a flood of alerts about months-old news.
- an event that already has outbox rows never gets another top-level alert.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import psycopg
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from capwatch.detector import (
    WINDOW_DAYS,
    Detector,
    save_detection,
    store_assignment,
    stored_text,
)
from capwatch.settings import Settings
from db.articles import scoped_articles
from db.channels import OUTBOX_CHANNEL, notify, service_listeners
from db.events import event_states, refresh_event, remove_event_article
from db.locks import lock_for_redetect
from db.models import ScopedArticle
from db.outbox import event_has_outbox
from detection.events import EventIndex
from detection.model import Detection
from detection.stage import detect, detect_and_assign

log = logging.getLogger(__name__)

RETRACT_REASON = "redetect: no relevant report left"


@dataclass
class RedetectReport:
    """What one re-detection changed (ids are article ids / event ids)."""

    scanned: int = 0
    became_relevant: list[int] = field(default_factory=list)
    became_irrelevant: list[int] = field(default_factory=list)
    joined: list[tuple[int, str]] = field(default_factory=list)
    new_alerted: list[str] = field(default_factory=list)
    new_silent: list[str] = field(default_factory=list)
    shrunk: list[str] = field(default_factory=list)
    retracted: list[str] = field(default_factory=list)
    dry_run: bool = False

    def lines(self) -> list[str]:
        head = "dry run, nothing written: " if self.dry_run else ""
        out = [
            f"{head}{self.scanned} articles re-detected: "
            f"{len(self.became_relevant)} became relevant, "
            f"{len(self.became_irrelevant)} became irrelevant",
            f"joined existing events: {len(self.joined)}",
            f"new events alerted: {len(self.new_alerted)}",
            f"new events recorded without alert (older news): {len(self.new_silent)}",
            f"events that lost reports: {len(self.shrunk)}; "
            f"left with none (marked retracted): {len(self.retracted)}",
        ]
        for label, ids in (
            ("alerted", self.new_alerted),
            ("silent", self.new_silent),
            ("retracted", self.retracted),
        ):
            out.extend(f"  {label}: {eid}" for eid in ids)
        return out


class Redetector:
    def __init__(
        self,
        pool: AsyncConnectionPool,
        detector: Detector,
        *,
        window_days: int = WINDOW_DAYS,
        alert_days: float = WINDOW_DAYS,
        now: datetime | None = None,
    ) -> None:
        self.pool = pool
        self.detector = detector  # payload and alert targets: the same as live alerts
        self.window_days = window_days
        self.alert_days = alert_days
        self.now = now

    async def run(self, since: datetime | None, *, dry_run: bool = False) -> RedetectReport:
        report = RedetectReport(dry_run=dry_run)
        async with self.pool.connection() as conn, conn.transaction():
            await self._run(conn, since, report)
            if dry_run:
                raise psycopg.Rollback()  # the transaction block swallows it
        return report

    async def _run(
        self, conn: AsyncConnection, since: datetime | None, rep: RedetectReport
    ) -> None:
        await lock_for_redetect(conn)
        articles = await scoped_articles(conn, since)
        rep.scanned = len(articles)
        index = await self._load_index(conn, since)
        to_assign: list[tuple[ScopedArticle, Detection]] = []
        touched: set[str] = set()
        for art in articles:
            det = detect(stored_text(art))  # the live stage's classification, same inputs
            await save_detection(conn, art.id, det)
            if det.relevant and not art.was_relevant:
                rep.became_relevant.append(art.id)
            if not det.relevant and art.was_relevant:
                rep.became_irrelevant.append(art.id)
            if det.relevant and art.event_id is None:
                to_assign.append((art, det))
            elif not det.relevant and art.event_id is not None:
                await remove_event_article(conn, art.id)
                index.remove_article(art.event_id, str(art.id))
                touched.add(art.event_id)
        for eid in sorted(touched):
            known = eid in index.event_ids()
            left = await refresh_event(
                conn, eid, index.export_event(eid) if known else None, RETRACT_REASON
            )
            (rep.shrunk if left else rep.retracted).append(eid)
        new_events: dict[str, tuple[ScopedArticle, Detection]] = {}
        for art, det in to_assign:
            eid, is_new = await self._assign(conn, index, art, det)
            if is_new:
                new_events[eid] = (art, det)
            else:
                rep.joined.append((art.id, eid))
        revived = {e for _, e in rep.joined} & set(rep.retracted)
        rep.retracted = [e for e in rep.retracted if e not in revived]
        rep.shrunk.extend(sorted(revived))
        await self._alert_recent(conn, index, new_events, rep)

    async def _load_index(self, conn: AsyncConnection, since: datetime | None) -> EventIndex:
        """Every event a re-detected article could join: those reported since `since`
        minus two windows (the live detector's reach)."""
        index = EventIndex(window_days=self.window_days)
        ctx = since - timedelta(days=2 * self.window_days) if since else None
        for eid, state in await event_states(conn, ctx):
            try:
                index.load_event(eid, state)
            except (KeyError, TypeError, ValueError):
                log.warning("redetect: event %s has no usable state; it cannot be joined", eid)
        return index

    async def _assign(
        self,
        conn: AsyncConnection,
        index: EventIndex,
        art: ScopedArticle,
        det: Detection,
    ) -> tuple[str, bool]:
        staged = detect_and_assign(stored_text(art), index, det)
        a = staged.assignment
        assert a is not None, "only relevant articles are assigned"
        await store_assignment(conn, art, det, a, index, f"redetect: {a.reason}")
        return a.event_id, a.is_new

    async def _alert_recent(
        self,
        conn: AsyncConnection,
        index: EventIndex,
        new_events: dict[str, tuple[ScopedArticle, Detection]],
        rep: RedetectReport,
    ) -> None:
        now = self.now or datetime.now(UTC)
        horizon = now - timedelta(days=self.alert_days)
        for eid, (art, det) in new_events.items():
            _, last = index.first_last(eid)
            if last < horizon or await event_has_outbox(conn, eid):
                rep.new_silent.append(eid)
                continue
            await self.detector.enqueue_alert(conn, eid, art, det)  # as a live alert
            rep.new_alerted.append(eid)
        if rep.new_alerted:
            await notify(conn, OUTBOX_CHANNEL)


async def redetect_command(
    settings: Settings, since: datetime | None, alert_days: float, dry_run: bool, force: bool
) -> int:
    """CLI entry: 0 done, 1 refused because a running service was seen (use --force)."""

    from capwatch.database import connection_pool
    from crawlers.sources import load_sources

    async with connection_pool(settings) as pool:
        async with pool.connection() as conn:
            running = await service_listeners(conn)
        if running and not force and not dry_run:
            print(
                "a running `capwatch run` was seen on this database: its detector keeps "
                "events in memory. Stop it first, or pass --force and restart it afterwards."
            )
            return 1
        detector = Detector(pool, load_sources(settings.sources_file), settings.alert_targets)
        redetector = Redetector(pool, detector, alert_days=alert_days)
        report = await redetector.run(since, dry_run=dry_run)
    for line in report.lines():
        print(line)
    if running and not dry_run:
        print("restart the running `capwatch run` so its detector reloads the events")
    return 0
