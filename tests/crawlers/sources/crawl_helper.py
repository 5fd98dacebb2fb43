"""Run real Scrapy crawls of several sources in one process (the service's in-process way:
AsyncCrawlerRunner on the asyncio reactor, CrawlContext with a pool, StorePipeline), with
pacing turned down for loopback. Prints one JSON line per crawl.

    python -m tests.crawlers.sources.crawl_helper DSN SOURCES_FILE KEY[,KEY...]
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    dsn, sources_file, keys = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    from capwatch.service import run_under_reactor

    async def crawl_all() -> int:
        from pathlib import Path

        from psycopg_pool import AsyncConnectionPool
        from scrapy.crawler import AsyncCrawlerRunner
        from scrapy.utils.project import get_project_settings

        from crawlers.context import CrawlContext
        from crawlers.sources import load_sources
        from db.migrate import migrate

        migrate(dsn)
        sources = load_sources(Path(sources_file))
        settings = get_project_settings()
        settings.setmodule("crawlers.settings", priority="project")
        for name, value in {
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "RETRY_BACKOFF_BASE": 0.05,
            "LOG_LEVEL": "WARNING",
            "CLOSESPIDER_TIMEOUT": 60,
        }.items():
            settings.set(name, value, priority="cmdline")
        pool = AsyncConnectionPool(dsn, min_size=1, max_size=4, open=False)
        await pool.open()
        runner = AsyncCrawlerRunner(settings)
        for key in keys:
            source = sources[key]
            crawler = runner.create_crawler(runner.spider_loader.load(source.spider_name))
            context = CrawlContext(pool=pool, executor="test")
            crawler.capwatch = context
            await runner.crawl(crawler, source=source)
            result = context.result
            print(
                json.dumps(
                    {
                        "key": key,
                        "status": result.status,
                        "items": result.items,
                        "new": result.new_articles,
                        "run_id": context.run_id,
                    }
                ),
                flush=True,
            )
        await pool.close()
        return 0

    return run_under_reactor(crawl_all)


if __name__ == "__main__":
    sys.exit(main())
