"""STCN 证券时报 快讯 (SOURCES.md section 6): the `list.html?type=kx` XHR answers JSON
`{"data": [...]}` when asked with `X-Requested-With: XMLHttpRequest`; items are complete.

The site sits behind an Alibaba WAF (`acw_tc` cookies); its challenge page is an HTML page,
reported as a parse error that says so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from functools import partial
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response

from core.timeparse import from_epoch
from crawlers.items import ArticleItem
from crawlers.spiders._apiutil import ApiSpider, absolute, flash_title, html_text, origin_of


class StcnKuaixunSpider(ApiSpider):
    name = "stcn_kx"
    site_headers: ClassVar[dict[str, str]] = {
        "X-Requested-With": "XMLHttpRequest",
        "Referer": "https://www.stcn.com/article/list/kx.html",
        "Accept": "application/json, text/javascript, */*; q=0.01",
    }

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.list_request(self.source.url, self.parse)

    def parse(self, response: Response) -> Iterator[Any]:
        rows = self.json_rows(response, "data")
        if rows is not None:
            yield from self.list_items(rows, partial(kx_item, self), require="id")


def kx_item(spider: ApiSpider, raw: dict[str, Any]) -> ArticleItem:
    item_id = str(raw["id"])
    body = html_text(raw.get("content") or "")
    site = origin_of(spider.source.url)
    url = absolute(site, raw.get("url")) or f"{site}/article/detail/{item_id}.html"
    return spider.item(
        external_id=item_id,
        url=url,
        title=html_text(raw.get("title") or "") or flash_title(body),
        body=body,
        published_at=from_epoch(raw.get("time") or raw.get("show_time")),
        author=(raw.get("source") or None) if isinstance(raw.get("source"), str) else None,
        raw=raw,
    )
