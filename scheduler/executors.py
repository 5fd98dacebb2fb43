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
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from psycopg_pool import AsyncConnectionPool

from crawlers.context import CrawlContext
from crawlers.sources import SourceConfig
from db.models import CrawlRunResult

if TYPE_CHECKING:  # Scrapy (and Twisted) load only when a crawl runs
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrawlOutcome:
    source_key: str
    run_id: int | None
    result: CrawlRunResult | None  # known in-process; the job reads the row otherwise
    seconds: float
    timed_out: bool = False  # stopped by force at the hard deadline
    error: str | None = None  # why the crawl could not run or did not end normally
    where: str | None = None  # where to look when the crawl did not record its run (a log)


class CrawlExecutor(Protocol):
    name: str

    async def crawl(
        self,
        source: SourceConfig,
        *,
        run_id: int | None = None,
        timeout: int | None = None,
        args: Mapping[str, str] | None = None,
    ) -> CrawlOutcome: ...

    async def stop(self) -> None: ...


SHUTDOWN = "shutdown"  # finish reason of a crawl stopped because the service stopped


def grace_seconds(timeout: float) -> float:
    """How long after the polite close a crawl may take before it is stopped by force."""
    return max(2.0, min(30.0, timeout / 5))


@dataclass(frozen=True)
class CrawlClock:
    """One crawl's time limit and start: what every executor needs to enforce the hard
    deadline and to report the crawl's outcome with its duration."""

    source_key: str
    run_id: int | None
    limit: int
    started: float = field(default_factory=time.monotonic)

    @property
    def grace(self) -> float:
        return grace_seconds(self.limit)

    async def wait(
        self, crawl: Awaitable[Any], force_stop: Callable[[float], Awaitable[Any]]
    ) -> bool:
        """Waits for `crawl` until the hard deadline (limit + grace); past it, awaits
        `force_stop(grace)` and says True (timed out)."""
        try:
            await asyncio.wait_for(crawl, self.limit + self.grace)
        except TimeoutError:
            await force_stop(self.grace)
            return True
        return False

    def outcome(
        self,
        *,
        run_id: int | None = None,
        result: CrawlRunResult | None = None,
        timed_out: bool = False,
        error: str | None = None,
        where: str | None = None,
    ) -> CrawlOutcome:
        """The outcome, timed since the start; `run_id` when the crawl learned its own."""
        return CrawlOutcome(
            self.source_key,
            run_id if run_id is not None else self.run_id,
            result,
            round(time.monotonic() - self.started, 3),
            timed_out=timed_out,
            error=error,
            where=where,
        )

    def not_started(self, error: str) -> CrawlOutcome:
        return CrawlOutcome(self.source_key, self.run_id, None, 0.0, error=error)


class BaseExecutor:
    """The `crawl` entry every executor shares (default time limit, clock); `run` crawls."""

    name: str
    crawl_timeout: int

    async def crawl(
        self,
        source: SourceConfig,
        *,
        run_id: int | None = None,
        timeout: int | None = None,
        args: Mapping[str, str] | None = None,
    ) -> CrawlOutcome:
        clock = CrawlClock(source.key, run_id, timeout or self.crawl_timeout)
        return await self.run(source, clock, args or {})

    async def run(
        self, source: SourceConfig, clock: CrawlClock, args: Mapping[str, str]
    ) -> CrawlOutcome:
        raise NotImplementedError


def scrapy_settings(crawl_timeout: int, overrides: dict[str, Any] | None = None) -> Settings:
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


class InProcessExecutor(BaseExecutor):
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
        self.tasks: set[asyncio.Future[None]] = set()

    async def run(
        self, source: SourceConfig, clock: CrawlClock, args: Mapping[str, str]
    ) -> CrawlOutcome:
        context = CrawlContext(pool=self.pool, executor=self.name, run_id=clock.run_id)
        try:
            spider_cls = self.runner.spider_loader.load(source.spider_name)
            crawler = self.runner.create_crawler(spider_cls)
            crawler.settings.set("CLOSESPIDER_TIMEOUT", clock.limit, priority="cmdline")
            crawler.capwatch = context  # type: ignore[attr-defined]
            task = self.runner.crawl(crawler, source=source, **args)
        except Exception as exc:
            failed = f"{type(exc).__name__}: {exc}"
            return clock.outcome(run_id=context.run_id, result=context.result, error=failed)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        timed_out = False
        error: str | None = None
        try:
            timed_out = await clock.wait(
                asyncio.shield(task), lambda grace: self._force_stop(crawler, task, grace)
            )
        except asyncio.CancelledError:
            me = asyncio.current_task()
            if not task.cancelled() or (me is not None and me.cancelling()):
                task.cancel()
                raise
            error = SHUTDOWN  # the crawl was cancelled by `stop()`, not this job
        except Exception as exc:  # the spider raised while starting (bad argument, import...)
            error = f"{type(exc).__name__}: {exc}"
        return clock.outcome(
            run_id=context.run_id, result=context.result, timed_out=timed_out, error=error
        )

    async def _force_stop(self, crawler: Crawler, task: asyncio.Future[None], grace: float) -> None:
        name = crawler.spider.name if crawler.spider else crawler.spidercls.name
        log.warning("%s: crawl past its deadline; stopping it", name)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(crawler.stop_async(), grace)
        if not task.done():
            task.cancel()
        await _settle(asyncio.wait_for(task, grace))

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
        await _settle(stopper)


async def _settle(awaitable: Awaitable[object]) -> None:
    """Wait for a crawl being stopped, whatever it ends with (cancelled, failed, timed out),
    but let a cancellation of the waiting task itself through: shutdown must not hang."""
    try:
        await awaitable
    except asyncio.CancelledError:
        me = asyncio.current_task()
        if me is not None and me.cancelling():
            raise
    except Exception as exc:
        log.debug("stopped crawl ended with %s", type(exc).__name__)
