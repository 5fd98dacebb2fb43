"""kind = "json": a list API; `options.items` is the dotted path to the item list and
`options.title/url/body/time/author/id` the dotted paths of the fields (`url_template`
builds links from fields, e.g. "https://finance.eastmoney.com/a/{code}.html"). JSONP is
unwrapped. HTML in the body field is cleaned to text."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from core.timeparse import parse_time
from crawlers.extract.text import html_fragment_text
from crawlers.source_options import JsonOptions
from crawlers.spiders.declarative import DeclarativeSpider, Entry

_JSONP = re.compile(r"^\s*[\w.$]+\s*\((.*)\)\s*;?\s*$", re.S)


def dig(data: Any, path: str | None) -> Any:
    """The value at a dotted path ("data.list", "items.0.title"); None when absent."""
    if not path:
        return data
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _str(value: Any) -> str:
    return "" if value is None else str(value).strip()


class JsonListSpider(DeclarativeSpider):
    name = "json"
    list_document = "json"

    @property
    def json_options(self) -> JsonOptions:
        assert isinstance(self.opts, JsonOptions)  # KIND_OPTIONS["json"]
        return self.opts

    def list_entries(self, response: Response, text: str) -> Iterator[Entry]:
        match = _JSONP.match(text)
        payload = json.loads(match.group(1) if match and text.lstrip()[:1] not in "[{" else text)
        o = self.json_options
        items = dig(payload, o.items)
        if not isinstance(items, list):
            raise ValueError(f"options.items = {o.items!r} is not a list in the response")
        for raw in items:
            if not isinstance(raw, dict):
                continue
            link = ""
            if o.url:
                link = _str(dig(raw, o.url))
            elif o.url_template:  # one of the two is required (source_options)
                with contextlib.suppress(KeyError, IndexError, ValueError):
                    link = o.url_template.format_map(raw)
            if not link:
                continue
            body = _str(dig(raw, o.body)) if o.body else ""
            time_value = dig(raw, o.time) if o.time else None
            yield Entry(
                url=response.urljoin(link),
                title=html_fragment_text(_str(dig(raw, o.title))).replace("\n", " "),
                body=html_fragment_text(body) if "<" in body else body,
                published=parse_time(_str(time_value)) if time_value is not None else None,
                author=_str(dig(raw, o.author)) or None if o.author else None,
                external_id=_str(dig(raw, o.id)) or None if o.id else None,
                raw={"item": raw},
            )
