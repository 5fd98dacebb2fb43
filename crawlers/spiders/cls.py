"""CLS 财联社 telegraph (电报): the signed roll-list API (../shared/SOURCES.md section 1.1).

Each roll item is a complete flash report; there is no separate article page to fetch.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from core.timeparse import as_beijing, from_epoch
from crawlers.extract.encoding import response_text
from crawlers.items import ArticleItem
from crawlers.spiders.base import SourceSpider

APP_PARAMS = {"app": "CailianpressWeb", "os": "web", "sv": "8.4.6"}
HEADERS = {
    "Referer": "https://www.cls.cn/telegraph",
    "Origin": "https://www.cls.cn",
    "Accept": "application/json, text/plain, */*",
}
_LEADING_HEADLINE = re.compile(r"^\s*【([^【】]{2,200})】")
_DATELINE = re.compile(r"^财联社\d{1,2}月\d{1,2}日电[，,:：]?\s*")


def signed_query(params: dict[str, Any]) -> str:
    """The query string with `sign`: md5(sha1(sorted k=v joined by &)), as the site's web app."""
    ordered = sorted((k, "" if v is None else str(v)) for k, v in params.items() if k != "sign")
    query = urlencode(ordered, safe=",")
    sign = hashlib.md5(hashlib.sha1(query.encode()).hexdigest().encode()).hexdigest()
    return f"{query}&sign={sign}"


def item_title(raw: dict[str, Any]) -> str:
    """`title` when set, else the leading 【headline】 of the content, else the brief."""
    title = (raw.get("title") or "").strip()
    if title:
        return title
    match = _LEADING_HEADLINE.match(raw.get("content") or "")
    if match:
        return match.group(1).strip()
    text = _DATELINE.sub("", (raw.get("brief") or raw.get("content") or "").strip())
    return text if len(text) <= 80 else text[:79] + "…"


def epoch_arg(value: Any) -> int | None:
    """A spider argument as Unix seconds: epoch digits, or an ISO date/time (naive = Beijing)."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    return int(as_beijing(datetime.fromisoformat(text)).timestamp())


def is_regular_item(raw: dict[str, Any]) -> bool:
    """Only ordinary telegraph items: VIP/column content (type != -1) and ads are skipped."""
    return str(raw.get("type", -1)) == "-1" and not raw.get("is_ad")


class ClsTelegraphSpider(SourceSpider):
    """`-a since=DATE` backfills: walks the last_time cursor back until DATE (Beijing time),
    optionally starting at `-a until=DATE`, instead of reading the newest `max_pages`."""

    name = "cls"
    supports_backfill = True
    backfill_max_pages = 5000

    def __init__(self, *args: Any, since: Any = None, until: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.since_ts = epoch_arg(since)
        self.until_ts = epoch_arg(until)

    def _page_request(self, last_time: int, page: int) -> scrapy.Request:
        options = self.source.options
        params = {
            **APP_PARAMS,
            "category": options.get("category", ""),
            "last_time": last_time,
            "refresh_type": 1,
            "rn": options.get("page_size", 50),
        }
        url = f"{self.source.url}?{signed_query(params)}"
        return scrapy.Request(
            url,
            headers=HEADERS,
            callback=self.parse,
            cb_kwargs={"page": page, "last_time": last_time},
            dont_filter=True,
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self._page_request(self.until_ts or int(time.time()), page=1)

    def parse(self, response: Response, page: int = 1, last_time: int = 0) -> Iterator[Any]:
        """One page of the roll list; the next page is older than this page's oldest item."""
        try:
            payload = json.loads(response_text(response, "json"))
        except (ValueError, AttributeError) as exc:
            self.logger.error("cls: response is not JSON (%s): %.200r", exc, response.body)
            self.crawler.stats.inc_value("capwatch/parse_errors")
            return
        if not isinstance(payload, dict) or payload.get("errno") != 0:
            message = payload.get("msg") if isinstance(payload, dict) else None
            self.logger.error(
                "cls: API refused the request: errno=%r msg=%r",
                payload.get("errno") if isinstance(payload, dict) else None,
                message,
            )
            self.crawler.stats.inc_value("capwatch/api_errors")
            return
        data = payload.get("data") or {}
        roll = data.get("roll_data") if isinstance(data, dict) else None
        if not isinstance(roll, list):
            self.logger.error("cls: data.roll_data missing; the API shape changed?")
            self.crawler.stats.inc_value("capwatch/parse_errors")
            return
        oldest: int | None = None
        for raw in roll:
            if not isinstance(raw, dict) or "id" not in raw:
                self.crawler.stats.inc_value("capwatch/parse_errors")
                continue
            ctime = raw.get("ctime")
            if isinstance(ctime, int | float) and (oldest is None or ctime < oldest):
                oldest = int(ctime)
            if not is_regular_item(raw):
                self.crawler.stats.inc_value("capwatch/skipped_items")
                continue
            if self.since_ts and isinstance(ctime, int | float) and ctime < self.since_ts:
                continue  # older than the backfill start
            yield self._item(raw)
        if self.since_ts:
            more_pages = page < self.backfill_max_pages and (
                oldest is not None and oldest >= self.since_ts
            )
        else:
            more_pages = page < int(self.source.options.get("max_pages", 1))
        if oldest is not None and more_pages and (not last_time or oldest < last_time):
            yield self._page_request(oldest, page=page + 1)

    def _item(self, raw: dict[str, Any]) -> ArticleItem:
        item_id = str(raw["id"])
        return ArticleItem(
            source_key=self.source.key,
            external_id=item_id,
            url=f"https://www.cls.cn/detail/{item_id}",
            title=item_title(raw),
            body=(raw.get("content") or raw.get("brief") or "").strip(),
            lang=self.source.lang,
            published_at=from_epoch(raw.get("ctime")),
            author=(raw.get("author") or None),
            raw=raw,
        )
