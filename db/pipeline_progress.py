"""How far stored work has travelled through the pipeline: stored, detected, grouped, sent.

`capwatch demo` waits on it to know when its sample day has been fully processed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg import AsyncConnection


@dataclass(frozen=True)
class PipelineProgress:
    """Counts over the whole database (the demo's own database is small)."""

    sources_crawled: int  # sources with a crawl run started since `crawled_since` and ended
    articles: int
    undetected: int  # stored articles the detector has not processed yet
    relevant: int
    events: int
    alerts_sent: int  # outbox rows of kind 'alert' delivered
    updates_sent: int  # outbox rows of kind 'update' delivered
    outbox_waiting: int  # rows still pending or being sent


async def pipeline_progress(conn: AsyncConnection, crawled_since: datetime) -> PipelineProgress:
    row = await (
        await conn.execute(
            """
            SELECT
              (SELECT count(DISTINCT source_key) FROM crawl_runs
                WHERE status <> 'running' AND started_at >= %s),
              (SELECT count(*) FROM articles),
              (SELECT count(*) FROM articles WHERE detected_at IS NULL),
              (SELECT count(*) FROM detections WHERE relevant),
              (SELECT count(*) FROM events),
              (SELECT count(*) FROM outbox WHERE status = 'sent' AND kind = 'alert'),
              (SELECT count(*) FROM outbox WHERE status = 'sent' AND kind = 'update'),
              (SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending'))
            """,
            (crawled_since,),
        )
    ).fetchone()
    assert row is not None
    return PipelineProgress(*(int(value) for value in row))
