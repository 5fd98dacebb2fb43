"""Yicai Global (SOURCES.md section 12.5): the signed `getNewsList` API and `#news-body` pages.

Unsigned or wrongly signed calls get HTTP 403 `{"status":-1,"msg":"invalid sign"}`. The
salt comes from the site's /js/common.js and looks year-versioned, so it is an option
(`sign_salt`); a 403 "invalid sign" in the log means: re-read it there.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import urlencode

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

SIGN_SALT = "ycglobal_ajax_2026"  # as of August 2026 (genkin-he/news)


def sign(params: dict[str, Any], salt: str = SIGN_SALT) -> str:
    """SHA-1 of the lower-cased values ordered by lower-cased key, then the salt, joined by _."""
    lowered = {str(k).lower(): str(v).lower() for k, v in params.items() if k != "sign"}
    parts = [lowered[key] for key in sorted(lowered)] + [salt]
    return hashlib.sha1("_".join(parts).encode()).hexdigest()


def signed_params(params: dict[str, Any], salt: str, now: int | None = None) -> dict[str, Any]:
    """`params` + `timestamp` (Unix seconds) + `sign`, ready to send."""
    out = {**params, "timestamp": int(time.time()) if now is None else now}
    out["sign"] = sign(out, salt)
    return out


def _refused(payload: Any) -> str | None:
    if isinstance(payload, dict) and str(payload.get("status", 0)) == "-1":
        return f"status=-1 msg={payload.get('msg')!r}"
    return None


class YicaiGlobalSpider(ApiSpider):
    name = "yicai_global"
    site_headers: ClassVar[dict[str, str]] = {
        "Accept": "application/json, text/plain, */*",
        "Referer": "https://www.yicaiglobal.com/",
    }

    async def start(self) -> AsyncIterator[scrapy.Request]:
        salt = self.opt("sign_salt", SIGN_SALT)
        for category in self.opt("categories", [3, 4, 5]):
            base = {"type": "", "id": category, "pagesize": self.opt("page_size", 10), "page": 1}
            query = urlencode(signed_params(base, salt))
            yield self.list_request(f"{self.source.url}?{query}", self.parse)

    def list_failed(self, failure: Any) -> None:
        response = getattr(failure.value, "response", None)
        if response is not None and b"invalid sign" in response.body:
            self.api_error(
                "HTTP 403 invalid sign: the salt in /js/common.js changed? "
                "(set [source.options] sign_salt)"
            )
            return
        super().list_failed(failure)

    def parse(self, response: Response) -> Iterator[Any]:
        rows = self.json_rows(response, "data", or_top_level=True, refused=_refused)
        if rows is not None:
            yield from self.list_items(rows, self.list_item)

    def list_item(self, raw: dict[str, Any]) -> ArticleItem | Request:
        url = absolute(origin_of(self.source.url), raw.get("NewsUrl"))
        if not url or not raw.get("NewsTitle"):
            raise SkipRow("no NewsUrl/NewsTitle")
        item = self.item(
            external_id=url.rstrip("/").rsplit("/", 1)[-1],
            url=url,
            title=html_text(raw["NewsTitle"]),
            body=html_text(raw.get("NewsNotes") or raw.get("Summary") or ""),
            published_at=parse_time(raw.get("LocalTime")) or parse_time(raw.get("Time")),
            raw=raw,
        )
        return self.with_article(item, parse_article)


def parse_article(response: TextResponse, item: ArticleItem) -> ArticleItem:
    body = selector_text(response.selector, "#news-body", drop="script, style, iframe, noscript")
    if body:
        item.body = body
    return item
