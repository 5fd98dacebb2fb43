"""Crawl executors: how one crawl of one source is run. In-process is the default.

The executor is a seam: the service only calls `await executor.crawl(source)`; a subprocess
and a Scrapyd executor can stand in without the scheduler knowing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Protocol

from psycopg_pool import AsyncConnectionPool

from crawlers.context import CrawlContext
from crawlers.sources import SourceConfig
from db.models import CrawlRunResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrawlOutcome:
    source_key: str
    run_id: int | None
    result: CrawlRunResult | None
    seconds: float


class CrawlExecutor(Protocol):
    async def crawl(self, source: SourceConfig) -> CrawlOutcome: ...

    async def stop(self) -> None: ...


def scrapy_settings(crawl_timeout: int):
    """The project's Scrapy settings, with the service's own overrides."""
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    if not settings.get("BOT_NAME") or settings.get("BOT_NAME") == "scrapybot":
        settings.setmodule("crawlers.settings", priority="project")
    settings.set("CLOSESPIDER_TIMEOUT", crawl_timeout, priority="cmdline")
    settings.set("LOG_ENABLED", False, priority="cmdline")  # the service configures logging
    return settings


class InProcessExecutor:
    """Runs crawls on one AsyncCrawlerRunner on the service's event loop (asyncio reactor)."""

    def __init__(self, pool: AsyncConnectionPool, crawl_timeout: int) -> None:
        from scrapy.crawler import AsyncCrawlerRunner

        self.pool = pool
        self.runner = AsyncCrawlerRunner(scrapy_settings(crawl_timeout))

    async def crawl(self, source: SourceConfig) -> CrawlOutcome:
        started = time.monotonic()
        spider_cls = self.runner.spider_loader.load(source.spider_name)
        crawler = self.runner.create_crawler(spider_cls)
        context = CrawlContext(pool=self.pool, executor="inprocess")
        crawler.capwatch = context  # type: ignore[attr-defined]
        await self.runner.crawl(crawler, source=source)
        return CrawlOutcome(
            source.key, context.run_id, context.result, round(time.monotonic() - started, 3)
        )

    async def stop(self) -> None:
        await self.runner.stop()
        await self.runner.join()
