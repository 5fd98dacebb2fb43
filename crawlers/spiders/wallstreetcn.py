"""Wallstreetcn 华尔街见闻: lives (flash) and articles (information-flow + detail API),
SOURCES.md section 8.1. All answers are `{"code": 20000, "data": ...}`; times are epoch seconds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from functools import partial
from typing import Any, ClassVar

import scrapy
from scrapy import Request
from scrapy.http import Response

from core.timeparse import from_epoch
from crawlers.items import ArticleItem
from crawlers.spiders._apiutil import ApiSpider, SkipRow, flash_title, html_text, origin_of

OK = 20000
DELETED = 60301
HEADERS = {"Referer": "https://wallstreetcn.com/", "x-client-type": "pc"}


def _author(raw: dict[str, Any]) -> str | None:
    author = raw.get("author")
    return (author.get("display_name") if isinstance(author, dict) else None) or None


class WallstreetcnSpider(ApiSpider):
    site_headers: ClassVar[dict[str, str]] = HEADERS

    def data_of(self, response: Response) -> Any | None:
        def refused(payload: Any) -> str | None:
            if isinstance(payload, dict) and payload.get("code") == OK:
                return None
            code = payload.get("code") if isinstance(payload, dict) else None
            message = payload.get("message") if isinstance(payload, dict) else None
            return f"code={code!r} message={message!r} ({response.url})"

        payload = self.json_or_error(response, refused=refused)
        return None if payload is None else payload.get("data")


class WallstreetcnLivesSpider(WallstreetcnSpider):
    """`/apiv1/content/lives?channel=global-channel`; older pages by `data.next_cursor`
    (the field name is inferred in SOURCES.md: paging stops quietly when it is absent)."""

    name = "wallstreetcn_lives"

    def _page(self, cursor: str, page: int) -> scrapy.Request:
        params: dict[str, Any] = {
            "channel": self.opt("channel", "global-channel"),
            "client": "pc",
            "limit": self.opt("page_size", 50),
            "accept": "live",
            "first_page": "true" if page == 1 else "false",
        }
        if cursor:
            params["cursor"] = cursor
        return self.list_request(
            self.source.url, self.parse, params, cb_kwargs={"page": page, "cursor": cursor}
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self._page("", 1)

    def parse(self, response: Response, page: int = 1, cursor: str = "") -> Iterator[Any]:
        data = self.data_of(response)
        if data is None:
            return
        rows = self.list_of(data, "items")
        if rows is None:
            return
        yield from self.list_items(rows, partial(live_item, self), require="id")
        next_cursor = str(data.get("next_cursor") or "")
        if rows and next_cursor and next_cursor != cursor and page < self.max_pages:
            yield self._page(next_cursor, page + 1)


def live_item(spider: ApiSpider, raw: dict[str, Any]) -> ArticleItem:
    item_id = str(raw["id"])
    body = (raw.get("content_text") or "").strip() or html_text(raw.get("content") or "")
    more = html_text(raw.get("content_more") or "")
    if more and more not in body:
        body = f"{body}\n{more}" if body else more
    uri = raw.get("uri") or ""
    return spider.item(
        external_id=item_id,
        url=uri if item_id in uri else f"https://wallstreetcn.com/livenews/{item_id}",
        title=html_text(raw.get("title") or "") or flash_title(body),
        body=body,
        published_at=from_epoch(raw.get("display_time")),
        author=_author(raw),
        raw=raw,
    )


class WallstreetcnArticlesSpider(WallstreetcnSpider):
    """`/apiv1/content/information-flow?accept=article`; each article's full HTML comes from
    `/apiv1/content/articles/{id}?extract=0` on the same host."""

    name = "wallstreetcn_articles"
    KEEP: ClassVar[set[str]] = {"article"}

    async def start(self) -> AsyncIterator[scrapy.Request]:
        params = {
            "channel": self.opt("channel", "global-channel"),
            "accept": "article",
            "limit": self.opt("page_size", 25),
            "cursor": "",
            "action": "upglide",
        }
        yield self.list_request(self.source.url, self.parse, params)

    def parse(self, response: Response) -> Iterator[Any]:
        data = self.data_of(response)
        if data is None:
            return
        rows = self.list_of(data, "items")
        if rows is not None:
            yield from self.list_items(rows, self.list_item)

    def list_item(self, row: dict[str, Any]) -> ArticleItem | Request:
        """An `article` row's resource, with the request for its full text."""
        resource = row.get("resource")
        if row.get("resource_type") not in self.KEEP or not isinstance(resource, dict):
            raise SkipRow(f"resource_type={row.get('resource_type')!r}")
        if not resource.get("id"):
            raise SkipRow("no id")
        item_id = str(resource["id"])
        uri = resource.get("uri") or ""
        item = self.item(
            external_id=item_id,
            url=uri if item_id in uri else f"https://wallstreetcn.com/articles/{item_id}",
            title=html_text(resource.get("title") or ""),
            body=html_text(resource.get("content_short") or ""),
            published_at=from_epoch(resource.get("display_time")),
            author=_author(resource),
            raw=resource,
        )
        detail = f"{origin_of(self.source.url)}/apiv1/content/articles/{item_id}"
        return self.with_article(item, self.parse_detail, url=f"{detail}?extract=0")

    def parse_detail(self, response: Response, item: ArticleItem) -> ArticleItem:
        payload = self.read_json(response)
        if isinstance(payload, dict) and payload.get("code") == DELETED:
            self.logger.info("%s: article %s was deleted", self.source.key, item.external_id)
            return item
        if not isinstance(payload, dict) or payload.get("code") != OK:
            if payload is not None:
                self.api_error(f"article {item.external_id}: code={payload.get('code')!r}")
            return item
        detail = payload.get("data") or {}
        body = html_text(detail.get("content") or "")
        more = html_text(detail.get("content_more") or "")
        if body or more:
            item.body = "\n".join(part for part in (body, more) if part)
        item.title = html_text(detail.get("title") or "") or item.title
        item.author = _author(detail) or detail.get("source_name") or item.author
        item.published_at = from_epoch(detail.get("display_time")) or item.published_at
        return item
