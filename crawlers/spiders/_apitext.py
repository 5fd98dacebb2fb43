"""Text helpers for the JSON-API spiders: Beijing times, 【headline】 titles, HTML to text,
JSONP, links. Pure functions of what a site answered (no spider, no network)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from w3lib.html import remove_tags, replace_entities

from crawlers.timeutil import BEIJING

_HEADLINE = re.compile(r"^\s*【([^【】]{2,200})】")
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT-]*(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
    r"(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?"
)
_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|div|h[1-6]|li|tr|section|blockquote)>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_JSONP = re.compile(r"^[\w$.]+\s*\((.*)\)\s*;?\s*$", re.S)
TITLE_CHARS = 80


def beijing_time(text: Any) -> datetime | None:
    """A date/time written on a Chinese site: naive means Beijing; an explicit offset wins.

    Accepts `2026-08-21 00:02:06`, `2026-08-21 00:02`, `2026-08-21`, `2026.08.21 10:36`,
    `2026/08/21`, `2026年08月21日 10:36`, `2026-08-21-10:36:00` (gov.cn meta) and ISO strings.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    match = _DATE.search(text)
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        return None
    if not offset:
        return moment.replace(tzinfo=BEIJING)
    if offset == "Z":
        return moment.replace(tzinfo=UTC)
    sign = 1 if offset[0] == "+" else -1
    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment.replace(tzinfo=timezone(sign * delta))


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
