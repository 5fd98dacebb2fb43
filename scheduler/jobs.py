"""Crawl jobs: what the scheduler runs for each source, and how each source is scheduled.

Every crawl goes through `CrawlJobs.run`: a global cap on concurrent crawls, the executor
chosen for the source, a crawl-run row created before the crawl starts (so a crawl that dies
before Scrapy opens still leaves a `failed` row), the row closed afterwards if the crawl could
not close it (`timeout` when stopped at its deadline), one log line, then a health check.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from psycopg_pool import AsyncConnectionPool

from crawlers.context import begin_run, settle_run
from crawlers.sources import SourceConfig
from scheduler.executors import CrawlExecutor, CrawlOutcome

log = logging.getLogger("capwatch.crawl")


@dataclass(frozen=True)
class CrawlReport:
    """How one crawl ended, as recorded in crawl_runs."""

    key: str
    run_id: int | None
    executor: str
    status: str
    items: int = 0
    new: int = 0
    errors: int = 0
    requests: int = 0
    seconds: float = 0.0
    note: str | None = None


class CrawlJobs:
    def __init__(
        self,
        pool: AsyncConnectionPool,
        sources: dict[str, SourceConfig],
        executors: dict[str, CrawlExecutor],
        default_executor: str,
        max_concurrent: int,
        crawl_timeout: int,
        after_crawl: Callable[[str], Awaitable[object]] | None = None,
    ) -> None:
        self.pool = pool
        self.sources = sources
        self.executors = executors
        self.default_executor = default_executor
        self.crawl_timeout = crawl_timeout
        self.after_crawl = after_crawl
        self.slots = asyncio.Semaphore(max_concurrent)
        self.active: set[asyncio.Task[object]] = set()
        self.stopping = False

    def executor_for(self, source: SourceConfig) -> CrawlExecutor:
        name = source.executor or self.default_executor
        if name not in self.executors:
            raise RuntimeError(f"{source.key}: executor {name!r} is not configured")
        return self.executors[name]

    async def run(
        self, key: str, *, args: dict[str, Any] | None = None, timeout: int | None = None
    ) -> CrawlReport:
        """One crawl of one source; never raises (a source must not stop the scheduler)."""
        task = asyncio.current_task()
        if task is not None:
            self.active.add(task)
        try:
            async with self.slots:
                if self.stopping:
                    return CrawlReport(key, None, "-", "skipped", note="service stopping")
                report = await self._run(key, args, timeout)
            if self.after_crawl is not None and not self.stopping:
                try:
                    await self.after_crawl(key)
                except Exception:
                    log.exception("health check after the crawl of %s failed", key)
            return report
        finally:
            if task is not None:
                self.active.discard(task)

    async def _run(self, key: str, args: dict[str, Any] | None, timeout: int | None) -> CrawlReport:
        source = self.sources[key]
        try:
            executor = self.executor_for(source)
        except RuntimeError as exc:
            log.error("crawl not started: %s", exc)
            return CrawlReport(key, None, source.executor or "-", "failed", note=str(exc))
        try:
            run_id = await begin_run(self.pool, source.key, executor.name)
        except Exception as exc:  # the database is away: nothing could be stored anyway
            log.warning("crawl not started: %s: cannot record a run (%s)", key, exc)
            return CrawlReport(key, None, executor.name, "failed", note=f"database: {exc}")
        try:
            outcome = await executor.crawl(
                source, run_id=run_id, timeout=timeout or self.crawl_timeout, args=args
            )
        except Exception as exc:
            log.exception("crawl of %s crashed", key)
            outcome = CrawlOutcome(key, run_id, None, 0.0, error=f"{type(exc).__name__}: {exc}")
        report = await self._finish(source, executor.name, outcome)
        self._log(report)
        return report

    async def _finish(
        self, source: SourceConfig, executor: str, outcome: CrawlOutcome
    ) -> CrawlReport:
        """How the crawl ended. The crawl's context records its run (crawlers/context.py); in
        process it also hands back what it recorded. Otherwise (a child process, Scrapyd, a
        crawl that died or hit its deadline) the row is closed if the crawl left it running,
        and read back."""
        done = outcome.result
        if done is not None and not outcome.timed_out and outcome.error is None:
            return CrawlReport(
                source.key,
                outcome.run_id,
                executor,
                done.status,
                done.items,
                done.new_articles,
                done.errors,
                done.requests,
                round(done.duration_s or outcome.seconds, 1),
                note=done.finish_reason,
            )
        run_id = outcome.run_id
        assert run_id is not None
        why = outcome.error or "ended without recording the run"
        if outcome.where and not outcome.error:
            why += f"; see {outcome.where}"
        for attempt in range(3):  # the database may be restarting right now
            try:
                row = await settle_run(self.pool, run_id, timed_out=outcome.timed_out, why=why)
                break
            except Exception as exc:
                if attempt == 2:
                    log.warning(
                        "%s: could not record how run %s ended: %s", source.key, run_id, exc
                    )
                    return CrawlReport(
                        source.key, run_id, executor, "unknown", seconds=outcome.seconds
                    )
                await asyncio.sleep(2.0)
        assert row is not None
        return CrawlReport(
            source.key,
            run_id,
            executor,
            row.status,
            row.items,
            row.new_articles,
            row.errors,
            row.requests,
            round(row.duration_s or outcome.seconds, 1),
            note=outcome.error or row.finish_reason,
        )

    @staticmethod
    def _log(report: CrawlReport) -> None:
        level = logging.INFO if report.status == "finished" else logging.WARNING
        log.log(
            level,
            "crawl finished: %s status=%s items=%d new=%d errors=%d requests=%d seconds=%.1f"
            " executor=%s run=%s%s",
            report.key,
            report.status,
            report.items,
            report.new,
            report.errors,
            report.requests,
            report.seconds,
            report.executor,
            report.run_id,
            f" ({report.note})" if report.status != "finished" and report.note else "",
        )

    def resume(self) -> None:
        """Accept crawls again (after this process became the scheduler once more)."""
        self.stopping = False

    async def close(self) -> None:
        """At exit: stop crawls, then release what the executors hold (HTTP clients)."""
        await self.stop()
        for executor in self.executors.values():
            closer = getattr(executor, "close", None)
            if closer is not None:
                with contextlib.suppress(Exception):
                    await closer()

    async def stop(self, wait_seconds: float = 30.0) -> None:
        """No new crawls; running ones are stopped by their executors and recorded."""
        self.stopping = True
        await asyncio.gather(
            *(asyncio.wait_for(ex.stop(), wait_seconds) for ex in self.executors.values()),
            return_exceptions=True,
        )
        pending = [t for t in self.active if t is not asyncio.current_task()]
        if pending:
            _, late = await asyncio.wait(pending, timeout=wait_seconds)
            for task in late:
                task.cancel()


# --- scheduling --------------------------------------------------------------------------------


def trigger_for(source: SourceConfig) -> tuple[Any, int]:
    """The APScheduler trigger of a source and a misfire grace time suited to its period:
    half the period (a run more than half a period late is dropped; coalescing keeps one)."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    if source.cron:
        trigger = CronTrigger.from_crontab(source.cron, timezone="Asia/Shanghai")
        first = trigger.get_next_fire_time(None, datetime.now(trigger.timezone))
        second = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
        period = (second - first).total_seconds() if first and second else 3600
        trigger.jitter = int(min(period // 10, 60)) or None
        return trigger, int(max(5, min(period // 2, 3600)))
    interval = int(source.interval or 60)
    trigger = IntervalTrigger(seconds=interval, jitter=min(interval // 10, 30) or None)
    return trigger, max(5, min(interval // 2, 3600))


def add_crawl_jobs(scheduler: Any, jobs: CrawlJobs, first_run: datetime | None = None) -> int:
    """One job per enabled source: max_instances=1 (never two crawls of one source),
    coalesce (missed runs become one). Returns how many were added."""
    added = 0
    for key, source in jobs.sources.items():
        if not source.enabled:
            continue
        trigger, grace = trigger_for(source)
        scheduler.add_job(
            jobs.run,
            trigger,
            args=[key],
            id=f"crawl:{key}",
            name=f"crawl {key}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=grace,
            next_run_time=first_run or datetime.now().astimezone(),
        )
        added += 1
    return added
