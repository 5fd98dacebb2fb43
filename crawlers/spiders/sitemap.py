"""kind = "sitemap": news sitemaps (<urlset> with news:news) and their <sitemapindex>.

An index leads to its newest `max_sitemaps` children; each URL becomes an entry with the
news:title, publication date and keywords (enough for alerting; `follow = true` fetches the
pages). Every sitemap request is conditional like any list page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import scrapy
from scrapy.http import Response

from core.timeparse import parse_time
from crawlers.spiders.declarative import DeclarativeSpider, Entry
from crawlers.spiders.xmlfeed import child_text, children, descendants, local, parse_xml


def _news(node):
    found = descendants(node, "news")
    return found[0] if found else None


class SitemapSpider(DeclarativeSpider):
    name = "sitemap"
    list_document = "xml"

    def list_entries(self, response: Response, text: str) -> Iterator[Entry | scrapy.Request]:
        root = parse_xml(response.body)
        if root is None:
            raise ValueError("empty sitemap")
        kind = local(root)
        if kind == "sitemapindex":
            maps = [(child_text(s, "loc"), parse_time(child_text(s, "lastmod")))
                    for s in children(root, "sitemap")]  # fmt: skip
            maps = [m for m in maps if m[0]]
            epoch = datetime.min.replace(tzinfo=UTC)
            maps.sort(key=lambda m: m[1] or epoch, reverse=True)  # stable: document order
            for loc, _ in maps[: self.opts.max_sitemaps]:
                yield self.list_request(response.urljoin(loc))
            self.diagnostics.append({"kind": "index", "url": response.url,
                                     "sitemaps": len(maps)})  # fmt: skip
            return
        if kind != "urlset":
            raise ValueError(f"not a sitemap: root element <{kind}>")
        cutoff = None
        if self.opts.max_age_hours:
            cutoff = datetime.now(UTC) - timedelta(hours=self.opts.max_age_hours)
        for node in children(root, "url"):
            loc = child_text(node, "loc")
            news = _news(node)
            published = parse_time(
                (child_text(news, "publication_date") if news is not None else "")
                or child_text(node, "lastmod")
            )
            if cutoff is not None and published is not None and published < cutoff:
                continue
            title = child_text(news, "title") if news is not None else ""
            raw: dict[str, str] = {}
            if news is not None:
                for key in ("keywords", "stock_tickers", "name", "language"):
                    values = [
                        e.text.strip() for e in descendants(news, key) if (e.text or "").strip()
                    ]
                    if values:
                        raw[key] = values[0]
            yield Entry(url=response.urljoin(loc), title=title, published=published,
                        raw={"sitemap": raw} if raw else {})  # fmt: skip
