"""What the JSON-API spiders share: loud failures, Beijing times, 【headline】 titles, HTML to text.

Every site answers differently when it refuses us (a WAF page, `errno`, `code`, HTTP 403);
each spider says *why* in the log and counts it in `capwatch/parse_errors` (we could not read
the answer) or `capwatch/api_errors` (the site said no), so a changed API is noticed.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar
from urllib.parse import urlencode, urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response
from w3lib.html import remove_tags, replace_entities

from crawlers.items import ArticleItem
from crawlers.spiders.base import SourceSpider
from crawlers.timeutil import BEIJING

_HEADLINE = re.compile(r"^\s*【([^【】]{2,200})】")
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT-]*(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
    r"(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?"
)
_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|div|h[1-6]|li|tr|section|blockquote)>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_JSONP = re.compile(r"^[\w$.]+\s*\((.*)\)\s*;?\s*$", re.S)
TITLE_CHARS = 80
LISTED_URL = "capwatch_listed_url"  # meta: the stored URL an article request completes


class SkipRow(Exception):
    """Raised by a row builder (see `ApiSpider.list_items`): this list row is not an article."""


def beijing_time(text: Any) -> datetime | None:
    """A date/time written on a Chinese site: naive means Beijing; an explicit offset wins.

    Accepts `2026-08-21 00:02:06`, `2026-08-21 00:02`, `2026-08-21`, `2026.08.21 10:36`,
    `2026/08/21`, `2026年08月21日 10:36`, `2026-08-21-10:36:00` (gov.cn meta) and ISO strings.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    match = _DATE.search(text)
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        return None
    if not offset:
        return moment.replace(tzinfo=BEIJING)
    if offset == "Z":
        return moment.replace(tzinfo=UTC)
    sign = 1 if offset[0] == "+" else -1
    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment.replace(tzinfo=timezone(sign * delta))


def html_text(fragment: Any) -> str:
    """Plain text of an HTML fragment (paragraphs kept as lines); plain text passes through."""
    if not isinstance(fragment, str):
        return ""
    text = _BLOCK_END.sub("\n", fragment) if "<" in fragment else fragment
    text = replace_entities(remove_tags(text)) if "<" in fragment or "&" in fragment else text
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line)).strip()


def flash_title(text: str, *candidates: Any) -> str:
    """Flash-item title: the leading 【headline】, else a given title, else the first 80 chars."""
    match = _HEADLINE.match(text or "")
    if match:
        return match.group(1).strip()
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            return html_text(candidate)
    plain = (text or "").strip()
    return plain if len(plain) <= TITLE_CHARS else plain[: TITLE_CHARS - 1] + "…"


def selector_text(sel: Selector, css: str, drop: str = "") -> str:
    """Text of the first element matching `css` (several selectors: first that matches wins),
    after removing the nodes matched by `drop`."""
    for one in css.split(","):
        found = sel.css(one.strip())
        if found:
            node = found[0]
            if drop:
                node.css(drop).drop()
            return html_text(node.get())
    return ""


def strip_jsonp(text: str) -> str:
    """`cb({...});` → `{...}`; plain JSON unchanged."""
    stripped = text.strip()
    if stripped[:1] in "[{":
        return stripped
    match = _JSONP.match(stripped)
    return match.group(1) if match else stripped


def _store_pool(crawler: Any) -> Any:
    """The pool the store pipeline writes with (service crawl or `scrapy crawl`); None when
    nothing stores, e.g. a dry-run check."""
    context = getattr(crawler, "capwatch", None)
    if context is None:
        try:
            engine = crawler.engine
        except (AttributeError, RuntimeError):  # Scrapy 2.19 raises before the crawl starts
            engine = None
        scraper = getattr(engine, "scraper", None)
        for pipeline in getattr(getattr(scraper, "itemproc", None), "middlewares", ()):
            context = getattr(pipeline, "context", None) or context
    return getattr(context, "pool", None)


def origin_of(url: str) -> str:
    """`https://host[:port]` of a URL (tests point a source at 127.0.0.1, so derive, never fix)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


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
            for out in callback(response, **kwargs) or ():
                if isinstance(out, scrapy.Request) and out.meta.get(LISTED_URL):
                    held.append(out)
                else:
                    yield out
            known = await self.known_urls([r.meta[LISTED_URL] for r in held])
            for request in held:
                if request.meta[LISTED_URL] in known:
                    self.crawler.stats.inc_value("capwatch/known_articles")
                    continue
                yield request

        return run

    async def known_urls(self, urls: list[str]) -> set[str]:
        """Which of `urls` are stored already; empty when nothing stores (or the check fails:
        a failed check costs a re-fetch, never an article)."""
        pool = _store_pool(self.crawler)
        if pool is None or not urls:
            return set()
        try:
            from db import source_queries

            async with pool.connection() as conn:
                return await source_queries.known_urls(conn, urls)
        except Exception as exc:
            self.logger.warning("%s: known-URL check failed: %r", self.source.key, exc)
            return set()

    def list_failed(self, failure: Any) -> None:
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
        try:
            text = response.text
        except AttributeError:
            text = response.body.decode("utf-8", "replace")
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
        parse_page: Callable[[Response, ArticleItem], ArticleItem],
        url: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> scrapy.Request:
        """Fetch the article page to complete `item`; if it fails, `item` is stored as listed."""

        def done(response: Response) -> Iterator[ArticleItem]:
            try:
                yield parse_page(response, item)
            except Exception as exc:  # a changed page must not lose the listed item
                self.parse_error(f"article page {response.url}: {exc!r}")
                yield item

        def failed(failure: Any) -> Iterator[ArticleItem]:
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
        parse_page: Callable[[Response, ArticleItem], ArticleItem],
        *,
        fetch: Any = True,
        url: str | None = None,
    ) -> ArticleItem | scrapy.Request:
        """The request for `item`'s article page when pages are fetched (and `fetch` holds for
        this item), else `item` as listed."""
        if self.fetch_articles and fetch:
            return self.article_request(item, parse_page, url=url)
        return item


def absolute(base: str, link: Any, *, https: bool = False) -> str:
    """`link` resolved against `base`; with `https`, an http:// result is upgraded."""
    if not isinstance(link, str) or not link.strip():
        return ""
    url = urljoin(base, link.strip())
    if https and url.startswith("http://"):
        url = "https://" + url[len("http://") :]
    return url
