"""MIIT 工信部 (SOURCES.md section 10.3): column page → CMS unit API → article pages.

The column page is a shell: its `script[parseType=buildstatic]` names the unit API (`url`)
and its query (`querydata`, a JS object in single quotes). The API answers JSON whose
`data.html` is the list fragment. The page sets a cookie the API call expects; cookies are
off project-wide, so it is passed on by hand. Page ids differ per column, so they are always
discovered from the page, never hard-coded.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import urlencode

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse

from crawlers.items import ArticleItem
from crawlers.spiders._apiutil import (
    ApiSpider,
    absolute,
    html_text,
    origin_of,
    parse_time,
    selector_text,
)

_SOURCE = re.compile(r"来源[：:]\s*(\S+)")


def unit_query(sel: Any) -> tuple[str, dict[str, Any]] | None:
    """(API path, query) of the column's list unit: the buildstatic script whose tagId names
    a list, else the first one."""
    found: list[tuple[str, dict[str, Any]]] = []
    for script in sel.css("script[parsetype=buildstatic]"):
        url = script.attrib.get("url")
        raw = script.attrib.get("querydata")
        if not url or not raw:
            continue
        try:
            query = json.loads(raw.replace("'", '"'))
        except ValueError:
            continue
        if isinstance(query, dict):
            found.append((url, query))
    for url, query in found:
        if "list" in str(query.get("tagId", "")).lower():
            return url, query
    return found[0] if found else None


def _cookie(response: Response) -> str:
    cookies = [c.decode("latin-1").split(";", 1)[0] for c in response.headers.getlist("Set-Cookie")]
    return "; ".join(c for c in cookies if "=" in c)


def _refused(payload: Any) -> str | None:
    if isinstance(payload, dict) and payload.get("success") is False:
        return f"success=false message={payload.get('message')!r}"
    return None


class MiitSpider(ApiSpider):
    name = "miit"
    site_headers: ClassVar[dict[str, str]] = {"Referer": "https://www.miit.gov.cn/"}

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.list_request(self.source.url, self.parse_column)

    def parse_column(self, response: Response) -> Iterator[Any]:
        unit = unit_query(response.selector) if isinstance(response, TextResponse) else None
        if unit is None:
            self.parse_error(
                f"no script[parseType=buildstatic] with url/querydata on {response.url}"
            )
            return
        path, query = unit
        page_size = self.opt("page_size", None)
        if page_size:
            query = {**query, "paramJson": json.dumps({"pageNo": 1, "pageSize": page_size})}
        api = absolute(origin_of(response.url) + "/", path)
        headers = {"Referer": response.url}
        if cookie := _cookie(response):
            headers["Cookie"] = cookie
        yield self.list_request(f"{api}?{urlencode(query)}", self.parse, headers=headers)

    def parse(self, response: Response) -> Iterator[Any]:
        payload = self.json_or_error(response, refused=_refused)
        if payload is None:
            return
        data = payload.get("data") if isinstance(payload, dict) else None
        html = data.get("html") if isinstance(data, dict) else None
        if not isinstance(html, str):
            self.parse_error("data.html missing; the unit API changed?")
            return
        fragment = Selector(text=html)
        rows = fragment.css(".page-content ul li") or fragment.css("ul > li")
        site = origin_of(self.source.url)
        for row in rows:
            link = row.css("a")
            url = absolute(site + "/", link.attrib.get("href") if link else None)
            title = (link.attrib.get("title") if link else "") or html_text(link.get() or "")
            if not url or not title:
                self.skip_row("list row without link/title")
                continue
            date = " ".join(row.css("span.fr::text").getall() or row.css("span::text").getall())
            item = self.item(
                external_id=url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html"),
                url=url,
                title=title.strip(),
                published_at=parse_time(date),
                raw={"title": title.strip(), "href": url, "date": date.strip()},
            )
            yield self.article_request(item, parse_article) if self.fetch_articles else item


def parse_article(response: TextResponse, item: ArticleItem) -> ArticleItem:
    sel = response.selector
    body = selector_text(sel, "#con_con, .ccontent", drop="script, style")
    if body:
        item.body = body
    published = parse_time(" ".join(sel.css("#con_time ::text").getall()))
    item.published_at = published or item.published_at
    source = _SOURCE.search(" ".join(sel.css(".cinfo ::text").getall()))
    item.author = source.group(1) if source else item.author
    return item
