"""HTML to plain text, walking lxml trees that parsel has already built (no second parse).

Measured (ARCHITECTURE-NOTES.md section 3): a full BeautifulSoup parse costs ~9 ms per page,
parsel ~0.6 ms. The body fragment is walked directly: block elements become line breaks,
scripts and styles are dropped, whitespace inside a line is collapsed. Text is kept as
written (full-width characters stay; normalising for matching is the detector's job).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree
from lxml.etree import _Element as Element

SKIP = {
    "script",
    "style",
    "noscript",
    "iframe",
    "template",
    "svg",
    "button",
    "select",
    "form",
    "textarea",
    "head",
    "title",
    "meta",
    "link",
    "object",
    "embed",
    "canvas",
}
BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "blockquote",
    "pre",
    "header",
    "footer",
    "dd",
    "dt",
    "dl",
    "figure",
    "figcaption",
    "hr",
    "main",
    "aside",
    "nav",
    "center",
}
_SPACES = re.compile(r"[^\S\n]+")


# ASP.NET pages wrap the whole page in one <form>: the page's text keeps forms (their
# inputs, buttons and selects are still skipped).
PAGE_SKIP = frozenset(SKIP - {"form"})


def _walk(element: Element, out: list[str], skip: frozenset[str] | set[str] = SKIP) -> None:
    tag = element.tag
    if not isinstance(tag, str):  # comments, processing instructions
        if element.tail:
            out.append(element.tail)
        return
    tag = tag.rsplit("}", 1)[-1].lower()
    if tag in skip:
        if element.tail:
            out.append(element.tail)
        return
    block = tag in BLOCK
    if block:
        out.append("\n")
    if element.text:
        out.append(element.text)
    for child in element:
        _walk(child, out, skip)
    if block:
        out.append("\n")
    if element.tail:
        out.append(element.tail)


def clean_lines(text: str) -> str:
    """Runs of spaces collapsed, lines stripped, empty lines dropped (one regex pass over the
    whole text, then C-level map/filter: this runs on every article body)."""
    return "\n".join(filter(None, map(str.strip, _SPACES.sub(" ", text).split("\n"))))


def element_text(elements: Iterable[Element], skip: frozenset[str] | set[str] = SKIP) -> str:
    """Plain text of lxml elements (their tails outside them are not included); elements
    whose tag is in `skip` are left out with their content."""
    out: list[str] = []
    for element in elements:
        tail, element.tail = element.tail, None
        try:
            _walk(element, out, skip)
        finally:
            element.tail = tail
        out.append("\n")
    return clean_lines("".join(out))


def html_fragment_text(html: str) -> str:
    """Plain text of an HTML fragment (e.g. readability's summary, an API's HTML body)."""
    if not html or not html.strip():
        return ""
    parser = etree.HTMLParser(remove_comments=True)
    root = etree.fromstring(f"<div>{html}</div>", parser)
    return element_text([root]) if root is not None else ""
