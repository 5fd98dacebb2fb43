"""EEO 经济观察网 (SOURCES.md section 9.4): `getMoreArticle` (catid 3690 = 快讯) returns items
with their full `content`; the article page is fetched only when the list has no text.
"""

from __future__ import annotations

from typing import Any, ClassVar

from scrapy import Request
from scrapy.http import Response, TextResponse

from crawlers.items import ArticleItem
from crawlers.spiders._apiutil import (
    PagedApiSpider,
    SkipRow,
    absolute,
    html_text,
    parse_time,
    selector_text,
)

UUID = "b048c7211db949eeb7443cd5b9b3bfe3"  # the site's public list id (RSSHub, 2025-09)


class EeoSpider(PagedApiSpider):
    name = "eeo"
    site_headers: ClassVar[dict[str, str]] = {"Referer": "https://www.eeo.com.cn/"}

    def params(self, page: int) -> dict[str, Any]:
        return {
            "catid": self.opt("catid", 3690),
            "uuid": self.opt("uuid", UUID),
            "page": page,
            "pageSize": self.opt("page_size", 50),
        }

    def rows(self, response: Response) -> list[dict[str, Any]] | None:
        return self.json_rows(response, "data", or_top_level=True, jsonp=True)

    def list_item(self, raw: dict[str, Any]) -> ArticleItem | Request:
        """The page is fetched only when the list has no `content`."""
        url = absolute("https://www.eeo.com.cn/", raw.get("url"), https=True)
        if not url or not raw.get("title"):
            raise SkipRow("no url/title")
        body = html_text(raw.get("content") or "")
        item = self.item(
            external_id=str(raw.get("contentid") or url),
            url=url,
            title=html_text(raw["title"]),
            body=body or html_text(raw.get("description") or ""),
            published_at=parse_time(raw.get("published")),
            author=raw.get("author") or None,
            raw=raw,
        )
        return self.with_article(item, parse_article, fetch=not body)


def parse_article(response: TextResponse, item: ArticleItem) -> ArticleItem:
    sel = response.selector
    body = selector_text(sel, "div.xx_boxsing, div#mainBody", drop="script, style")
    if body:
        item.body = body
    item.title = html_text(sel.css("h1").get() or sel.css("h2.title").get() or "") or item.title
    if item.published_at is None:
        stamp = sel.xpath("//h1/following-sibling::*[1]//span[1]//text()").get() or " ".join(
            sel.css("div.from ::text").getall()
        )
        item.published_at = parse_time(stamp)
    author = html_text(sel.css("span.showMoreAuthor").get() or "")
    item.author = author or item.author
    return item
