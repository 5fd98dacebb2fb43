"""Crawl figures every spider gets, written into the stats the crawl's context stores in
crawl_runs (db/migrations/0005 turns some into columns): HTTP errors (every answer >= 400,
retried ones included: `http_errors`; final answers only: `http_failures`, counted as errors
of the run) and callback exceptions."""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from twisted.python.failure import Failure


class RunStatsExtension:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunStatsExtension:
        ext = cls(crawler)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        return ext

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    def response_received(self, response: Response, request: Request) -> None:
        assert self.crawler.stats is not None
        if response.status >= 400 and not response.url.endswith("/robots.txt"):
            self.crawler.stats.inc_value("capwatch/http_errors")
            self.crawler.stats.inc_value("capwatch/http_failures")  # retries never get here

    def spider_error(self, failure: Failure, response: Any) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("capwatch/parse_errors")
