"""China Iron and Steel Association 中国钢铁工业协会 (SOURCES.md section 11.1).

Lists: `POST .../getColumnList` with form `params={"columnId": ...}` → JSON whose
`articleListHtml` is the list fragment. Articles: `POST .../viewArticleById` with
`params={"articleId", "columnId"}` → JSON `article_content` (HTML).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import parse_qs, quote, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawlers.items import ArticleItem
from crawlers.spiders._apiutil import (
    ApiSpider,
    absolute,
    html_text,
    origin_of,
    parse_time,
    selector_text,
)

COLUMNS = {
    "钢协动态": "58af05dfb6b4300151760176d2aad0a04c275aaadbb1315039263f021f920dcd",
    "要闻": "c42511ce3f868a515b49668dd250290c80d4dc8930c7e455d0e6e14b8033eae2",
}
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
_SOURCE = re.compile(r"文章来源[：:]\s*([^\s日]+)")
_DATE = re.compile(r"日期[：:]\s*(\d{4}-\d{2}-\d{2})")


def form_body(params: dict[str, str]) -> str:
    return "params=" + quote(json.dumps(params, separators=(",", ":")), safe="")


def _json_field(payload: Any, key: str) -> Any:
    if isinstance(payload, dict):
        if key in payload:
            return payload[key]
        data = payload.get("data")
        if isinstance(data, dict):
            return data.get(key)
    return None


class ChinaisaSpider(ApiSpider):
    name = "chinaisa"
    site_headers: ClassVar[dict[str, str]] = {
        "Referer": "https://www.chinaisa.org.cn/gxportal/xfgl/portal/index.html",
        "Origin": "https://www.chinaisa.org.cn",
        "X-Requested-With": "XMLHttpRequest",
    }

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for column in self.opt("columns", list(COLUMNS.values())):
            yield self.list_request(
                self.source.url,
                self.parse,
                method="POST",
                body=form_body({"columnId": column}),
                headers=FORM,
                cb_kwargs={"column": column},
            )

    def parse(self, response: Response, column: str = "") -> Iterator[Any]:
        payload = self.read_json(response)
        if payload is None:
            return
        html = _json_field(payload, "articleListHtml")
        if not isinstance(html, str):
            self.parse_error("articleListHtml missing; the API shape changed?")
            return
        pages = origin_of(self.source.url) + "/gxportal/xfgl/portal/"
        detail_api = self.source.url.replace("getColumnList", "viewArticleById")
        for row in Selector(text=html).css("ul.list li"):
            link = row.css("a")
            href = link.attrib.get("href") if link else None
            title = (link.attrib.get("title") if link else "") or html_text(link.get() or "")
            url = absolute(pages, href)
            query = parse_qs(urlsplit(url).query)
            article_id = (query.get("articleId") or [""])[0]
            if not url or not title or not article_id:
                self.skip_row("list row without link/title/articleId")
                continue
            item = self.item(
                external_id=article_id,
                url=url,
                title=title.strip(),
                published_at=parse_time(" ".join(row.css("span.times::text").getall())),
                raw={"columnId": column, "articleId": article_id, "title": title.strip()},
            )
            if not self.fetch_articles:
                yield item
                continue
            ids = {"articleId": article_id, "columnId": (query.get("columnId") or [column])[0]}
            request = self.article_request(item, self.parse_detail, url=detail_api)
            yield request.replace(
                method="POST", body=form_body(ids), headers={**self.site_headers, **FORM}
            )

    def parse_detail(self, response: Response, item: ArticleItem) -> ArticleItem:
        payload = self.read_json(response)
        html = _json_field(payload, "article_content")
        if not isinstance(html, str):
            if payload is not None:
                self.parse_error(f"article {item.external_id}: article_content missing")
            return item
        sel = Selector(text=html)
        body = selector_text(sel, "div.article_main", drop="script, style")
        if body:
            item.body = body
        title = html_text(sel.css("div.article_title").xpath("./text()").get() or "")
        item.title = title or item.title
        text = html_text(html)
        if source := _SOURCE.search(text):
            item.author = source.group(1)
        if date := _DATE.search(text):
            item.published_at = parse_time(date.group(1)) or item.published_at
        return item
