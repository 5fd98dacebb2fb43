"""kind = "rss": RSS 0.9x/1.0/2.0, Atom and the other formats feedparser reads.

feedparser (the well-kept library made for this) reads the structure: entities, Atom content
types, base64 and inline XHTML content, sanitising, relative links against the feed's URL.
capwatch keeps two things of its own where feedparser is wrong for Chinese feeds:
- the charset: the bytes are decoded by crawlers.extract.encoding (gb2312 labels as GB18030,
  GB18030 bytes labelled UTF-8, UTF-8 bytes labelled gb18030, an HTTP-only charset) and handed
  to feedparser as UTF-8 (feedparser reads a gb2312 label with Python's gb2312 codec and
  loses every GBK-only character and what follows);
- the times: core.timeparse reads each item's own date string (`CST` on a Chinese feed is
  +08:00, naive times are Beijing time); feedparser's reading is the fallback.
HTML fragments become text through BeautifulSoup.

Items without a real body (title-only feeds) have their article page fetched unless the
source says `follow = false`; `follow = true` fetches every item's page.
"""

from __future__ import annotations

import calendar
import io
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
from bs4 import BeautifulSoup
from scrapy.http import Response

from core.timeparse import read_time
from crawlers.extract.encoding import as_utf8_xml, decode_bytes, header_charset
from crawlers.spiders.declarative import DeclarativeSpider, Entry

_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")
_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
           "section", "article", "pre", "table", "ul", "ol", "dd", "dt", "figure")  # fmt: skip
_DROP = ("script", "style", "noscript", "iframe", "object", "embed", "form", "svg")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")


def fragment_text(html: str) -> str:
    """Plain text of an HTML fragment (paragraphs kept as lines), via BeautifulSoup."""
    if not html or not html.strip():
        return ""
    if "<" not in html and "&" not in html:
        return html.strip()
    soup = BeautifulSoup(html, "lxml")
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = (_SPACES.sub(" ", line).strip() for line in soup.get_text().split("\n"))
    return "\n".join(line for line in lines if line)


def _detail_text(detail: Mapping[str, Any] | None, fallback: str = "") -> str:
    """The text of a feedparser text construct: HTML types converted, plain text kept."""
    if not detail:
        return fragment_text(fallback) if "<" in fallback else fallback.strip()
    value = str(detail.get("value") or "")
    kind = str(detail.get("type") or "text/plain").lower()
    if any(kind.startswith(t) or kind == t for t in _HTML_TYPES):
        return fragment_text(value)
    return value.strip()


def _published(entry: dict[str, Any], chinese_source: bool) -> datetime | None:
    """The item's own date string read by core.timeparse; feedparser's reading only for
    strings ours cannot read (dict.get: feedparser's own lookup maps missing keys to others)."""
    for key in ("published", "updated", "created", "dc_date", "issued"):
        raw = dict.get(entry, key)
        if raw:
            moment = read_time(str(raw), chinese_source=chinese_source).moment
            if moment is not None:
                return moment
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = dict.get(entry, key)
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (ValueError, OverflowError, OSError):
                continue
    return None


def _body(entry: Mapping[str, Any]) -> str:
    """The fullest text the item carries: its content, else its summary/description."""
    texts = [_detail_text(c) for c in entry.get("content") or []]
    texts.append(_detail_text(entry.get("summary_detail"), str(entry.get("summary") or "")))
    return max(texts, key=len, default="")


def feed_entries(
    body: bytes,
    url: str = "",
    headers: Mapping[str, str] | None = None,
    *,
    forced_encoding: str | None = None,
    chinese_source: bool = True,
) -> list[Entry]:
    """The items of a feed, in feed order, given the response bytes, URL and HTTP headers."""
    content_type = {k.lower(): v for k, v in (headers or {}).items()}.get("content-type")
    decoded = decode_bytes(body, header_charset(content_type), forced_encoding, "xml")
    return decoded_feed_entries(decoded.text, url, chinese_source=chinese_source)


def decoded_feed_entries(text: str, url: str = "", *, chinese_source: bool = True) -> list[Entry]:
    """The items of a feed already decoded by crawlers.extract.encoding's rules."""
    parsed = feedparser.parse(
        io.BytesIO(as_utf8_xml(text)),
        # no content-location: feedparser would resolve relative RSS guids into URLs and
        # change items' identities; relative links are joined with the feed URL below
        response_headers={"content-type": "application/xml; charset=utf-8"},
    )
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        raise ValueError(f"not a feed{': ' + str(problem) if problem else ''}")
    entries: list[Entry] = []
    for item in parsed.entries:
        link = str(item.get("link") or "")
        guid = str(item.get("id") or "")
        if not link and guid.startswith(("http://", "https://")):
            link = guid
        link = urljoin(url, link.strip()) if link and url else link
        title = _detail_text(item.get("title_detail"), str(item.get("title") or ""))
        text = _body(item)
        entries.append(
            Entry(
                url=link.strip(),
                title=title,
                body=text,
                published=_published(item, chinese_source),
                author=str(item.get("author") or "") or None,
                external_id=guid or None,
                raw={"feed_item": {"guid": guid, "link": link}},
            )
        )
    return entries


class RssSpider(DeclarativeSpider):
    name = "rss"
    list_document = "xml"

    def list_entries(self, response: Response, text: str) -> Iterator[Entry]:
        # `text` is the response decoded by the same rules feed_entries applies to bytes
        yield from decoded_feed_entries(text, response.url, chinese_source=self.source.lang != "en")
