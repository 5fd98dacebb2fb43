"""StorePipeline: validate items, store them in batches, NOTIFY the detector.

Batched `INSERT ... ON CONFLICT DO NOTHING` keeps storage cheap (measured ~1.0x bare parsing)
and makes re-crawls idempotent: an item already stored is not stored again. The pool and the
crawl-run row belong to the crawl's context (crawlers/context.py); the pipeline reads them and
adds its counts, and the context's extension records the run when the spider closes.
"""

from __future__ import annotations

import logging
from typing import Any

from psycopg_pool import AsyncConnectionPool
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawlers.context import CrawlContext, crawl_context
from crawlers.items import ArticleItem
from crawlers.sources import SourceConfig
from crawlers.validate import InvalidItem, to_new_article
from db.articles import insert_articles
from db.channels import ARTICLES_CHANNEL, notify
from db.models import NewArticle
from db.sources import upsert_source

log = logging.getLogger(__name__)

BATCH_SIZE = 100


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        context = crawl_context(crawler)
        if context is None:
            raise RuntimeError("StorePipeline needs crawlers.context.CrawlContextExtension")
        self.context: CrawlContext = context
        self.pool: AsyncConnectionPool | None = None
        self.batch: list[NewArticle] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    async def open_spider(self) -> None:
        source = getattr(self.crawler.spider, "source", None)
        if not isinstance(source, SourceConfig):
            raise RuntimeError("StorePipeline stores the items of capwatch's source spiders")
        self.pool = await self.context.open(source.key)
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

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        try:
            article = to_new_article(item)
        except InvalidItem as exc:
            self.context.invalid += 1
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("capwatch/invalid_items")
            log.warning("%s: dropped item %r: %s", item.source_key, item.external_id, exc)
            raise DropItem(str(exc)) from exc
        self.context.items += 1
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
        assert self.pool is not None
        try:
            async with self.pool.connection() as conn:
                new = await insert_articles(conn, self.context.run_id, batch)
                await notify(conn, ARTICLES_CHANNEL)
            self.context.new += new  # not `+= await ...`: that reads before the await
        except BaseException:
            self.batch[:0] = batch  # kept for the retry in close_spider
            raise

    async def close_spider(self) -> None:
        """The last batch; one that fails to store is tried once more, then counted lost."""
        if self.pool is None:
            return
        for attempt in (1, 2):
            try:
                await self.flush()
                return
            except Exception:
                if attempt == 2:
                    log.exception("could not store %d items", len(self.batch))
                    self.context.invalid += len(self.batch)
                    self.batch = []
