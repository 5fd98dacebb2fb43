"""21jingji 21世纪经济报道 (SOURCES.md section 9.2): menu → token → channel list → pages.

1. `GET static.21jingji.com/m/webMenu.json`: a tree of `{name, url, api, children}`; the
   configured channel (option `channel`: a menu name such as 宏观, or its url such as
   `channel/politics`) gives the list `api` path.
2. `POST m.21jingji.com/reader/cbhChannelAuth` → `{"token": ...}`.
3. `GET m.21jingji.com{api}?short={channel}&type=json&page=1` with `authorization: token`:
   JSON text, an array of items; article pages give the body.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import scrapy
from scrapy import Request
from scrapy.http import Response, TextResponse

from core.timeparse import from_epoch
from crawlers.items import ArticleItem
from crawlers.spiders._apiutil import (
    ApiSpider,
    SkipRow,
    absolute,
    html_text,
    parse_time,
    selector_text,
)

API_BASE = "https://m.21jingji.com"
_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def find_channel(nodes: Any, wanted: str) -> dict[str, Any] | None:
    """The menu node whose name equals `wanted` or whose url ends with it (depth first)."""
    if isinstance(nodes, dict):
        nodes = nodes.get("data") or nodes.get("children") or [nodes]
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict):
            continue
        url = str(node.get("url") or "").strip("/")
        if node.get("api") and (node.get("name") == wanted or url.endswith(wanted.strip("/"))):
            return node
        found = find_channel(node.get("children") or [], wanted)
        if found:
            return found
    return None


class Jingji21Spider(ApiSpider):
    name = "jingji21"
    site_headers: ClassVar[dict[str, str]] = {"Referer": "https://m.21jingji.com/"}

    @property
    def api_base(self) -> str:
        return str(self.opt("api_base", API_BASE)).rstrip("/")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.list_request(self.source.url, self.parse_menu)

    def parse_menu(self, response: Response) -> Iterator[Any]:
        menu = self.read_json(response)
        if menu is None:
            return
        wanted = str(self.opt("channel", "channel/politics"))
        node = find_channel(menu, wanted)
        if node is None:
            self.parse_error(f"channel {wanted!r} not in webMenu.json; the menu changed?")
            return
        url = str(node.get("url") or "").strip("/")
        short = str(node.get("short") or url.rsplit("/", 1)[-1])
        yield self.list_request(
            f"{self.api_base}/reader/cbhChannelAuth",
            self.parse_token,
            method="POST",
            cb_kwargs={"api": str(node["api"]), "short": short},
        )

    def parse_token(self, response: Response, api: str, short: str) -> Iterator[Any]:
        payload = self.read_json(response)
        if payload is None:
            return
        data = payload.get("data") if isinstance(payload, dict) else None
        token = (payload.get("token") if isinstance(payload, dict) else None) or (
            data.get("token") if isinstance(data, dict) else None
        )
        if not token:
            self.api_error(f"no token from cbhChannelAuth: {str(payload)[:200]}")
            return
        url = absolute(self.api_base + "/", api)
        yield self.list_request(
            url,
            self.parse,
            {"short": short, "type": "json", "page": 1},
            headers={"authorization": str(token)},
        )

    def parse(self, response: Response) -> Iterator[Any]:
        payload = self.read_json(response)
        if isinstance(payload, str):  # JSON text inside a JSON string
            try:
                payload = json.loads(payload)
            except ValueError:
                self.parse_error(f"list is a string, not JSON: {payload[:200]!r}")
                return
        if payload is None:
            return
        if isinstance(payload, dict):
            key = next((k for k in ("list", "data") if isinstance(payload.get(k), list)), "list")
            rows = self.list_of(payload, key)
        else:
            rows = self.list_of(payload, "")
        if rows is None:
            return
        yield from self.list_items(rows, self.list_item)

    def list_item(self, raw: dict[str, Any]) -> ArticleItem | Request:
        url = absolute(self.api_base + "/", raw.get("url"))
        if not url or not raw.get("title"):
            raise SkipRow("no url/title")
        item = self.item(
            external_id=str(raw.get("id") or url),
            url=url,
            title=html_text(raw["title"]),
            body=html_text(raw.get("description") or raw.get("summary") or ""),
            published_at=parse_time(raw.get("inputtime")) or from_epoch(raw.get("updatetime")),
            author=raw.get("author") or raw.get("source") or None,
            raw=raw,
        )
        return self.with_article(item, parse_article)


def parse_article(response: TextResponse, item: ArticleItem) -> ArticleItem:
    sel = response.selector
    body = selector_text(
        sel, "div.main_content, div.txtContent", drop="div.rela-box, div.copyright, script"
    )
    if body:
        item.body = body
    item.title = html_text(sel.css("div.titleHead h1").get() or "") or item.title
    stamp = _TIME.search(" ".join(sel.css("div.author-infos span::text").getall()))
    if stamp:
        item.published_at = parse_time(stamp.group(0))
    return item
