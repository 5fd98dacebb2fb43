"""Yicai 第一财经 (SOURCES.md section 5): 正在 flash (`getbrieflist`) and article lists
(`getlatest`, `getlistbycid`, ... all the same item shape) with article pages.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from scrapy import Request
from scrapy.http import Response, TextResponse

from crawlers.items import ArticleItem
from crawlers.spiders._apiutil import (
    ApiSpider,
    PagedApiSpider,
    SkipRow,
    absolute,
    flash_title,
    html_text,
    origin_of,
    parse_time,
    selector_text,
)

_ID = re.compile(r"(\d{5,})")
_PB_TIME = re.compile(r"actime['\"]?\s*[:=,]\s*['\"](\d{4}-\d{2}-\d{2} \d{2}:\d{2})")


def _id_of(url: str) -> str:
    match = _ID.search(url.rsplit("/", 1)[-1])
    return match.group(1) if match else url


class YicaiBriefSpider(PagedApiSpider):
    """正在: `getbrieflist?type=0` → a JSON array; time = `datekey` (YYYY.MM.DD) + `hm`."""

    name = "yicai_brief"
    site_headers: ClassVar[dict[str, str]] = {"Referer": "https://www.yicai.com/brief/"}

    def params(self, page: int) -> dict[str, Any]:
        return {"type": self.opt("type", 0), "page": page, "pagesize": self.opt("page_size", 50)}

    def rows(self, response: Response) -> list[dict[str, Any]] | None:
        return self.json_rows(response, "data", or_top_level=True)

    def list_item(self, raw: dict[str, Any]) -> ArticleItem:
        return brief_item(self, raw)


def brief_item(spider: ApiSpider, raw: dict[str, Any]) -> ArticleItem:
    url = absolute(origin_of(spider.source.url), raw.get("url"))
    if not url:
        raise SkipRow("no url")
    body = html_text(raw.get("newcontent") or "")
    stamp = f"{raw.get('datekey') or ''} {raw.get('hm') or ''}".strip()
    return spider.item(
        external_id=str(raw.get("id") or _id_of(url)),
        url=url,
        title=html_text(raw.get("indexTitle") or "") or flash_title(body),
        body=body,
        published_at=parse_time(stamp),
        raw=raw,
    )


class YicaiNewsSpider(PagedApiSpider):
    """Article lists; `[source.options] params` adds e.g. `{cid = 48, type = 1}` for
    `getlistbycid`. VIP articles (AppID 0, under /vip) keep the list summary."""

    name = "yicai_news"
    site_headers: ClassVar[dict[str, str]] = {"Referer": "https://www.yicai.com/"}

    def params(self, page: int) -> dict[str, Any]:
        return {**self.opt("params", {}), "page": page, "pagesize": self.opt("page_size", 30)}

    def rows(self, response: Response) -> list[dict[str, Any]] | None:
        return self.json_rows(response, "data", or_top_level=True)

    def list_item(self, raw: dict[str, Any]) -> ArticleItem | Request:
        link = raw.get("url") or ""
        if not link:
            raise SkipRow("no url")
        vip = raw.get("AppID") == 0
        site = origin_of(self.source.url)
        url = link if link.startswith("http") else f"{site}{'/vip' if vip else ''}{link}"
        item = self.item(
            external_id=_id_of(url),
            url=url,
            title=html_text(raw.get("NewsTitle") or ""),
            body=html_text(raw.get("NewsNotes") or ""),
            published_at=parse_time(raw.get("CreateDate")),
            author=raw.get("NewsAuthor") or raw.get("NewsSource") or raw.get("CreaterName"),
            raw=raw,
        )
        return self.with_article(item, parse_article, fetch=not vip)


def parse_article(response: TextResponse, item: ArticleItem) -> ArticleItem:
    """Body `.multiText, #multi-text, .txt` (first match) minus share widgets; the inline
    `_pb` array's `actime` dates the page when the list did not."""
    sel = response.selector
    body = selector_text(
        sel, ".multiText, #multi-text, .txt", drop="h1, .u-btn6, .m-smallshare, .topic-hot"
    )
    if body:
        item.body = body
    item.title = html_text(sel.css("h1").get() or "") or item.title
    if item.published_at is None:
        match = _PB_TIME.search(response.text)
        item.published_at = parse_time(match.group(1) + ":00") if match else None
    return item
