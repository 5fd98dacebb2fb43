"""What the declarative kinds (rss, sitemap, html, json) share: list requests with
conditional GET, incremental article requests, the article-page step, diagnostics.

A kind only says how to read its list responses (`list_entries`). Everything else is here:
- list requests send If-None-Match / If-Modified-Since from the last successful crawl, and a
  304 ends that list's work (the validators are saved only when a crawl finishes normally);
- entries whose URL is already stored are never requested again (one query per list page);
- new article pages go through `crawlers.extract` (source selectors, else generic);
- an article page that fails still yields the list entry, so a feed item is never lost.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawlers.extract import extract_article
from crawlers.extract.encoding import Kind, decode_bytes, header_charset
from crawlers.items import ArticleItem
from crawlers.middlewares import GivenUp
from crawlers.source_options import KIND_OPTIONS
from crawlers.spiders.base import SourceSpider

if TYPE_CHECKING:
    from psycopg_pool import AsyncConnectionPool


@dataclass
class Entry:
    """One list entry (feed item, sitemap URL, list link, API item) before its page is read."""

    url: str
    title: str = ""
    body: str = ""
    published: datetime | None = None
    author: str | None = None
    external_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


REAL_BODY_CHARS = 50  # CJK characters besides the title below which an entry is title-only
REAL_BODY_WORDS = 30  # the same for text in words (English)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def has_real_body(title: str, body: str) -> bool:
    """Whether an entry carries text beyond its headline (else its page is worth fetching):
    50 hanzi, or 30 words of other text; a one-line teaser is not a body."""
    rest = body.replace(title, "", 1) if title else body
    return len(_CJK.findall(rest)) >= REAL_BODY_CHARS or len(rest.split()) >= REAL_BODY_WORDS


LIST_PRIORITY = 10  # list pages before article pages (see list_request)
_TRACKING = re.compile(r"^(utm_\w+|spm|from|share_token)$", re.I)


def canonical_url(url: str) -> str:
    """The URL without a fragment and without tracking parameters (utm_*, spm)."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING.match(k)]  # fmt: skip
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


