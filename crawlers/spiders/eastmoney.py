"""Eastmoney 东方财富: the 7x24 flash list and the news-by-column list (SOURCES.md section 2).

7x24 items are complete flash reports (no page to fetch); column items link to
finance.eastmoney.com/a/{code}.html, whose body is `#ContentBody`.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from functools import partial
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response, TextResponse

from crawlers.items import ArticleItem
from crawlers.spiders._apiutil import ApiSpider, flash_title, html_text, parse_time, selector_text

ARTICLE_URL = "https://finance.eastmoney.com/a/{code}.html"
_OK_CODES = {"0", "1"}  # cls-archive (working through 2026-08-22) accepts both


def _refused(payload: Any) -> str | None:
    if isinstance(payload, dict) and str(payload.get("code", "1")) in _OK_CODES:
        return None
    return f"code={payload.get('code')!r} message={payload.get('message')!r}"


class EastmoneyFastNewsSpider(ApiSpider):
    """7x24 快讯: `getFastNewsList`, newest first, older pages by the `sortEnd` cursor."""

    name = "eastmoney_724"
    site_headers: ClassVar[dict[str, str]] = {"Referer": "https://kuaixun.eastmoney.com/"}

    def _page(self, sort_end: str, page: int) -> scrapy.Request:
        params = {
            "client": "web",
            "biz": "web_724",
            "fastColumn": self.opt("column", 102),
            "sortEnd": sort_end,
            "pageSize": self.opt("page_size", 50),
            "req_trace": int(time.time() * 1000),
        }
        return self.list_request(
            self.source.url, self.parse, params, cb_kwargs={"page": page, "sort_end": sort_end}
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self._page("", page=1)

    def parse(self, response: Response, page: int = 1, sort_end: str = "") -> Iterator[Any]:
        payload = self.json_or_error(response, jsonp=True, refused=_refused)
        rows = None if payload is None else self.list_of(payload, "data.fastNewsList")
        if payload is None or rows is None:
            return
        yield from self.list_items(rows, partial(fast_news_item, self), require="code")
        cursor = str((payload.get("data") or {}).get("sortEnd") or "")
        if rows and cursor and cursor != sort_end and page < self.max_pages:
            yield self._page(cursor, page=page + 1)


def fast_news_item(spider: ApiSpider, raw: dict[str, Any]) -> ArticleItem:
    """One 7x24 item: `summary` is usually `【title】body`."""
    code = str(raw["code"])
    body = html_text(raw.get("summary") or "") or html_text(raw.get("title") or "")
    return spider.item(
        external_id=code,
        url=ARTICLE_URL.format(code=code),
        title=(raw.get("title") or "").strip() or flash_title(body),
        body=body,
        published_at=parse_time(raw.get("showTime")),
        raw=raw,
    )


class EastmoneyNewsSpider(ApiSpider):
    """News by column (`getNewsByColumns`), one request per configured column; article pages
    give the body (`#ContentBody`), the list gives title, time and summary."""

    name = "eastmoney_news"
    site_headers: ClassVar[dict[str, str]] = {"Referer": "https://finance.eastmoney.com/"}
    FIELDS = "code,showTime,title,mediaName,summary,image,url,uniqueUrl,Np_dst"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        columns = self.opt("columns", [350])
        for column in columns if isinstance(columns, list) else [columns]:
            yield self._page(str(column), 1)

    def _page(self, column: str, page: int) -> scrapy.Request:
        params = {
            "client": "web",
            "biz": "web_news_col",
            "column": column,
            "order": 1,
            "needInteractData": 0,
            "page_index": page,
            "page_size": self.opt("page_size", 50),
            "req_trace": int(time.time() * 1000),
            "fields": self.FIELDS,
        }
        return self.list_request(
            self.source.url, self.parse, params, cb_kwargs={"column": column, "page": page}
        )

    def parse(self, response: Response, column: str = "", page: int = 1) -> Iterator[Any]:
        rows = self.json_rows(response, "data.list", jsonp=True, refused=_refused)
        if rows is None:
            return
        yield from self.list_items(
            rows, lambda raw: self.with_article(self.list_item(raw), parse_article), require="code"
        )
        if rows and page < self.max_pages:
            yield self._page(column, page + 1)

    def list_item(self, raw: dict[str, Any]) -> ArticleItem:
        code = str(raw["code"])
        url = raw.get("uniqueUrl") or raw.get("url") or ARTICLE_URL.format(code=code)
        return self.item(
            external_id=code,
            url=url.replace("http://", "https://", 1),
            title=html_text(raw.get("title") or ""),
            body=html_text(raw.get("summary") or ""),
            published_at=parse_time(raw.get("showTime")),
            author=raw.get("mediaName") or None,
            raw=raw,
        )


def parse_article(response: TextResponse, item: ArticleItem) -> ArticleItem:
    """finance.eastmoney.com/a/{code}.html: body `#ContentBody`; list fields otherwise."""
    body = selector_text(response.selector, "#ContentBody", drop="script, style, .b-review")
    if body:
        item.body = body
    return item
