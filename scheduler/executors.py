"""Crawl executors: how one crawl of one source is run. In-process is the default.

The executor is a seam: the scheduler only calls `await executor.crawl(source, ...)`. In-process
(here), subprocess (`scheduler/subprocess_executor.py`) and Scrapyd
(`scheduler/scrapyd_executor.py`) stand in for each other. Every executor enforces a hard
deadline: Scrapy's CLOSESPIDER_TIMEOUT closes a crawl politely, and a crawl still running
`grace` seconds after it is stopped by force and reported as timed out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

from psycopg_pool import AsyncConnectionPool

from crawlers.context import CrawlContext
from crawlers.sources import SourceConfig
from db.models import CrawlRunResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrawlOutcome:
    source_key: str
    run_id: int | None
    result: CrawlRunResult | None  # known in-process; the job reads the row otherwise
    seconds: float
    timed_out: bool = False  # stopped by force at the hard deadline
    error: str | None = None  # why the crawl could not run or did not end normally


class CrawlExecutor(Protocol):
    name: str

    async def crawl(
        self,
        source: SourceConfig,
        *,
        run_id: int | None = None,
        timeout: int | None = None,
        args: dict[str, Any] | None = None,
    ) -> CrawlOutcome: ...

    async def stop(self) -> None: ...


SHUTDOWN = "shutdown"  # finish reason of a crawl stopped because the service stopped


def grace_seconds(timeout: float) -> float:
    """How long after the polite close a crawl may take before it is stopped by force."""
    return max(2.0, min(30.0, timeout / 5))


def scrapy_settings(crawl_timeout: int, overrides: dict[str, Any] | None = None):
    """The project's Scrapy settings, with the service's own overrides."""
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    if not settings.get("BOT_NAME") or settings.get("BOT_NAME") == "scrapybot":
        settings.setmodule("crawlers.settings", priority="project")
    settings.set("CLOSESPIDER_TIMEOUT", crawl_timeout, priority="cmdline")
    settings.set("LOG_ENABLED", False, priority="cmdline")  # the service configures logging
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


class InProcessExecutor:
    """Runs crawls on one AsyncCrawlerRunner on the service's event loop (asyncio reactor)."""

    name = "inprocess"

    def __init__(
        self,
        pool: AsyncConnectionPool,
        crawl_timeout: int,
        scrapy_overrides: dict[str, Any] | None = None,
    ) -> None:
        from scrapy.crawler import AsyncCrawlerRunner

        self.pool = pool
        self.crawl_timeout = crawl_timeout
        self.runner = AsyncCrawlerRunner(scrapy_settings(crawl_timeout, scrapy_overrides))
        self.tasks: set[asyncio.Task] = set()

    async def crawl(
        self,
        source: SourceConfig,
        *,
        run_id: int | None = None,
        timeout: int | None = None,
        args: dict[str, Any] | None = None,
    ) -> CrawlOutcome:
        started = time.monotonic()
        limit = timeout or self.crawl_timeout
        context = CrawlContext(pool=self.pool, executor=self.name, run_id=run_id)
        try:
            spider_cls = self.runner.spider_loader.load(source.spider_name)
            crawler = self.runner.create_crawler(spider_cls)
            crawler.settings.set("CLOSESPIDER_TIMEOUT", limit, priority="cmdline")
            crawler.capwatch = context  # type: ignore[attr-defined]
            task = self.runner.crawl(crawler, source=source, **(args or {}))
        except Exception as exc:
            return self._outcome(source, context, started, error=f"{type(exc).__name__}: {exc}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        timed_out = False
        error = None
        try:
            await asyncio.wait_for(asyncio.shield(task), limit + grace_seconds(limit))
        except TimeoutError:
            timed_out = True
            await self._force_stop(crawler, task, grace_seconds(limit))
        except asyncio.CancelledError:
            me = asyncio.current_task()
            if not task.cancelled() or (me is not None and me.cancelling()):
                task.cancel()
                raise
            error = SHUTDOWN  # the crawl was cancelled by `stop()`, not this job
        except Exception as exc:  # the spider raised while starting (bad argument, import...)
            error = f"{type(exc).__name__}: {exc}"
        return self._outcome(source, context, started, timed_out=timed_out, error=error)

    async def _force_stop(self, crawler: Any, task: asyncio.Task, grace: float) -> None:
        log.warning("%s: crawl past its deadline; stopping it", crawler.spider.name)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(crawler.stop_async(), grace)
        if not task.done():
            task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(task, grace)

    def _outcome(
        self,
        source: SourceConfig,
        context: CrawlContext,
        started: float,
        *,
        timed_out: bool = False,
        error: str | None = None,
    ) -> CrawlOutcome:
        return CrawlOutcome(
            source.key,
            context.run_id,
            context.result,
            round(time.monotonic() - started, 3),
            timed_out=timed_out,
            error=error,
        )

    async def stop(self, grace: float = 10.0) -> None:
        """Running crawls are closed politely; those still running after `grace` are
        cancelled (their jobs record them as stopped by the shutdown)."""
        stopper = asyncio.ensure_future(self.runner.stop())
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=grace)
        for task in list(self.tasks):
            task.cancel()
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=grace)
        if not stopper.done():
            stopper.cancel()  # a spider stuck in its close must not hold the service
        with contextlib.suppress(BaseException):
            await stopper
