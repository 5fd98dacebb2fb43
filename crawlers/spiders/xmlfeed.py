"""Namespace-blind reading of XML feeds and sitemaps (RSS 2.0, RSS 1.0/RDF, Atom, news
sitemaps) with lxml; entities are not resolved and broken XML is recovered."""

from __future__ import annotations

import gzip

from lxml import etree

_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)


def parse_xml(body: bytes):
    """The root element; gzip bodies (sitemap.xml.gz) are unpacked first. None if empty."""
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    body = body.lstrip()
    if not body:
        return None
    return etree.fromstring(body, _PARSER)


def local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def children(element, name: str) -> list:
    return [c for c in element if local(c) == name]


def child_text(element, *names: str) -> str:
    """Text of the first child with one of these local names (CDATA included)."""
    for name in names:
        for child in element:
            if local(child) == name:
                text = "".join(child.itertext()).strip()
                if text:
                    return text
    return ""


def descendants(element, name: str) -> list:
    return [e for e in element.iter() if local(e) == name]
