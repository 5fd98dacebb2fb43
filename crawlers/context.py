"""What a crawl needs from the service, hung on the crawler (never in Scrapy settings)."""

from __future__ import annotations

from dataclasses import dataclass, field

from psycopg_pool import AsyncConnectionPool

from db.models import CrawlRunResult


@dataclass
class CrawlContext:
    """Given to a crawler by the in-process executor; absent under `scrapy crawl` and Scrapyd,
    where the pipeline opens its own pool from the environment."""

    pool: AsyncConnectionPool
    executor: str = "inprocess"
    run_id: int | None = None
    result: CrawlRunResult | None = field(default=None)
