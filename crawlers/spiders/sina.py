"""Sina Finance 新浪财经: the 7x24 zhibo feed and the roll-news lists (SOURCES.md section 3).

Zhibo items are complete flash reports; roll items link to article pages parsed with the
selectors RSSHub still uses (`h1.main-title`, `.date`, `#artibody` / `#article`).
"""

from __future__ import annotations

import json
import random
import time
from typing import Any, ClassVar

from scrapy import Request
from scrapy.http import Response, TextResponse

from core.timeparse import from_epoch
from crawlers.items import ArticleItem
from crawlers.spiders._apiutil import (
    ApiSpider,
    PagedApiSpider,
    SkipRow,
    absolute,
    flash_title,
    html_text,
    parse_time,
    selector_text,
)

ZHIBO_PAGE = "https://finance.sina.com.cn/7x24/"
_ARTICLE_NOISE = "script, style, #left_hzh_ad, .appendQr_wrap, .app-kaihu-qr, .tech-quotation"


def _status_error(payload: Any) -> str | None:
    """Sina wraps answers in `result.status`; a non-zero code is the site refusing."""
    result = payload.get("result") if isinstance(payload, dict) else None
    status = result.get("status") if isinstance(result, dict) else None
    if isinstance(status, dict) and str(status.get("code", 0)) != "0":
        return f"status code={status.get('code')!r} msg={status.get('msg')!r}"
    return None


class SinaZhiboSpider(PagedApiSpider):
    """7x24 直播 feed (`zhibo_id` 152 = 财经), pages 1..max_pages newest first."""

    name = "sina_724"
    site_headers: ClassVar[dict[str, str]] = {"Referer": "https://finance.sina.com.cn/"}
    require = "id"

    def params(self, page: int) -> dict[str, Any]:
        size = self.opt("page_size", 20)
        return {
            "page": page,
            "page_size": size,
            "zhibo_id": self.opt("zhibo_id", 152),
            "tag_id": self.opt("tag_id", 0),
            "dire": "f",
            "dpc": 1,
            "pagesize": size,
            "type": 1,
        }

    def rows(self, response: Response) -> list[dict[str, Any]] | None:
        path = "result.data.feed.list"
        return self.json_rows(response, path, jsonp=True, refused=_status_error)

    def list_item(self, raw: dict[str, Any]) -> ArticleItem:
        return zhibo_item(self, raw)


def zhibo_item(spider: ApiSpider, raw: dict[str, Any]) -> ArticleItem:
    """One zhibo item; the link is the item's own article when it has one (`ext.docurl`)."""
    item_id = str(raw["id"])
    body = html_text(raw.get("rich_text") or "")
    ext = raw.get("ext")
    if isinstance(ext, str):
        try:
            ext = json.loads(ext)
        except ValueError:
            ext = None
    docurl = (ext.get("docurl") if isinstance(ext, dict) else None) or raw.get("docurl")
    url = absolute(ZHIBO_PAGE, docurl, https=True) or f"{ZHIBO_PAGE}#{item_id}"
    return spider.item(
        external_id=item_id,
        url=url,
        title=flash_title(body),
        body=body,
        published_at=parse_time(raw.get("create_time")),
        raw=raw,
    )


class SinaRollSpider(PagedApiSpider):
    """Roll news (`feed.mix.sina.com.cn/api/roll/get`, pageid/lid channels) + article pages."""

    name = "sina_roll"
    site_headers: ClassVar[dict[str, str]] = {"Referer": "https://news.sina.com.cn/"}

    def params(self, page: int) -> dict[str, Any]:
        return {
            "pageid": self.opt("pageid", 155),
            "lid": self.opt("lid", 1686),
            "k": self.opt("keyword", ""),
            "num": self.opt("page_size", 50),
            "page": page,
            "r": f"{random.random():.16f}",
            "_": int(time.time() * 1000),
        }

    def rows(self, response: Response) -> list[dict[str, Any]] | None:
        return self.json_rows(response, "result.data", jsonp=True, refused=_status_error)

    def list_item(self, raw: dict[str, Any]) -> ArticleItem | Request:
        url = absolute("https://finance.sina.com.cn/", raw.get("url"), https=True)
        if not url:
            raise SkipRow("no url")
        item = self.item(
            external_id=str(raw.get("docid") or url),
            url=url,
            title=html_text(raw.get("title") or ""),
            body=html_text(raw.get("intro") or ""),
            published_at=from_epoch(raw.get("intime") or raw.get("ctime")),
            author=raw.get("media_name") or None,
            raw=raw,
        )
        return self.with_article(item, parse_article)


def parse_article(response: TextResponse, item: ArticleItem) -> ArticleItem:
    """A Sina article page (UTF-8): body `#artibody` (finance) or `#article` (news)."""
    sel = response.selector
    body = selector_text(sel, "#artibody, #article", drop=_ARTICLE_NOISE)
    if body:
        item.body = body
    title = html_text(sel.css("h1.main-title").get() or "")
    if title:
        item.title = title
    published = parse_time(
        sel.css('meta[property="article:published_time"]::attr(content)').get()
    ) or parse_time(" ".join(sel.css(".date::text").getall()))
    if published:
        item.published_at = published
    author = sel.css('meta[property="article:author"]::attr(content)').get()
    source = html_text(sel.css(".source").get() or "")
    item.author = (author or source or item.author or "").strip() or None
    return item
