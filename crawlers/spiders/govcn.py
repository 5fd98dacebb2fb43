"""gov.cn 中国政府网 policy and news lists (SOURCES.md section 10.1).

`ZUIXINZHENGCE.json` (最新政策) and `YAOWENLIEBIAO.json` (要闻) are top-level arrays of
`{TITLE, SUB_TITLE, URL, DOCRELPUBTIME}`; the HTML list pages are rendered from them. The
arrays are long (~400-1,100 rows), so only the newest `max_items` are followed. Article pages
carry the exact time and ids in meta tags; the body is `#UCAP-CONTENT` (or TRS / 文件库 forms).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import scrapy
from scrapy import Request
from scrapy.http import Response, TextResponse

from crawlers.items import ArticleItem
from crawlers.spiders._apiutil import (
    ApiSpider,
    SkipRow,
    absolute,
    html_text,
    origin_of,
    parse_time,
    selector_text,
)

_CONTENT_ID = re.compile(r"content_(\d+)")
_BODY = "#UCAP-CONTENT, div.TRS_UEDITOR, .pages_content"


def _meta(sel: Any, name: str) -> str:
    return (sel.css(f'meta[name="{name}"]::attr(content)').get() or "").strip()


class GovCnSpider(ApiSpider):
    name = "govcn"
    site_headers: ClassVar[dict[str, str]] = {"Referer": "https://www.gov.cn/"}

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.list_request(self.source.url, self.parse)

    def parse(self, response: Response) -> Iterator[Any]:
        rows = self.json_rows(response, "data", or_top_level=True)
        if rows is None:
            return
        rows.sort(key=lambda r: str(r.get("DOCRELPUBTIME") or ""), reverse=True)
        yield from self.list_items(rows[: int(self.opt("max_items", 40))], self.list_item)

    def list_item(self, raw: dict[str, Any]) -> ArticleItem | Request:
        url = absolute(origin_of(self.source.url) + "/", raw.get("URL"))
        title = html_text(raw.get("TITLE") or "")
        if not url or not title:
            raise SkipRow("no URL/TITLE")
        match = _CONTENT_ID.search(url)
        item = self.item(
            external_id=match.group(1) if match else url,
            url=url,
            title=title,
            body=html_text(raw.get("SUB_TITLE") or ""),
            published_at=parse_time(raw.get("DOCRELPUBTIME")),
            raw=raw,
        )
        return self.with_article(item, parse_article)


def parse_article(response: TextResponse, item: ArticleItem) -> ArticleItem:
    """Meta tags give the publish time (Beijing), author, keywords, column and manuscript id."""
    sel = response.selector
    body = selector_text(sel, _BODY, drop="script, style")
    if body:
        item.body = body
    title = html_text(sel.css("div.share-title").get() or "")
    item.title = title or item.title
    published = parse_time(_meta(sel, "firstpublishedtime"))
    item.published_at = published or item.published_at
    source = html_text(sel.css("span.font-zyygwj").get() or "").removeprefix("来源：")
    item.author = _meta(sel, "author") or source or None
    item.raw = {
        **(item.raw or {}),
        "manuscriptId": _meta(sel, "manuscriptId") or None,
        "keywords": _meta(sel, "keywords") or None,
        "lanmu": _meta(sel, "lanmu") or None,
        "lastmodifiedtime": _meta(sel, "lastmodifiedtime") or None,
    }
    return item
