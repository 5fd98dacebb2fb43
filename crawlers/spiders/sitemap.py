"""kind = "sitemap": news sitemaps (<urlset> with news:news) and their <sitemapindex>.

Scrapy's own sitemap utilities read the document (`scrapy.utils.sitemap.Sitemap`: type, loc,
lastmod; `scrapy.utils.gz.gunzip` for .xml.gz bodies, with the download size cap). The
news:news block (title, publication date, keywords) is not part of what Scrapy returns, so
it is read here. An index leads to its newest `max_sitemaps` children; each URL becomes an
entry with the news:title, publication date and keywords (enough for alerting; `follow =
true` fetches the pages). Every sitemap request is conditional like any list page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO

import scrapy
from lxml import etree
from scrapy.http import Response
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from core.timeparse import parse_time
from crawlers.extract.encoding import as_utf8_xml, decode_bytes, header_charset
from crawlers.source_options import SitemapOptions
from crawlers.spiders.declarative import DeclarativeSpider, Entry

NEWS_FIELDS = ("title", "publication_date", "keywords", "stock_tickers", "name", "language")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def news_fields(document: bytes) -> dict[str, dict[str, str]]:
    """{loc: {news field: text}} of a news sitemap's <url><news:news> blocks."""
    if b"news" not in document:
        return {}
    found: dict[str, dict[str, str]] = {}
    events = etree.iterparse(BytesIO(document), events=("end",), recover=True,
                             resolve_entities=False, no_network=True, huge_tree=False)  # fmt: skip
    for _, element in events:
        if _local(element.tag) != "url":
            continue
        loc, fields = "", dict[str, str]()
        for child in element.iter():
            name = _local(child.tag)
            text = (child.text or "").strip()
            if name == "loc" and not loc:
                loc = text
            elif name in NEWS_FIELDS and text and child.getparent() is not element:
                fields.setdefault(name, text)
        if loc and fields:
            found[loc] = fields
        element.clear()
    return found


def sitemap_document(response: Response, max_size: int = 0) -> bytes:
    """The sitemap as UTF-8 XML bytes: .xml.gz unpacked, charset by capwatch's rules."""
    body = response.body
    if body[:2] == b"\x1f\x8b":
        body = gunzip(body, max_size=max_size)
    header = header_charset(response.headers.get(b"Content-Type"))
    return as_utf8_xml(decode_bytes(body.lstrip(), header, None, "xml").text)


class SitemapSpider(DeclarativeSpider):
    name = "sitemap"
    list_document = "xml"

    @property
    def sitemap_options(self) -> SitemapOptions:
        assert isinstance(self.opts, SitemapOptions)  # KIND_OPTIONS["sitemap"]
        return self.opts

    def list_entries(self, response: Response, text: str) -> Iterator[Entry | scrapy.Request]:
        document = sitemap_document(response, self.settings.getint("DOWNLOAD_MAXSIZE"))
        if not document.strip():
            raise ValueError("empty sitemap")
        try:
            sitemap = Sitemap(document)
        except (StopIteration, etree.XMLSyntaxError) as exc:
            raise ValueError(f"not a sitemap: {exc or 'no root element'}") from None
        if sitemap.type == "sitemapindex":
            yield from self._index(response, sitemap)
            return
        if sitemap.type != "urlset":
            raise ValueError(f"not a sitemap: root element <{sitemap.type}>")
        news = news_fields(document)
        cutoff = None
        if self.sitemap_options.max_age_hours:
            cutoff = datetime.now(UTC) - timedelta(hours=self.sitemap_options.max_age_hours)
        for url in sitemap:
            loc = str(url.get("loc") or "")
            fields = news.get(loc, {})
            published = parse_time(fields.get("publication_date") or url.get("lastmod"))
            if cutoff is not None and published is not None and published < cutoff:
                continue
            raw = {k: v for k, v in fields.items() if k not in ("title", "publication_date")}
            yield Entry(url=response.urljoin(loc), title=fields.get("title", ""),
                        published=published, raw={"sitemap": raw} if raw else {})  # fmt: skip

    def _index(self, response: Response, sitemap: Sitemap) -> Iterator[scrapy.Request]:
        maps = [(str(s.get("loc") or ""), parse_time(s.get("lastmod"))) for s in sitemap]
        maps = [m for m in maps if m[0]]
        epoch = datetime.min.replace(tzinfo=UTC)
        maps.sort(key=lambda m: m[1] or epoch, reverse=True)  # stable: document order
        for loc, _ in maps[: self.sitemap_options.max_sitemaps]:
            yield self.list_request(response.urljoin(loc))
        self.diagnostics.append({"kind": "index", "url": response.url, "sitemaps": len(maps)})