class DeclarativeSpider(SourceSpider):
    """Base of the generic spiders; subclasses implement `list_entries`."""

    list_document: Kind = "html"  # what list responses are, for charset rules

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opts = KIND_OPTIONS[self.source.kind].model_validate(self.source.options)
        self.diagnostics: list[dict[str, Any]] = []
        self.articles_requested = 0
        self._validators: dict[str, Any] = {}
        self._new_validators: dict[str, Any] = {}
        self._link_ok = re.compile(self.opts.link_pattern) if self.opts.link_pattern else None
        self._link_skip = (
            re.compile(self.opts.exclude_pattern) if self.opts.exclude_pattern else None
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._save_validators, signal=signals.spider_closed)
        return spider

    # --- what a kind provides -------------------------------------------------------------

    def list_urls(self) -> list[str]:
        return [self.source.url]

    def list_entries(self, response: Response, text: str) -> Iterable[Entry | scrapy.Request]:
        raise NotImplementedError

    # --- helpers ----------------------------------------------------------------------------

    def _inc(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(f"capwatch/{key}", count)

    @property
    def pool(self) -> AsyncConnectionPool | None:
        """The store's pool; None when nothing stores (`capwatch sources check`)."""
        from crawlers.context import crawl_context  # not at import: `scrapy list` stays quick

        context = crawl_context(self.crawler)
        return context.pool if context is not None else None

    def decode(self, response: Response, kind: str) -> str:
        """The response text, decoded by crawlers.extract.encoding (GB18030, wrong labels)."""
        header = header_charset(response.headers.get(b"Content-Type"))
        document = self.list_document if kind == "list" else "html"
        decoded = decode_bytes(response.body, header, self.source.encoding, document)
        self.diagnostics.append({
            "kind": kind, "url": response.url, "status": response.status,
            "bytes": len(response.body), "encoding": decoded.encoding, "note": decoded.note,
        })  # fmt: skip
        return decoded.text

    def list_request(
        self, url: str, callback: Callable[..., object] | None = None
    ) -> scrapy.Request:
        headers: dict[str, str] = {}
        known = self._validators.get(url)
        if known is not None:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        return scrapy.Request(
            url,
            callback=callback or self.parse_list,
            headers=headers,
            meta={"handle_httpstatus_list": [304], "list_url": url},
            dont_filter=True,
            # Scrapy sends pending article requests before further start requests; without
            # this each next list page (and its known-URL query) waited until the article
            # queue ran dry, and the downloader idled for every query's round trip.
            priority=LIST_PRIORITY,
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.pool is not None:
            from db.sources import load_validators

            async with self.pool.connection() as conn:
                self._validators = await load_validators(conn, self.source.key)
        for url in self.list_urls():
            yield self.list_request(url)

    def _remember_validators(self, response: Response) -> None:
        from db.models import Validators

        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        if etag or modified:
            self._new_validators[response.meta.get("list_url", response.url)] = Validators(
                etag.decode("latin-1") if etag else None,
                modified.decode("latin-1") if modified else None,
            )

    async def _save_validators(self, spider: Any, reason: str) -> None:
        if spider is not self or reason != "finished" or not self._new_validators:
            return
        pool = self.pool
        if pool is None:
            return
        from db.sources import save_validators

        async with pool.connection() as conn:
            await save_validators(conn, self.source.key, list(self._new_validators.items()))

    def _keep(self, url: str) -> bool:
        if not url.startswith(("http://", "https://")):
            return False
        if self._link_ok is not None and not self._link_ok.search(url):
            return False
        return not (self._link_skip is not None and self._link_skip.search(url))

    async def _known(self, urls: list[str]) -> set[str]:
        pool = self.pool
        if pool is None or not urls:
            return set()
        from db.articles import known_urls

        async with pool.connection() as conn:
            return await known_urls(conn, urls)

    # --- the crawl --------------------------------------------------------------------------

    async def parse_list(self, response: Response) -> AsyncIterator[Any]:
        if response.status == 304:
            self._inc("not_modified")
            self.diagnostics.append({"kind": "list", "url": response.url, "status": 304,
                                     "note": "not modified since the last crawl"})  # fmt: skip
            return
        self._remember_validators(response)
        text = self.decode(response, "list")
        entries: list[Entry] = []
        seen: set[str] = set()
        try:
            for found in self.list_entries(response, text):
                if isinstance(found, scrapy.Request):
                    yield found
                    continue
                found.url = canonical_url(found.url)
                if found.url in seen or not self._keep(found.url):
                    continue
                seen.add(found.url)
                entries.append(found)
                if len(entries) >= self.opts.max_items:
                    break
        except Exception as exc:  # a changed page must be loud, not a silent zero
            self.logger.error("%s: cannot read list %s: %s", self.source.key, response.url, exc)
            self._inc("parse_errors")
            return
        self.diagnostics[-1]["entries"] = len(entries)
        if not entries:  # a list or feed that no longer reads: an error of the run
            self.logger.warning("%s: no entries on %s", self.source.key, response.url)
            self._inc("no_entries")
        self._inc("found", len(entries))
        known = await self._known([e.url for e in entries])
        self._inc("known", len(known))
        policy = self.source.follow_policy
        title_only = sum(not has_real_body(e.title, e.body) for e in entries)
        if policy == "title_only" and title_only:
            self.diagnostics[-1]["title_only"] = title_only
            self.diagnostics[-1]["follow"] = (
                f"{title_only} of {len(entries)} items carry no body: their article pages are "
                "fetched (follow unset; follow = false stores titles only)"
            )
        for entry in entries:
            if entry.url in known:
                continue
            fetch = policy == "always" or (
                policy == "title_only" and not has_real_body(entry.title, entry.body)
            )
            if not fetch:
                yield self.item(entry)
            elif self.articles_requested < self.source.max_articles:
                self.articles_requested += 1
                yield scrapy.Request(
                    entry.url,
                    callback=self.parse_article,
                    errback=self.article_failed,
                    cb_kwargs={"entry": entry},
                    meta={"entry": entry},
                )

    def parse_article(self, response: Response, entry: Entry) -> Iterable[ArticleItem]:
        text = self.decode(response, "article")
        found = extract_article(text, response.url, self.source.selectors)
        self.diagnostics[-1].update(method=found.method, hits=found.hits)
        picked_title = bool(self.source.selectors and self.source.selectors.title)
        title = found.title if (picked_title or not entry.title) else entry.title
        merged = Entry(
            url=entry.url,
            title=title or found.title,
            body=found.text or entry.body,
            published=entry.published or found.published,
            author=found.author or entry.author,
            external_id=entry.external_id,
            raw={**entry.raw, "extraction": {"method": found.method, **found.hits}},
        )
        yield self.item(merged)

    def article_failed(self, failure: Any) -> Iterable[ArticleItem]:  # Failure + .request
        entry: Entry = failure.request.meta["entry"]
        self._inc("article_errors")
        if not failure.check(GivenUp):  # else said in one line where it was given up
            self.logger.warning("%s: article %s failed: %s", self.source.key, entry.url,
                                failure.getErrorMessage())  # fmt: skip
        if entry.title:
            yield self.item(entry)

    def item(self, entry: Entry) -> ArticleItem:
        return ArticleItem(
            source_key=self.source.key,
            external_id=entry.external_id or entry.url,
            url=entry.url,
            title=entry.title,
            body=entry.body,
            lang=self.source.lang,
            published_at=entry.published,
            author=entry.author,
            raw=entry.raw or None,
        )
