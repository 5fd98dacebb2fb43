"""Build a spider bound to a built-in source entry and feed it responses, without a network."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler

from crawlers.items import ArticleItem
from crawlers.sources import builtin_sources
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "api"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> Any:
    return json.loads(fixture(name).decode("utf-8"))


def make_spider(cls: type, key: str, url: str | None = None, **options: Any):
    """The spider for built-in source `key`, with options (and url) overridden."""
    source = builtin_sources()[key]
    update: dict[str, Any] = {"options": {**source.options, **options}}
    if url:
        update["url"] = url
    source = source.model_copy(update=update)
    crawler = get_crawler(cls)
    spider = cls.from_crawler(crawler, source=source)
    crawler.spider = spider
    if crawler.stats is None:
        crawler._apply_settings()
    return spider


def respond(body: bytes | str | Any, url: str, *, html: bool = False) -> TextResponse:
    if not isinstance(body, bytes | str):
        body = json.dumps(body, ensure_ascii=False)
    data = body.encode("utf-8") if isinstance(body, str) else body
    cls = HtmlResponse if html else TextResponse
    return cls(url=url, body=data, encoding="utf-8")


def split(out: Iterable[Any]) -> tuple[list[ArticleItem], list[Request]]:
    items: list[ArticleItem] = []
    requests: list[Request] = []
    for obj in out:
        (items if isinstance(obj, ArticleItem) else requests).append(obj)
    return items, requests


def follow(request: Request, body: bytes | str | Any, *, html: bool = True) -> ArticleItem:
    """Answer an article request; the callback yields the completed item."""
    (item,) = list(request.callback(respond(body, request.url, html=html)))
    return item


async def start_requests(spider) -> list[Request]:
    return [r async for r in spider.start()]


def stat(spider, name: str) -> int:
    return spider.crawler.stats.get_value(name, 0)


async def drain(request: Request, response: TextResponse) -> list[Any]:
    """Everything a request's callback yields (list callbacks are async generators)."""
    out = request.callback(response, **request.cb_kwargs)
    if hasattr(out, "__aiter__"):
        return [x async for x in out]
    return list(out or ())
