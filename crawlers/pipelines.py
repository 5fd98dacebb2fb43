"""StorePipeline: validate items, store them in batches, record the crawl run, NOTIFY.

Batched `INSERT ... ON CONFLICT DO NOTHING` keeps storage cheap (measured ~1.0x bare parsing)
and makes re-crawls idempotent: an item already stored is not stored again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from psycopg_pool import AsyncConnectionPool
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawlers.context import CrawlContext
from crawlers.items import ArticleItem
from crawlers.validate import InvalidItem, to_new_article
from db.articles import insert_articles
from db.channels import ARTICLES_CHANNEL, notify
from db.models import CrawlRunResult, NewArticle
from db.runs import finish_crawl_run, start_crawl_run
from db.sources import upsert_source

log = logging.getLogger(__name__)

BATCH_SIZE = 100
_STATUS_BY_REASON = {"finished": "finished", "closespider_timeout": "timeout"}


async def _standalone_pool(crawler: Crawler) -> AsyncConnectionPool:
    """A pool for crawls started outside the service (`scrapy crawl`, Scrapyd): the DSN comes
    from the function the CAPWATCH_DSN_FUNCTION setting names."""
    import asyncio

    from scrapy.utils.misc import load_object

    dsn_function: Callable[[], str] = load_object(crawler.settings["CAPWATCH_DSN_FUNCTION"])
    dsn = await asyncio.to_thread(dsn_function)
    pool = AsyncConnectionPool(dsn, min_size=1, max_size=2, open=False)
    await pool.open()
    return pool


_ERROR_STATS = (
    "capwatch/api_errors",
    "capwatch/parse_errors",
    "capwatch/article_page_errors",
    "retry/max_reached",  # requests given up after their retries (network, 5xx, 429, ...)
)


def count_errors(stats: dict[str, Any], invalid_items: int) -> int:
    """This crawl's own errors. (Scrapy's log_count/ERROR also counts the ERROR lines of
    other crawls running at the same time in the process, so it is not used.)"""
    return invalid_items + sum(int(stats.get(name, 0) or 0) for name in _ERROR_STATS)


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.context: CrawlContext | None = getattr(crawler, "capwatch", None)
        self.own_pool: AsyncConnectionPool | None = None
        self.batch: list[NewArticle] = []
        self.items = 0
        self.new = 0
        self.invalid = 0
        self.started = time.monotonic()
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    @property
    def pool(self) -> AsyncConnectionPool:
        if self.context is not None:
            return self.context.pool
        assert self.own_pool is not None
        return self.own_pool

    async def open_spider(self) -> None:
        spider = self.crawler.spider
        if self.context is None:
            self.own_pool = await _standalone_pool(self.crawler)
            # a service that starts `scrapy crawl` or a Scrapyd job creates the run row first
            # and passes its id, so it can tell how the crawl ended even if the child dies
            preset = getattr(spider, "crawl_run_id", None)
            self.context = CrawlContext(
                pool=self.own_pool,
                executor=str(getattr(spider, "capwatch_executor", None) or "scrapy"),
                run_id=int(preset) if preset else None,
            )
        source = spider.source  # type: ignore[union-attr]
        async with self.pool.connection() as conn:
            await upsert_source(
                conn,
                source.key,
                source.name,
                source.kind,
                source.tier,
                source.lang,
                source.enabled,
                source.model_dump(mode="json"),
            )
            if self.context.run_id is None:
                self.context.run_id = await start_crawl_run(conn, source.key, self.context.executor)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        try:
            article = to_new_article(item)
        except InvalidItem as exc:
            self.invalid += 1
            self.crawler.stats.inc_value("capwatch/invalid_items")  # type: ignore[union-attr]
            log.warning("%s: dropped item %r: %s", item.source_key, item.external_id, exc)
            raise DropItem(str(exc)) from exc
        self.items += 1
        self.batch.append(article)
        if len(self.batch) >= BATCH_SIZE:
            await self.flush()
        return item

    async def flush(self) -> None:
        # Take the batch before the first await: Scrapy runs process_item for many items at
        # once, and items appended while a flush waits belong to the next batch (re-reading
        # self.batch after the await stored one batch many times and dropped others).
        batch, self.batch = self.batch, []
        if not batch:
            return
        try:
            async with self.pool.connection() as conn:
                new = await insert_articles(conn, self.context.run_id, batch)
                await notify(conn, ARTICLES_CHANNEL)
            self.new += new  # not `self.new += await ...`: that reads self.new before the await
        except BaseException:
            self.batch[:0] = batch  # kept for the retry in spider_closed
            raise

    async def close_spider(self) -> None:
        await self.flush()

    async def spider_closed(self, spider: Any, reason: str) -> None:
        """Record the run (runs after close_spider, when the finish reason is known)."""
        if self.context is None or self.context.run_id is None:
            return
        try:
            await self.flush()  # a batch that failed to store on close is tried once more
        except Exception:
            log.exception("%s: could not store %d items", spider.name, len(self.batch))
            self.invalid += len(self.batch)
        stats = self.crawler.stats.get_stats()  # type: ignore[union-attr]
        errors = count_errors(stats, self.invalid)
        result = CrawlRunResult(
            status=_STATUS_BY_REASON.get(reason, "failed"),
            finish_reason=reason,
            requests=int(stats.get("downloader/request_count", 0)),
            items=self.items,
            new_articles=self.new,
            errors=errors,
            duration_s=round(time.monotonic() - self.started, 3),
            stats={k: v for k, v in stats.items() if isinstance(v, int | float | str)},
        )
        self.context.result = result
        async with self.pool.connection() as conn:
            await finish_crawl_run(conn, self.context.run_id, result)
        if self.own_pool is not None:
            await self.own_pool.close()
