"""What the JSON-API spiders share: loud failures, list rows, article pages (text helpers:
`_apitext`, re-exported here).

Every site answers differently when it refuses us (a WAF page, `errno`, `code`, HTTP 403);
each spider says *why* in the log and counts it in `capwatch/parse_errors` (we could not read
the answer) or `capwatch/api_errors` (the site said no), so a changed API is noticed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, ClassVar
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response, TextResponse

from crawlers.extract.encoding import response_text
from crawlers.items import ArticleItem
from crawlers.middlewares import GivenUp
from crawlers.spiders._apitext import (
    absolute,
    flash_title,
    html_text,
    origin_of,
    parse_time,
    selector_text,
    strip_jsonp,
)
from crawlers.spiders.base import SourceSpider

__all__ = [  # the text helpers live in _apitext; spiders import everything from here
    "LISTED_URL",
    "ApiSpider",
    "PagedApiSpider",
    "SkipRow",
    "absolute",
    "flash_title",
    "html_text",
    "origin_of",
    "parse_time",
    "selector_text",
    "strip_jsonp",
]

LISTED_URL = "capwatch_listed_url"  # meta: the stored URL an article request completes


class SkipRow(Exception):
    """Raised by a row builder (see `ApiSpider.list_items`): this list row is not an article."""


class ApiSpider(SourceSpider):
    """A SourceSpider for a list API: requests with the site's headers, JSON read loudly,
    optional article pages whose failure still stores what the list said."""

    site_headers: ClassVar[dict[str, str]] = {}

    def headers_for(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The site's Referer/Origin etc., then the source entry's `headers`, then `extra`."""
        configured = getattr(self.source, "headers", None) or {}
        return {**self.site_headers, **configured, **(extra or {})}

    def opt(self, name: str, default: Any) -> Any:
        """A `[source.options]` value, or the default."""
        return self.source.options.get(name, default)

    @property
    def max_pages(self) -> int:
        return max(1, int(self.opt("max_pages", 1)))

    def list_request(
        self,
        url: str,
        callback: Callable[..., Any],
        params: dict[str, Any] | None = None,
        *,
        method: str = "GET",
        body: str | bytes | None = None,
        headers: dict[str, str] | None = None,
        cb_kwargs: dict[str, Any] | None = None,
    ) -> scrapy.Request:
        """A list/API request; HTTP failures are logged and counted as API errors."""
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(params, safe=',')}"
        return scrapy.Request(
            url,
            method=method,
            body=body,
            headers=self.headers_for(headers),
            callback=self._new_articles_only(callback),
            errback=self.list_failed,
            cb_kwargs=cb_kwargs or {},
            dont_filter=True,
        )

    def _new_articles_only(self, callback: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a list callback: article pages whose URL is already stored are not requested
        again (one query per list page). Other output passes through unchanged."""

        async def run(response: Response, **kwargs: Any) -> AsyncIterator[Any]:
            held: list[scrapy.Request] = []
            stats = self.crawler.stats
            for out in callback(response, **kwargs) or ():
                if isinstance(out, scrapy.Request) and out.meta.get(LISTED_URL):
                    held.append(out)
                else:
                    if isinstance(out, ArticleItem):
                        stats.inc_value("capwatch/found")  # a list entry (see crawl_runs.found)
                    yield out
            stats.inc_value("capwatch/found", len(held))
            known = await self.known_urls([r.meta[LISTED_URL] for r in held])
            for request in held:
                if request.meta[LISTED_URL] in known:
                    stats.inc_value("capwatch/known_articles")
                    stats.inc_value("capwatch/known")  # quiet, not broken: crawl_runs.known
                    continue
                yield request

        return run

    async def known_urls(self, urls: list[str]) -> set[str]:
        """Which of `urls` are stored already; empty when nothing stores (or the check fails:
        a failed check costs a re-fetch, never an article)."""
        from crawlers.context import crawl_context  # not at import: `scrapy list` stays quick

        context = crawl_context(self.crawler)
        pool = context.pool if context is not None else None
        if pool is None or not urls:
            return set()
        try:
            from db import articles as articles_db

            async with pool.connection() as conn:
                return await articles_db.known_urls(conn, urls)
        except Exception as exc:
            self.logger.warning("%s: known-URL check failed: %r", self.source.key, exc)
            return set()

    def list_failed(self, failure: Any) -> None:
        if failure.check(GivenUp):
            return  # logged and counted where it was given up
        response = getattr(failure.value, "response", None)
        if response is not None:
            self.api_error(f"HTTP {response.status}: {response.body[:200]!r}")
        else:
            self.api_error(f"request failed: {failure.getErrorMessage()}")

    def api_error(self, reason: str) -> None:
        """The site answered but refused (error code, HTTP status, signature rejected)."""
        self.logger.error("%s: API refused the request: %s", self.source.key, reason)
        self.crawler.stats.inc_value("capwatch/api_errors")

    def parse_error(self, reason: str) -> None:
        """The answer cannot be read as the documented shape (a WAF page, a changed API)."""
        self.logger.error("%s: cannot parse the response: %s", self.source.key, reason)
        self.crawler.stats.inc_value("capwatch/parse_errors")

    def read_json(self, response: Response, *, jsonp: bool = False) -> Any | None:
        """The response as JSON, or None after counting a parse error that says what came."""
        text = response_text(response, "json")
        if jsonp:
            text = strip_jsonp(text)
        try:
            return json.loads(text)
        except ValueError as exc:
            hint = " (an HTML page: WAF or login wall?)" if text.lstrip()[:1] == "<" else ""
            self.parse_error(f"not JSON{hint} from {response.url}: {exc}: {text[:200]!r}")
            return None

    def json_or_error(
        self,
        response: Response,
        *,
        jsonp: bool = False,
        refused: Callable[[Any], str | None] | None = None,
    ) -> Any | None:
        """The answer as JSON, or None after counting why not: unreadable (a parse error) or
        refused (`refused(payload)` names the site's error code: an API error)."""
        payload = self.read_json(response, jsonp=jsonp)
        if payload is None:
            return None
        reason = refused(payload) if refused is not None else None
        if reason:
            self.api_error(reason)
            return None
        return payload

    def json_rows(
        self,
        response: Response,
        path: str,
        *,
        or_top_level: bool = False,
        jsonp: bool = False,
        refused: Callable[[Any], str | None] | None = None,
    ) -> list[dict[str, Any]] | None:
        """The list of objects at `path` in the answer (`or_top_level`: the answer itself when
        it is a list), or None after counting why not (see `json_or_error`, `list_of`)."""
        payload = self.json_or_error(response, jsonp=jsonp, refused=refused)
        if payload is None:
            return None
        return self.list_of(payload, "" if or_top_level and isinstance(payload, list) else path)

    def list_of(self, value: Any, path: str) -> list[dict[str, Any]] | None:
        """A list of objects at `path` (e.g. 'data.items'); None + parse error when absent."""
        node = value
        for part in path.split(".") if path else []:
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, list):
            self.parse_error(f"{path or 'top level'} is not a list; the API shape changed?")
            return None
        return [row for row in node if isinstance(row, dict)]

    def skip_row(self, reason: str) -> None:
        self.logger.debug("%s: skipped a row: %s", self.source.key, reason)
        self.crawler.stats.inc_value("capwatch/skipped_items")

    def list_items(
        self,
        rows: list[dict[str, Any]],
        build: Callable[[dict[str, Any]], Any],
        *,
        require: str = "",
    ) -> Iterator[Any]:
        """`build(row)` for each list row (an item, or the request that completes it); a row
        without `require`, or whose build raises SkipRow, is logged and counted as skipped."""
        for raw in rows:
            if require and not raw.get(require):
                self.skip_row(f"no {require}")
                continue
            try:
                yield build(raw)
            except SkipRow as skip:
                self.skip_row(str(skip))

    def item(self, **fields: Any) -> ArticleItem:
        return ArticleItem(source_key=self.source.key, lang=self.source.lang, **fields)

    # Article pages -----------------------------------------------------------------------

    def article_request(
        self,
        item: ArticleItem,
        parse_page: Callable[[TextResponse, ArticleItem], ArticleItem],
        url: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> scrapy.Request:
        """Fetch the article page to complete `item`; if it fails, `item` is stored as listed."""

        def done(response: Response) -> Iterator[ArticleItem]:
            if not isinstance(response, TextResponse):  # an image or a download, not a page
                self.parse_error(f"article page {response.url}: not a text response")
                yield item
                return
            try:
                yield parse_page(response, item)
            except Exception as exc:  # a changed page must not lose the listed item
                self.parse_error(f"article page {response.url}: {exc!r}")
                yield item

        def failed(failure: Any) -> Iterator[ArticleItem]:
            if not failure.check(GivenUp):  # else logged and counted where it was given up
                response = getattr(failure.value, "response", None)
                status = response.status if response is not None else failure.getErrorMessage()
                self.logger.warning(
                    "%s: article page %s failed (%s); storing the list entry",
                    self.source.key,
                    url or item.url,
                    status,
                )
                self.crawler.stats.inc_value("capwatch/article_page_errors")
            yield item

        return scrapy.Request(
            url or item.url,
            headers=self.headers_for(headers),
            callback=done,
            errback=failed,
            meta={LISTED_URL: item.url},
        )

    @property
    def fetch_articles(self) -> bool:
        return bool(self.opt("fetch_articles", True))

    def with_article(
        self,
        item: ArticleItem,
        parse_page: Callable[[TextResponse, ArticleItem], ArticleItem],
        *,
        fetch: Any = True,
        url: str | None = None,
    ) -> ArticleItem | scrapy.Request:
        """The request for `item`'s article page when pages are fetched (and `fetch` holds for
        this item), else `item` as listed."""
        if self.fetch_articles and fetch:
            return self.article_request(item, parse_page, url=url)
        return item


class PagedApiSpider(ApiSpider):
    """A list API paged by number: pages 1..max_pages of the source URL, each read by `rows`,
    every row built by `list_item` (rows without `require` skipped); an empty page ends it."""

    require: ClassVar[str] = ""

    def params(self, page: int) -> dict[str, Any]:
        raise NotImplementedError

    def rows(self, response: Response) -> list[dict[str, Any]] | None:
        raise NotImplementedError

    def list_item(self, raw: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _page(self, page: int) -> scrapy.Request:
        return self.list_request(
            self.source.url, self.parse, self.params(page), cb_kwargs={"page": page}
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self._page(1)

    def parse(self, response: Response, page: int = 1) -> Iterator[Any]:
        rows = self.rows(response)
        if rows is None:
            return
        yield from self.list_items(rows, self.list_item, require=self.require)
        if rows and page < self.max_pages:
            yield self._page(page + 1)
