"""Source health: is each source still delivering, and did that just change?

`assess()` is pure: from a source's recent crawl runs, the times its crawls found something
new and the field coverage of its newest articles, it gives a state:

  ok        crawls succeed, items at their usual level, fields filled
  degraded  crawls succeed but bring far fewer items than usual, or fields go missing
  failing   the last CAPWATCH_HEALTH_FAILURES crawls were bad (`run_problem`: failed or
            timed out, errors and no items, HTTP errors and no items, or nothing found)
  stale     nothing new for much longer than the source's usual gap between news
  new       never crawled;  disabled: not scheduled

`collect()` is the one way health is read (status, /status, the bot's /sources, `sources
list`). `HealthMonitor.check()` stores the states and tells the admins when a source breaks
(enters failing/stale) or recovers, once per change: the state last reported is kept in the
database. When every source's last crawl failed the same network way (DNS, refused, ...),
that is one report, "network unreachable?", not one per source.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import statistics
from datetime import UTC, datetime
from typing import Protocol

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from crawlers.netfail import network_verdict
from crawlers.sources import SourceConfig
from db.articles import field_coverage
from db.models import BROKEN_STATES, Coverage, RunRow, SourceHealth
from db.runs import new_article_times, recent_runs, running_runs
from db.sources import health_rows, save_health

log = logging.getLogger(__name__)

BROKEN = BROKEN_STATES
LOW_ITEMS_RATIO = 0.5  # a run below half the usual item count is degraded
MIN_COVERAGE = 0.8  # a field missing from more than 20% of recent articles is degraded
STALE_FACTOR = 3.0  # stale after 3x the usual (90th percentile) gap between news ...
STALE_FLOOR_S = 3600.0  # ... and never before an hour


def run_problem(run: RunRow) -> str | None:
    """Why an ended crawl was bad, or None: the one definition of a bad run. Bad: failed or
    timed out; errors (HTTP, network, parse, invalid items) and nothing stored; or nothing
    found at all (no entries, no 304). Only already-stored entries is a quiet run, not bad."""
    if run.status in ("failed", "timeout"):
        reason = run.finish_reason if run.finish_reason not in (None, run.status) else None
        return f"run {run.status}" + (f": {reason}" if reason else "")
    if run.items == 0:
        if run.http_errors > 0:
            return f"{run.http_errors} HTTP error(s), no items"
        if run.parse_errors > 0:
            return f"{run.parse_errors} parse error(s), no items"
        if run.errors > 0:
            return f"{run.errors} error(s), no items"
        if run.found == 0 and run.not_modified == 0:
            return "no items"
    return None


def run_failed(run: RunRow) -> bool:
    return run_problem(run) is not None


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
        return SourceHealth(source.key, source.name, "disabled", source.tier)
    runs = [r for r in runs if r.finish_reason != "shutdown"]  # stopped with the service
    if not runs:
        return SourceHealth(
            source.key, source.name, "new", source.tier, running_since=running_since
        )
    problems: list[str] = []
    failures = 0
    for run in runs:
        if not run_failed(run):
            break
        failures += 1
    successes = [r for r in runs if not run_failed(r)]
    last_ok = successes[0] if successes else None
    usual = statistics.median(r.items for r in successes[1:21]) if len(successes) > 5 else None
    last_problem = run_problem(runs[0])
    if failures:
        problems.append(f"{failures} failed crawl(s) in a row (last: {last_problem})")
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
        tier=source.tier,
        problems=problems,
        last_run_at=runs[0].started_at,
        last_status=runs[0].status,
        last_problem=last_problem,
        running_since=running_since,
        last_success_at=(last_ok.finished_at or last_ok.started_at) if last_ok else None,
        consecutive_failures=failures,
        last_items=runs[0].items,
        last_new=runs[0].new_articles,
        last_errors=runs[0].errors,
        usual_items=usual,
        last_new_at=last_new_at,
        usual_gap_s=gap,
        stale_after_s=stale_after,
        coverage=cover,
    )


async def collect(
    conn: AsyncConnection,
    sources: dict[str, SourceConfig],
    failures_threshold: int,
    keys: list[str] | None = None,
) -> list[SourceHealth]:
    """The health of the given sources (default: all), read from the database: the one way
    health is read (status, /status, the bot's /sources, `sources list`, admin reports)."""
    wanted = [k for k in (keys or list(sources)) if k in sources]
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


class Notifier(Protocol):
    async def send(self, text: str) -> bool: ...


class HealthMonitor:
    """Assesses sources after their crawls and reports breaks and recoveries once; a network
    outage that breaks every source is one report (and its end one more), not one each."""

    def __init__(
        self,
        pool: AsyncConnectionPool,
        sources: dict[str, SourceConfig],
        notifier: Notifier,
        failures_threshold: int,
    ) -> None:
        self.pool = pool
        self.sources = sources
        self.notifier = notifier
        self.failures_threshold = failures_threshold
        self.network_reported: str | None = None  # the outage last reported, until it ends
        self._folded: set[str] = set()  # breaks told as part of the network report
        self._lock = asyncio.Lock()

    async def current(self) -> list[SourceHealth]:
        """Every source's health now (what the bot's /sources shows)."""
        async with self.pool.connection() as conn:
            return await collect(conn, self.sources, self.failures_threshold)

    async def _report_network(self, verdict: str | None) -> None:
        """One report when an outage starts, one when it ends (kept until delivered)."""
        if (verdict is None) == (self.network_reported is None):
            return
        text = (
            f"⚠️ capwatch: {verdict}" if verdict else "✅ capwatch: crawls reach the network again"
        )
        if await self.notifier.send(text):
            self.network_reported = verdict

    async def check(self, keys: list[str] | None = None) -> list[SourceHealth]:
        """Assess, store, and report changes; returns the sources reported this time."""
        async with self._lock:
            everyone = await self.current()
            await self._report_network(network_verdict(everyone))
            states = [h for h in everyone if keys is None or h.key in keys]
            async with self.pool.connection() as conn:
                stored = await health_rows(conn)
            reported = []
            for health in states:
                previous = stored.get(health.key)
                was_broken = bool(previous and previous.reported_state in BROKEN)
                change = health.broken != was_broken and health.state not in ("new", "disabled")
                folded = change and (
                    (health.broken and self.network_reported is not None)
                    or (not health.broken and health.key in self._folded)
                )
                if folded:  # the network report says it (or said it) for every source
                    sent = True
                    if health.broken:
                        self._folded.add(health.key)
                    else:
                        self._folded.discard(health.key)
                else:
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
