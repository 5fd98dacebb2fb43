"""StorePipeline under Scrapy's concurrent process_item calls: every item is stored once."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from psycopg_pool import AsyncConnectionPool
from scrapy.settings import Settings
from scrapy.signalmanager import SignalManager
from scrapy.statscollectors import MemoryStatsCollector

from crawlers.context import CrawlContext
from crawlers.items import ArticleItem
from crawlers.pipelines import BATCH_SIZE, StorePipeline
from crawlers.sources import SourceConfig


async def test_items_arriving_while_a_batch_is_written_are_all_stored(database_url):
    source = SourceConfig.model_validate(
        {"key": "batch_src", "name": "batch", "kind": "html", "url": "http://127.0.0.1/l",
         "interval": 60}
    )  # fmt: skip
    async with AsyncConnectionPool(database_url, min_size=1, max_size=4, open=False) as pool:
        crawler = SimpleNamespace(
            capwatch=CrawlContext(pool=pool, executor="test"),
            signals=SignalManager(),
            spider=SimpleNamespace(source=source, name="html"),
            settings=Settings(),
        )
        crawler.stats = MemoryStatsCollector(crawler)
        pipeline = StorePipeline(crawler)
        await pipeline.open_spider()
        total = BATCH_SIZE * 3 + 17
        items = [
            ArticleItem(source_key="batch_src", external_id=f"a{i}",
                        url=f"http://127.0.0.1/a/{i}", title=f"标题{i}", body="正文")
            for i in range(total)
        ]  # fmt: skip
        # Scrapy runs process_item for many items at once (CONCURRENT_ITEMS)
        await asyncio.gather(*(pipeline.process_item(item) for item in items))
        await pipeline.close_spider()
        async with pool.connection() as conn:
            cur = await conn.execute(
                "SELECT count(*), count(DISTINCT url) FROM articles WHERE source_key = 'batch_src'"
            )
            assert await cur.fetchone() == (total, total)
        assert crawler.capwatch.new == total  # the counts live on the crawl context
        assert pipeline.batch == []
