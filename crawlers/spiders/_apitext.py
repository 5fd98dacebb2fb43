"""Text helpers for the JSON-API spiders: 【headline】 titles, HTML to text, JSONP, links;
times are read by core.timeparse.parse_time (re-exported). Pure functions of what a site
answered (no spider, no network)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from w3lib.html import remove_tags, replace_entities

from core.timeparse import parse_time

__all__ = ["absolute", "flash_title", "html_text", "origin_of", "parse_time", "selector_text",
           "strip_jsonp"]  # fmt: skip

_HEADLINE = re.compile(r"^\s*【([^【】]{2,200})】")
_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|div|h[1-6]|li|tr|section|blockquote)>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_JSONP = re.compile(r"^[\w$.]+\s*\((.*)\)\s*;?\s*$", re.S)
TITLE_CHARS = 80


def html_text(fragment: Any) -> str:
    """Plain text of an HTML fragment (paragraphs kept as lines); plain text passes through."""
    if not isinstance(fragment, str):
        return ""
    text = _BLOCK_END.sub("\n", fragment) if "<" in fragment else fragment
    text = replace_entities(remove_tags(text)) if "<" in fragment or "&" in fragment else text
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line)).strip()


def flash_title(text: str, *candidates: Any) -> str:
    """Flash-item title: the leading 【headline】, else a given title, else the first 80 chars."""
    match = _HEADLINE.match(text or "")
    if match:
        return match.group(1).strip()
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            return html_text(candidate)
    plain = (text or "").strip()
    return plain if len(plain) <= TITLE_CHARS else plain[: TITLE_CHARS - 1] + "…"


def selector_text(sel: Selector, css: str, drop: str = "") -> str:
    """Text of the first element matching `css` (several selectors: first that matches wins),
    after removing the nodes matched by `drop`."""
    for one in css.split(","):
        found = sel.css(one.strip())
        if found:
            node = found[0]
            if drop:
                node.css(drop).drop()
            return html_text(node.get())
    return ""


def strip_jsonp(text: str) -> str:
    """`cb({...});` → `{...}`; plain JSON unchanged."""
    stripped = text.strip()
    if stripped[:1] in "[{":
        return stripped
    match = _JSONP.match(stripped)
    return match.group(1) if match else stripped


def origin_of(url: str) -> str:
    """`https://host[:port]` of a URL (tests point a source at 127.0.0.1, so derive, never fix)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def absolute(base: str, link: Any, *, https: bool = False) -> str:
    """`link` resolved against `base`; with `https`, an http:// result is upgraded."""
    if not isinstance(link, str) or not link.strip():
        return ""
    url = urljoin(base, link.strip())
    if https and url.startswith("http://"):
        url = "https://" + url[len("http://") :]
    return url
