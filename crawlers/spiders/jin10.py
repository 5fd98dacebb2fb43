"""Jin10 金十 flash (SOURCES.md section 8.2): `flash_newest.js` (a `var newest = [...];` script)
or the `get_flash_list` API (needs the public `x-app-id` header). The source URL picks the form.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response

from crawlers.items import ArticleItem
from crawlers.spiders._apiutil import ApiSpider, flash_title, html_text, parse_time

DETAIL_URL = "https://flash.jin10.com/detail/{id}"
APP_ID = "bVBF4FyRTn5NJF5n"  # public constant from the site's JavaScript; may rotate
_SCRIPT = re.compile(r"^\s*var\s+\w+\s*=\s*(.*?);?\s*$", re.S)


def _refused(payload: Any) -> str | None:
    status = payload.get("status") if isinstance(payload, dict) else None
    if status is not None and str(status) != "200":
        return f"status={status!r} message={payload.get('message')!r}"
    return None


class Jin10FlashSpider(ApiSpider):
    name = "jin10"
    site_headers: ClassVar[dict[str, str]] = {
        "Referer": "https://www.jin10.com/",
        "Origin": "https://www.jin10.com",
    }

    @property
    def script_form(self) -> bool:
        return self.source.url.split("?", 1)[0].endswith(".js")

    def _page(self, max_time: str, page: int) -> scrapy.Request:
        if self.script_form:
            return self.list_request(
                self.source.url, self.parse, {"t": int(time.time() * 1000)}, cb_kwargs={"page": 1}
            )
        params = {"channel": self.opt("channel", "-8200"), "vip": 1}
        if max_time:
            params["max_time"] = max_time  # paging parameter inferred in SOURCES.md
        headers = {"x-app-id": self.opt("app_id", APP_ID), "x-version": "1.0.0"}
        return self.list_request(
            self.source.url,
            self.parse,
            params,
            headers=headers,
            cb_kwargs={"page": page, "max_time": max_time},
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self._page("", 1)

    def parse(self, response: Response, page: int = 1, max_time: str = "") -> Iterator[Any]:
        rows = self.rows(response)
        if rows is None:
            return
        oldest = ""
        for raw in rows:
            if not raw.get("id"):
                self.skip_row("no id")
                continue
            if str(raw.get("type", 0)) == "1":  # 1 = market data, not news
                self.skip_row("type 1")
                continue
            stamp = str(raw.get("time") or "")
            oldest = stamp if not oldest or (stamp and stamp < oldest) else oldest
            item = flash_item(self, raw)
            if item.title or item.body:
                yield item
            else:
                self.skip_row(f"{raw['id']}: no text (locked VIP item)")
        more = not self.script_form and page < self.max_pages
        if rows and oldest and oldest != max_time and more:
            yield self._page(oldest, page + 1)

    def rows(self, response: Response) -> list[dict[str, Any]] | None:
        if self.script_form:
            match = _SCRIPT.match(response.text)
            if not match:
                self.parse_error(f"not a `var newest = [...]` script: {response.text[:200]!r}")
                return None
            try:
                payload = json.loads(match.group(1))
            except ValueError as exc:
                self.parse_error(f"script array is not JSON: {exc}")
                return None
            return self.list_of(payload, "")
        return self.json_rows(response, "data", refused=_refused)


def flash_item(spider: ApiSpider, raw: dict[str, Any]) -> ArticleItem:
    """Title: leading 【…】 of the content, else `data.title` / `vip_title`, else 80 chars."""
    given = raw.get("data")
    data: dict[str, Any] = given if isinstance(given, dict) else {}
    body = html_text(data.get("content") or "")
    item_id = str(raw["id"])
    return spider.item(
        external_id=item_id,
        url=DETAIL_URL.format(id=item_id),
        title=flash_title(body, data.get("title"), data.get("vip_title"))
        if body
        else html_text(data.get("title") or data.get("vip_title") or ""),
        body=body,
        published_at=parse_time(raw.get("time")),
        author=data.get("source") or None,
        raw=raw,
    )
