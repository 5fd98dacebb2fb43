"""kind = "rss": RSS 2.0, RSS 1.0 (RDF) and Atom feeds.

Each feed item is stored with its description as the text; with `follow = true` the article
page is fetched and extracted instead (the feed item is kept if the page fails).
"""

from __future__ import annotations

from collections.abc import Iterator

from scrapy.http import Response

from core.timeparse import parse_time
from crawlers.extract.text import html_fragment_text
from crawlers.spiders.declarative import DeclarativeSpider, Entry
from crawlers.spiders.xmlfeed import child_text, children, descendants, local, parse_xml


def _atom_link(entry) -> str:
    for link in children(entry, "link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link.get("href")
    return child_text(entry, "link")


def _text(value: str) -> str:
    return html_fragment_text(value) if "<" in value else value.strip()


def feed_entries(body: bytes) -> list[Entry]:
    """The items of an RSS or Atom document, newest as the feed orders them."""
    root = parse_xml(body)
    if root is None:
        raise ValueError("empty feed")
    if local(root) not in ("rss", "rdf", "feed", "channel"):
        raise ValueError(f"not a feed: root element <{local(root)}>")
    entries: list[Entry] = []
    for node in descendants(root, "item") + descendants(root, "entry"):
        atom = local(node) == "entry"
        link = _atom_link(node) if atom else (child_text(node, "link") or "")
        guid = child_text(node, "guid", "id")
        if not link and guid.startswith(("http://", "https://")):
            link = guid
        author = child_text(node, "creator", "author")
        if atom:
            names = [child_text(a, "name") for a in children(node, "author")]
            author = ", ".join(n for n in names if n) or author
        entries.append(
            Entry(
                url=link.strip(),
                title=_text(child_text(node, "title")),
                body=_text(child_text(node, "encoded", "description", "content", "summary")),
                published=parse_time(child_text(node, "pubdate", "published", "date", "updated")),
                author=author or None,
                external_id=guid or None,
                raw={"feed_item": {"guid": guid, "link": link}},
            )
        )
    return entries


class RssSpider(DeclarativeSpider):
    name = "rss"
    list_document = "xml"

    def list_entries(self, response: Response, text: str) -> Iterator[Entry]:
        yield from feed_entries(response.body)
