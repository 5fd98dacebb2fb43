"""Politeness that every spider gets from its source entry, not from its own code.

SourcePolicyMiddleware: the source's headers (Referer/Origin), its robots.txt opt-out and its
request pacing. BackoffRetryMiddleware: Scrapy's retries (403/418/429/5xx), but waiting
before each retry, exponentially or as long as Retry-After asks, instead of at once; a
request given up for the network is one log line (source, URL, reason) and a counted error,
not a traceback. CountingRedirectMiddleware: a redirect loop is the same.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any, NoReturn

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.httpobj import urlparse_cached

from crawlers.netfail import describe

log = logging.getLogger(__name__)


def _source(spider: Any) -> Any:  # a SourceConfig, or None for a foreign spider
    return getattr(spider, "source", None)


class SourcePolicyMiddleware:
    """Adds the source's headers (never overriding a header the spider set) and, when the
    source opted out with a stated reason, marks requests as exempt from robots.txt."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourcePolicyMiddleware:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    def process_request(self, request: Request) -> None:
        source = _source(self.crawler.spider)
        if source is None:
            return None
        for name, value in (getattr(source, "headers", None) or {}).items():
            request.headers.setdefault(name, value)
        if getattr(source, "robots", True) is False:
            request.meta.setdefault("dont_obey_robotstxt", True)
        self._pace(source, request)
        return None

    def _pace(self, source: Any, request: Request) -> None:
        """The source's download_delay / concurrency for its hosts' download slots (set
        before the slot exists; Scrapy reads DOWNLOAD_SLOTS-style settings at slot creation)."""
        delay = getattr(source, "download_delay", None)
        concurrency = getattr(source, "concurrency", None)
        if delay is None and concurrency is None:
            return
        downloader = self.crawler.engine.downloader
        host = urlparse_cached(request).hostname or ""
        if host in downloader.per_slot_settings:
            return
        slot: dict[str, Any] = {}
        if delay is not None:
            slot["delay"] = float(delay)
        if concurrency is not None:
            slot["concurrency"] = int(concurrency)
        downloader.per_slot_settings[host] = slot


def _retry_after(response: Response) -> float | None:
    value = response.headers.get(b"Retry-After")
    if not value:
        return None
    try:
        return float(value.decode().strip())
    except ValueError:
        return None  # an HTTP date; use the exponential delay instead


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware with a wait before each retry: RETRY_BACKOFF_BASE * 2**(n-1) seconds
    (with jitter), or the server's Retry-After, capped at RETRY_BACKOFF_MAX."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    def _delay(self, request: Request, response: Response | None) -> float:
        attempt = int(request.meta.get("retry_times", 0)) + 1
        delay = self.backoff_base * (2 ** (attempt - 1)) * random.uniform(0.8, 1.2)
        if response is not None and (after := _retry_after(response)) is not None:
            delay = max(delay, after)
        return float(min(delay, self.backoff_max))

    # Scrapy accepts coroutine middleware methods; its stubs declare the sync signature
    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        delay = self._delay(request, response)
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response  # the final answer: counted by crawlers/runstats.py
        self.crawler.stats.inc_value("capwatch/http_errors")  # a retried answer is an error too
        if delay > 0:
            log.info("HTTP %s from %s: retrying in %.1fs", response.status, request.url, delay)
            await asyncio.sleep(delay)
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            delay = self._delay(request, None)
            if delay > 0:
                await asyncio.sleep(delay)
            return result
        if result is not None or isinstance(exception, IgnoreRequest):
            return result
        reason = describe(exception, request.url)
        stats = self.crawler.stats
        stats.inc_value("capwatch/request_failures")
        if stats.get_value("capwatch/network_failure") is None:
            stats.set_value("capwatch/network_failure", reason)  # the crawl's failure reason
        give_up(self.crawler, request, reason)


class GivenUp(IgnoreRequest):
    """A request capwatch gave up on, already logged and counted: errbacks get this (its
    message is the reason) and need not log or count it again."""


def give_up(crawler: Crawler, request: Request, reason: str) -> NoReturn:
    """One log line for a request given up, then GivenUp for its errback (Scrapy does not
    log an IgnoreRequest, so there is no traceback)."""
    source = _source(crawler.spider)
    key = getattr(source, "key", None) or getattr(crawler.spider, "name", "?")
    log.warning("%s: gave up %s: %s", key, request.url, reason)
    raise GivenUp(reason)


class CountingRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirects; a request that ends in a redirect loop (more than REDIRECT_MAX_TIMES
    hops) is given up like a network failure: one line, a counted error."""

    def process_response(  # type: ignore[override]  # no `spider` argument (deprecated)
        self, request: Request, response: Response
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except GivenUp:
            raise
        except IgnoreRequest as exc:
            if "max redirections" not in str(exc):
                raise
            self.crawler.stats.inc_value("capwatch/redirect_loops")
            hops = len(request.meta.get("redirect_urls", ()))
            give_up(self.crawler, request, f"redirect loop ({hops} redirects)")
