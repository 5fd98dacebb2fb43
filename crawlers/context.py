"""What a crawl shares with capwatch, and who owns it: the connection pool it stores with and
its crawl-run row.

`CrawlContext` hangs on the crawler as `crawler.capwatch`. The service's in-process executor
sets it (its pool, the run row its job created); under `scrapy crawl` and Scrapyd the
`CrawlContextExtension` makes one from the spider's arguments and opens a pool of its own.
The crawl-run row's whole life is in this module (its SQL in db/runs.py): `begin_run` (the
scheduler's job, before the crawl, so a crawl that dies before Scrapy opens still leaves a
row), `CrawlContext.open` (a standalone crawl given no row makes its own), `CrawlContext.finish`
(called by the extension when the spider closes, from the crawl's stats and the store
pipeline's counts: the crawl records its own ending) and `settle_run` (the job, after the
crawl: a row the crawl left `running` because it died or hit its deadline is closed, then
read back). The pipeline and the spiders only read the context (`crawl_context(crawler)`);
nothing walks Scrapy's internals.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from psycopg_pool import AsyncConnectionPool
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.misc import load_object

from crawlers.netfail import crawl_failure_reason
from db.models import CrawlRunResult, RunRow
from db.runs import close_run, finish_crawl_run, get_run, start_crawl_run

log = logging.getLogger(__name__)

_STATUS_BY_REASON = {"finished": "finished", "closespider_timeout": "timeout"}

# stats that count a crawl's own errors (crawlers/runstats.py, the middlewares, the spiders)
ERROR_STATS = (
    "capwatch/api_errors",  # the site refused (error code, HTTP status)
    "capwatch/parse_errors",  # an answer or item could not be read
    "capwatch/article_page_errors",  # an article page failed (its list entry is stored)
    "capwatch/request_failures",  # requests given up for the network (after retries)
    "capwatch/http_failures",  # final answers >= 400 (after retries)
    "capwatch/redirect_loops",  # requests given up after too many redirects
    "capwatch/no_entries",  # a list or feed with no readable entries
)


def count_errors(stats: dict[str, Any], invalid_items: int) -> int:
    """This crawl's own errors. (Scrapy's log_count/ERROR also counts the ERROR lines of
    other crawls running at the same time in the process, so it is not used.)"""
    return invalid_items + sum(int(stats.get(name, 0) or 0) for name in ERROR_STATS)


def run_result(
    stats: dict[str, Any], reason: str, items: int, new: int, invalid: int, seconds: float
) -> CrawlRunResult:
    """How a crawl ended, as crawl_runs records it. A crawl in which every request failed
    for the network (not one answer came back) is `failed`, with the first failure as reason."""
    status = _STATUS_BY_REASON.get(reason, "failed")
    given_up = int(stats.get("capwatch/request_failures", 0) or 0)
    if status == "finished" and given_up and not stats.get("downloader/response_count"):
        status = "failed"
        reason = crawl_failure_reason(str(stats.get("capwatch/network_failure", "?")), given_up)
    return CrawlRunResult(
        status=status,
        finish_reason=reason,
        requests=int(stats.get("downloader/request_count", 0)),
        items=items,
        new_articles=new,
        errors=count_errors(stats, invalid),
        duration_s=round(seconds, 3),
        stats={k: v for k, v in stats.items() if isinstance(v, int | float | str)},
    )


@dataclass
class CrawlContext:
    """The pool a crawl stores with, its crawl-run row, and what the store pipeline counted."""

    pool: AsyncConnectionPool | None = None
    executor: str = "inprocess"
    run_id: int | None = None
    result: CrawlRunResult | None = None
    items: int = 0  # valid items handed to the store
    new: int = 0  # of them, stored for the first time
    invalid: int = 0  # dropped as invalid, or lost when the store failed
    dsn_function: str | None = None  # standalone: the function giving the DSN, by import path
    own_pool: bool = False
    started: float = field(default_factory=time.monotonic)
    _opening: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    async def open(self, source_key: str) -> AsyncConnectionPool:
        """The pool (opened here for a standalone crawl) with this crawl's run row in it."""
        async with self._opening:
            if self.pool is None:
                if self.dsn_function is None:
                    raise RuntimeError("this crawl has no database (no pool, no DSN function)")
                find_dsn: Callable[[], str] = load_object(self.dsn_function)
                dsn = await asyncio.to_thread(find_dsn)
                self.pool = AsyncConnectionPool(dsn, min_size=1, max_size=2, open=False)
                await self.pool.open()
                self.own_pool = True
            if self.run_id is None:
                async with self.pool.connection() as conn:
                    self.run_id = await start_crawl_run(conn, source_key, self.executor)
            return self.pool

    async def finish(self, stats: dict[str, Any], reason: str) -> CrawlRunResult | None:
        """Record how the crawl ended in its row (if it has one) and release an own pool."""
        if self.pool is None or self.run_id is None:
            return None
        seconds = time.monotonic() - self.started
        result = run_result(stats, reason, self.items, self.new, self.invalid, seconds)
        try:
            async with self.pool.connection() as conn:
                await finish_crawl_run(conn, self.run_id, result)
            self.result = result
        finally:
            if self.own_pool:
                await self.pool.close()
        return result


async def begin_run(pool: AsyncConnectionPool, source_key: str, executor: str) -> int:
    """The row of a crawl about to start (status `running`)."""
    async with pool.connection() as conn:
        return await start_crawl_run(conn, source_key, executor)


async def settle_run(
    pool: AsyncConnectionPool, run_id: int, *, timed_out: bool, why: str
) -> RunRow | None:
    """After the crawl: a crawl stopped at its deadline is a `timeout` whatever it recorded;
    a row still `running` (the crawl died before recording) is `failed` with `why`. Returns
    the row as recorded."""
    async with pool.connection() as conn:
        if timed_out:
            await close_run(conn, run_id, "timeout", "deadline", force=True)
        else:
            await close_run(conn, run_id, "failed", why[:500])
        return await get_run(conn, run_id)


def crawl_context(crawler: Crawler) -> CrawlContext | None:
    """The crawl's context; None when the extension is not installed (nothing stores)."""
    found = getattr(crawler, "capwatch", None)
    return found if isinstance(found, CrawlContext) else None


class CrawlContextExtension:
    """Makes sure every crawl has a CrawlContext, and records the run when the spider closes
    (after the store pipeline's last flush, when the finish reason is known)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        if crawl_context(crawler) is None:  # `scrapy crawl` or Scrapyd: from the spider's args
            spider = crawler.spider
            preset = getattr(spider, "crawl_run_id", None)  # the service created the row
            setting = crawler.settings.get("CAPWATCH_DSN_FUNCTION")
            crawler.capwatch = CrawlContext(  # type: ignore[attr-defined]
                executor=str(getattr(spider, "capwatch_executor", None) or "scrapy"),
                run_id=int(preset) if preset else None,
                dsn_function=str(setting) if setting else None,  # loaded when a store opens
            )
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlContextExtension:
        return cls(crawler)

    async def spider_closed(self, spider: Any, reason: str) -> None:
        context = crawl_context(self.crawler)
        if context is None or self.crawler.stats is None:
            return
        try:
            await context.finish(self.crawler.stats.get_stats(), reason)
        except Exception:
            log.exception("%s: could not record the crawl run %s", spider.name, context.run_id)
