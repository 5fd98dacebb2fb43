"""Crawl figures every spider gets, written into the stats the pipeline stores in crawl_runs
(db/migrations/0005 turns them into columns): HTTP errors and callback exceptions."""

from __future__ import annotations

from scrapy import signals


class RunStatsExtension:
    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        return ext

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    def response_received(self, response, request) -> None:
        if response.status >= 400 and not response.url.endswith("/robots.txt"):
            self.crawler.stats.inc_value("capwatch/http_errors")

    def spider_error(self, failure, response) -> None:
        self.crawler.stats.inc_value("capwatch/parse_errors")
