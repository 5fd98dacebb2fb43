"""Source health: is each source still delivering, and did that just change?

`assess()` is pure: from a source's recent crawl runs, the times its crawls found something
new and the field coverage of its newest articles, it gives a state:

  ok        crawls succeed, items at their usual level, fields filled
  degraded  crawls succeed but bring far fewer items than usual, or fields go missing
  failing   the last CAPWATCH_HEALTH_FAILURES crawls failed (error, timeout, or no items
            with errors)
  stale     nothing new for much longer than the source's usual gap between news
  new       never crawled;  disabled: not scheduled

`HealthMonitor.check()` stores the states and tells the admins when a source breaks (enters
failing/stale) or recovers, once per change: the state last reported is kept in the database.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import statistics
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from psycopg_pool import AsyncConnectionPool

from crawlers.sources import SourceConfig
from db.articles import field_coverage
from db.models import Coverage, RunRow
from db.runs import new_article_times, recent_runs, running_runs
from db.sources import health_rows, save_health

log = logging.getLogger(__name__)

BROKEN = frozenset({"failing", "stale"})
LOW_ITEMS_RATIO = 0.5  # a run below half the usual item count is degraded
MIN_COVERAGE = 0.8  # a field missing from more than 20% of recent articles is degraded
STALE_FACTOR = 3.0  # stale after 3x the usual (90th percentile) gap between news ...
STALE_FLOOR_S = 3600.0  # ... and never before an hour


def run_failed(run: RunRow) -> bool:
    return run.status in ("failed", "timeout") or (run.items == 0 and run.errors > 0)


@dataclass(frozen=True)
class SourceHealth:
    key: str
    name: str
    state: str
    problems: list[str] = field(default_factory=list)
    last_run_at: datetime | None = None
    last_status: str | None = None
    running_since: datetime | None = None
    last_success_at: datetime | None = None
    consecutive_failures: int = 0
    last_items: int | None = None
    last_new: int | None = None
    usual_items: float | None = None
    last_new_at: datetime | None = None
    usual_gap_s: float | None = None
    stale_after_s: float | None = None
    coverage: dict[str, float] | None = None

    @property
    def broken(self) -> bool:
        return self.state in BROKEN

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name, value in data.items():
            if isinstance(value, datetime):
                data[name] = value.isoformat()
        return data


def _usual_gap(new_times: list[datetime]) -> float | None:
    """The 90th percentile of the gaps between crawls that found something (>= 5 gaps)."""
    gaps = [(a - b).total_seconds() for a, b in itertools.pairwise(new_times)]
    if len(gaps) < 5:
        return None
    return statistics.quantiles(gaps, n=10)[-1]


def assess(
    source: SourceConfig,
    runs: list[RunRow],
    new_times: list[datetime],
    coverage: Coverage | None,
    running_since: datetime | None,
    now: datetime,
    failures_threshold: int,
) -> SourceHealth:
    """The health of one source from its newest-first ended runs (pure)."""
    if not source.enabled:
        return SourceHealth(source.key, source.name, "disabled")
    runs = [r for r in runs if r.finish_reason != "shutdown"]  # stopped with the service
    if not runs:
        return SourceHealth(source.key, source.name, "new", running_since=running_since)
    problems: list[str] = []
    failures = 0
    for run in runs:
        if not run_failed(run):
            break
        failures += 1
    successes = [r for r in runs if not run_failed(r)]
    last_ok = successes[0] if successes else None
    usual = statistics.median(r.items for r in successes[1:21]) if len(successes) > 5 else None
    if failures:
        last = runs[0]
        problems.append(
            f"{failures} failed crawl(s) in a row (last: {last.status}"
            f"{', ' + last.finish_reason if last.finish_reason else ''}, errors={last.errors})"
        )
    if last_ok and usual and last_ok.items < LOW_ITEMS_RATIO * usual:
        problems.append(f"last crawl brought {last_ok.items} items; usually {usual:g}")
    cover = None
    if coverage is not None and coverage.sampled:
        cover = {"title": coverage.title, "time": coverage.published, "body": coverage.body}
        if coverage.sampled >= 10:
            for name, share in cover.items():
                if share < MIN_COVERAGE:
                    problems.append(f"{name} missing in {1 - share:.0%} of recent articles")
    last_new_at = new_times[0] if new_times else (coverage.last_seen_at if coverage else None)
    gap = _usual_gap(new_times)
    stale_after = None
    stale = False
    if gap is not None:
        stale_after = max(STALE_FACTOR * gap, 2.0 * (source.interval or 0), STALE_FLOOR_S)
        quiet = (now - last_new_at).total_seconds() if last_new_at else None
        if quiet is not None and quiet > stale_after:
            stale = True
            problems.append(
                f"nothing new for {quiet / 3600:.1f} h (usual gap up to {gap / 3600:.1f} h)"
            )
    if failures >= failures_threshold:
        state = "failing"
    elif stale:
        state = "stale"
    elif problems:
        state = "degraded"
    else:
        state = "ok"
    return SourceHealth(
        key=source.key,
        name=source.name,
        state=state,
        problems=problems,
        last_run_at=runs[0].started_at,
        last_status=runs[0].status,
        running_since=running_since,
        last_success_at=(last_ok.finished_at or last_ok.started_at) if last_ok else None,
        consecutive_failures=failures,
        last_items=runs[0].items,
        last_new=runs[0].new_articles,
        usual_items=usual,
        last_new_at=last_new_at,
        usual_gap_s=gap,
        stale_after_s=stale_after,
        coverage=cover,
    )


async def collect(
    pool: AsyncConnectionPool,
    sources: dict[str, SourceConfig],
    failures_threshold: int,
    keys: list[str] | None = None,
) -> list[SourceHealth]:
    """The health of the given sources (default: all), read from the database."""
    wanted = [k for k in (keys or list(sources)) if k in sources]
    async with pool.connection() as conn:
        runs = await recent_runs(conn, wanted)
        new_times = await new_article_times(conn, wanted)
        coverage = await field_coverage(conn, wanted)
        running = await running_runs(conn)
    now = datetime.now(UTC)
    return [
        assess(
            sources[key],
            runs.get(key, []),
            new_times.get(key, []),
            coverage.get(key),
            running.get(key),
            now,
            failures_threshold,
        )
        for key in wanted
    ]


def report_text(health: SourceHealth) -> str:
    if health.broken:
        head = f"⚠️ capwatch: source {health.key} ({health.name}) is {health.state}"
        return head + (": " + "; ".join(health.problems) if health.problems else "")
    return (
        f"✅ capwatch: source {health.key} ({health.name}) recovered: last crawl "
        f"{health.last_status}, {health.last_items} items, {health.last_new} new"
    )


class HealthMonitor:
    """Assesses sources after their crawls and reports breaks and recoveries once."""

    def __init__(
        self,
        pool: AsyncConnectionPool,
        sources: dict[str, SourceConfig],
        notifier: Any,
        failures_threshold: int,
    ) -> None:
        self.pool = pool
        self.sources = sources
        self.notifier = notifier
        self.failures_threshold = failures_threshold
        self._lock = asyncio.Lock()

    async def check(self, keys: list[str] | None = None) -> list[SourceHealth]:
        """Assess, store, and report changes; returns the sources reported this time."""
        async with self._lock:
            states = await collect(self.pool, self.sources, self.failures_threshold, keys)
            async with self.pool.connection() as conn:
                stored = await health_rows(conn)
            reported = []
            for health in states:
                previous = stored.get(health.key)
                was_broken = bool(previous and previous.reported_state in BROKEN)
                change = health.broken != was_broken and health.state not in ("new", "disabled")
                sent = change and await self.notifier.send(report_text(health))
                if sent:
                    reported.append(health)
                async with self.pool.connection() as conn:
                    await save_health(
                        conn,
                        health.key,
                        health.state,
                        health.to_dict(),
                        health.state,
                        reported=bool(sent),
                    )
            return reported
