"""The service's status as data: who schedules, each source's health, the alert queue.

Shared by `capwatch status [--json]` and the HTTP health endpoint, so both say the same.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from psycopg_pool import AsyncConnectionPool

from crawlers.netfail import network_verdict
from crawlers.sources import SourceConfig
from db.locks import scheduler_holder
from db.outbox import count_by_status
from scheduler.health import collect


async def status_report(
    pool: AsyncConnectionPool, sources: dict[str, SourceConfig], failures_threshold: int
) -> dict[str, Any]:
    async with pool.connection() as conn:
        health = await collect(conn, sources, failures_threshold)
        holder = await scheduler_holder(conn)
        outbox = await count_by_status(conn)
    broken = [h.key for h in health if h.broken]
    return {
        "checked_at": datetime.now(UTC).isoformat(),
        "scheduler": holder,
        "ok": not broken,
        "broken": broken,
        "network": network_verdict(health),  # "network unreachable? ..." or None
        "outbox": outbox,
        "sources": [h.to_dict() for h in health],
    }
