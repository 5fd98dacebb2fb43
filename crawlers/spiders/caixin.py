"""Caixin 财新 (free parts, SOURCES.md 9.3) and Caixin Global (12.4).

Caixin is paywalled: the latest-list API gives titles; the article page gives the lead and the
free part (`div#Main_Content_Val`). Caixin Global's `homeInterface.jsp` gives title + summary;
free articles (`attr == 0`) have their full text at `u.caixinglobal.com/get/reading.do`.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

import scrapy
from scrapy import Request
from scrapy.http import Response, TextResponse

from core.timeparse import from_epoch
from crawlers.items import ArticleItem
from crawlers.spiders._apiutil import ApiSpider, SkipRow, html_text, parse_time, selector_text

_SKIP_HOSTS = ("fm.caixin.com", "video.caixin.com", "datanews.caixin.com")
READING_URL = "https://u.caixinglobal.com/get/reading.do"


def caixin_time(value: Any) -> datetime | None:
    """Epoch (s or ms) when numeric, else a Beijing wall-clock string."""
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        return from_epoch(value)
    return parse_time(value)


class CaixinSpider(ApiSpider):
    name = "caixin"
    site_headers: ClassVar[dict[str, str]] = {"Referer": "https://www.caixin.com/"}

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.list_request(self.source.url, self.parse)

    def parse(self, response: Response) -> Iterator[Any]:
        rows = self.json_rows(response, "data.articleList")
        if rows is not None:
            yield from self.list_items(rows, self.list_item)

    def list_item(self, raw: dict[str, Any]) -> ArticleItem | Request:
        url = (raw.get("url") or "").replace("http://", "https://", 1)
        if not url or not raw.get("title"):
            raise SkipRow("no url/title")
        if any(host in url for host in _SKIP_HOSTS):
            raise SkipRow(f"audio/video/data page {url}")
        channel = raw.get("channelObject")
        item = self.item(
            external_id=str(raw.get("id") or url),
            url=url,
            title=html_text(raw["title"]),
            body=html_text(raw.get("summary") or ""),
            published_at=caixin_time(raw.get("time")),
            raw={**raw, "channel": channel.get("name") if isinstance(channel, dict) else None},
        )
        return self.with_article(item, parse_article)


def parse_article(response: TextResponse, item: ArticleItem) -> ArticleItem:
    """Lead `.article .subhead` + the free part of `div#Main_Content_Val`."""
    sel = response.selector
    lead = selector_text(sel, ".article .subhead")
    body = selector_text(sel, "div#Main_Content_Val", drop="script, style, .cons-pay-tip")
    text = "\n".join(part for part in (lead, body) if part)
    if text:
        item.body = text
    return item


class CaixinGlobalSpider(ApiSpider):
    name = "caixin_global"
    site_headers: ClassVar[dict[str, str]] = {"Referer": "https://www.caixinglobal.com/"}

    async def start(self) -> AsyncIterator[scrapy.Request]:
        params = {
            "subject": self.opt("subject", "100990318;100990314;100990311"),
            "start": 0,
            "count": self.opt("page_size", 20),
            "type": 2,
            "_": int(time.time() * 1000),
        }
        query = urlencode(params, safe=";")
        yield self.list_request(f"{self.source.url}?{query}", self.parse)

    def parse(self, response: Response) -> Iterator[Any]:
        rows = self.json_rows(response, "datas", jsonp=True)
        if rows is not None:
            yield from self.list_items(rows, self.list_item)

    def list_item(self, raw: dict[str, Any]) -> ArticleItem | Request:
        """Free articles (`attr` 0) are completed from the reading API."""
        link = (raw.get("link") or "").replace("http://", "https://", 1)
        if not link or not raw.get("desc"):
            raise SkipRow("no link/desc")
        tags = [t.get("name") for t in raw.get("tags") or [] if isinstance(t, dict)]
        item = self.item(
            external_id=str(raw.get("nid") or link),
            url=link,
            title=html_text(raw["desc"]),
            body=html_text(raw.get("summ") or ""),
            published_at=caixin_time(raw.get("time")),
            raw={**raw, "tag_names": tags},
        )
        reading = str(self.opt("reading_url", READING_URL))
        url = f"{reading}?id={raw.get('nid')}&source=&url={quote(link, safe='')}"
        free = str(raw.get("attr")) == "0" and raw.get("nid")
        return self.with_article(item, self.parse_reading, fetch=free, url=url)

    def parse_reading(self, response: Response, item: ArticleItem) -> ArticleItem:
        payload = self.read_json(response)
        data = payload.get("data") if isinstance(payload, dict) else None
        content = html_text(data.get("content") or "") if isinstance(data, dict) else ""
        if content:
            item.body = content
        elif payload is not None:
            self.logger.warning("%s: no data.content for %s", self.source.key, item.url)
        return item
