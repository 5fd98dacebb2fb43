"""Which links of a list page lead to articles: the selector `sources check` proposes when an
html source still has the default `links = "a[href]"` (which also takes the menu: 首页,
关于我们, 联系我们, …).

Article links come in a run: many links under one repeated container (a list, a table, a
column of divs), each with a headline-length text, pointing into the same site. Menus and
footers have short texts; single promos do not repeat. Each group of links is keyed by the
CSS path of its nearest ancestors with a class or id, and the best group wins.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from statistics import median
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

_CHROME = {"nav", "header", "footer", "aside"}
_CHROME_WORDS = re.compile(r"nav|menu|footer|header|breadcrumb|crumb|sidebar|login|share", re.I)
MIN_LINKS = 3


@dataclass(frozen=True)
class LinkSuggestion:
    """A CSS selector for the article links and what it finds on the page."""

    selector: str
    count: int  # links it selects
    examples: tuple[str, ...]  # their texts, first few
    total: int  # every link of the page (what "a[href]" takes)


def _text_length(text: str) -> int:
    """Headline weight: a CJK character counts twice (8 of them read like a 16-letter title)."""
    return sum(2 if "\u3400" <= ch <= "\u9fff" else 1 for ch in text.strip())


def _step(element: lxml_html.HtmlElement) -> str | None:
    """`tag#id` or `tag.first-class` of an element that has one, else None."""
    ident = (element.get("id") or "").strip()
    if ident and re.fullmatch(r"[A-Za-z][\w-]*", ident):
        return f"{element.tag}#{ident}"
    classes = [
        c for c in (element.get("class") or "").split() if re.fullmatch(r"-?[_a-zA-Z][\w-]*", c)
    ]
    return f"{element.tag}.{classes[0]}" if classes else None


def _in_chrome(anchor: lxml_html.HtmlElement) -> bool:
    for parent in anchor.iterancestors():
        if parent.tag in _CHROME:
            return True
        marks = f"{parent.get('id') or ''} {parent.get('class') or ''}"
        if _CHROME_WORDS.search(marks):
            return True
    return False


def _group_key(anchor: lxml_html.HtmlElement) -> str | None:
    """The nearest ancestor with a class or id, as `that-step a` (or the anchor's own class)."""
    for parent in anchor.iterancestors():
        if parent.tag in ("body", "html"):
            return None
        step = _step(parent)
        if step is not None:
            return f"{step} a"
    return None


def suggest_link_selector(page: str, base_url: str) -> LinkSuggestion | None:
    """The selector of the article links on a list page, or None when no group stands out."""
    try:
        tree = lxml_html.fromstring(page)
    except (ValueError, lxml_html.etree.ParserError):
        return None
    host = urlsplit(base_url).netloc
    anchors = [a for a in tree.iter("a") if (a.get("href") or "").strip()]
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for anchor in anchors:
        href = anchor.get("href", "").strip()
        if href.startswith(("javascript:", "#", "mailto:")) or _in_chrome(anchor):
            continue
        url = urljoin(base_url, href)
        if urlsplit(url).netloc != host:
            continue
        key = _group_key(anchor)
        if key is not None:
            groups[key].append((" ".join(anchor.text_content().split()), url))
    best: tuple[float, str] | None = None
    for key, links in groups.items():
        if len(links) < MIN_LINKS:
            continue
        typical = median(_text_length(text) for text, _ in links)
        if typical < 12:  # menus, tags, page numbers
            continue
        distinct = len({url for _, url in links})
        score = distinct * min(typical, 60)
        if best is None or score > best[0]:
            best = (score, key)
    if best is None:
        return None
    chosen = groups[best[1]]
    return LinkSuggestion(
        selector=best[1],
        count=len(chosen),
        examples=tuple(text for text, _ in chosen[:3]),
        total=len(anchors),
    )
