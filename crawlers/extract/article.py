"""One article page to {title, text, published, author}.

Source selectors (parsel CSS, `::text` / `::attr(x)` allowed) are used for the fields they
name; every field they do not name, or that finds nothing, falls back to generic extraction:
h1 agreeing with <title>/og:title for the title, readability-lxml for the body (completed
or replaced by the page's densest block of prose, crawlers/extract/prose.py) with
trafilatura as fallback, meta / JSON-LD / visible date / htmldate for the time, and the
来源/作者 byline for the author.
"""

from __future__ import annotations

import json
import logging
import re
import weakref
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from parsel import Selector

from core.timeparse import parse_time, read_time
from core.tz import BEIJING
from crawlers.extract.byline import parse_byline
from crawlers.extract.clean import clean_fragment_text, clean_text
from crawlers.extract.density import anchor_texts, density, squash
from crawlers.extract.localday import publisher_local
from crawlers.extract.prose import (
    PROSE_LINE,
    WORTH,
    block_text,
    compare,
    densest_block,
    more_prose,
    prose_left_out,
)
from crawlers.extract.text import PAGE_SKIP, element_text

log = logging.getLogger(__name__)

MIN_BODY = 80  # characters; a shorter readability result is treated as a miss
READ_SHARE = 0.6  # readability's body holding less of the page's own text is checked too
PARAGRAPH_LINE = 40  # characters; a shorter page line left out is a link, caption or label
LEFT_OUT = 0.5  # ... when the paragraph lines left out add up to this share of the body
SPLIT_GAIN = 1.5  # trafilatura's body wins with this many times readability's own text
MAX_LINK_SHARE = 0.25  # a candidate body with more link text is a list of links
TIME_METAS = (
    "article:published_time", "og:article:published_time", "og:published_time",
    "pubdate", "PubDate", "publishdate", "publish_date", "publish-date", "firstpublishedtime",
    "datePublished", "dc.date.issued", "DC.date.issued", "dc.date", "weibo: article:create_at",
    "sailthru.date", "parsely-pub-date", "date", "article.published", "publication_date",
)  # fmt: skip
AUTHOR_METAS = ("article:author", "author", "dc.creator", "byl", "parsely-author", "Author")
TIME_CSS = ("time[datetime]::attr(datetime)", ".date::text", ".time::text", ".pubtime::text",
            "#pubtime::text", ".pub_time::text", ".publish-time::text", ".publish_time::text",
            ".article-time::text", "#pubtime_baidu::text", ".info span::text")  # fmt: skip
BYLINE_CSS = ('[class*="source"]', '[class*="author"]', '[class*="byline"]', '[class*="info"]',
              '[id*="source"]', '[class*="from"]')  # fmt: skip
_WS = re.compile(r"\s+")
_BARE_NAME = re.compile(r"[\u4e00-\u9fa5·]{2,5}|[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){1,3}")


class SelectorSpec(Protocol):
    """A source's article selectors (crawlers.source_options.ArticleSelectors), read-only."""

    @property
    def title(self) -> str | None: ...
    @property
    def body(self) -> str | None: ...
    @property
    def time(self) -> str | None: ...
    @property
    def author(self) -> str | None: ...
    @property
    def remove(self) -> list[str]: ...


@dataclass
class Extracted:
    title: str = ""
    text: str = ""
    published: datetime | None = None
    author: str | None = None
    method: str = ""  # how the body was found: selectors, readability, trafilatura, json-ld
    hits: dict[str, Any] = field(default_factory=dict)  # per field: which rule found it

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "text": self.text,
            "published": self.published.isoformat() if self.published else None,
            "author": self.author,
        }


def _squash(text: str) -> str:
    return _WS.sub("", text or "")


def _meta(sel: Selector, names: tuple[str, ...]) -> tuple[str, str] | None:
    for name in names:
        for attr in ("property", "name", "itemprop", "http-equiv"):
            value = sel.xpath(f'//meta[@{attr}="{name}"]/@content').get()
            if value and value.strip():
                return name, value.strip()
    return None


def json_ld(sel: Selector) -> list[dict[str, Any]]:
    """The JSON-LD objects of the page (graphs flattened); broken blocks are skipped."""
    found: list[dict[str, Any]] = []
    for block in sel.css('script[type="application/ld+json"]::text').getall():
        try:
            data = json.loads(block)
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            obj = stack.pop(0)
            if isinstance(obj, dict):
                found.append(obj)
                stack.extend(obj.get("@graph") or [])
            elif isinstance(obj, list):
                stack.extend(obj)
    return found


def _ld_value(objects: list[dict[str, Any]], key: str) -> Any:
    for obj in objects:
        if obj.get(key):
            return obj[key]
    return None


def _ld_author(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _ld_author(value.get("name"))
    if isinstance(value, list):
        names = [n for n in (_ld_author(v) for v in value) if n]
        return ", ".join(names) or None
    return None


_SITE_WORDS = re.compile(
    r"网|新闻|财经|频道|日报|晚报|时报|见闻|资讯|首页|官网|证券|经济|在线|委员会|政府|协会|联合会|"
    r"[部局署社]$|"
    r"\.com|\.cn|News|Times|Post|Journal|Reuters|Bloomberg|Global|Daily|Online|Magazine",
    re.I,
)
_LATIN_NAME = re.compile(r"[A-Z][A-Za-z0-9&.' ]{1,20}")  # "CNBC", "AP News"
_TITLE_SEP = re.compile(
    r"\s*(?:[_|｜]|--+|——+|::|»)\s*|\s+[-–—·]\s+"
    r"|(?<=[\u4e00-\u9fff】」）)])[-·](?=[\u4e00-\u9fff])"  # 标题-新华网, 标题·澎湃新闻
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_BRACKETED = re.compile(r"^【([^【】]+)】$")
MIN_SHOWN_TITLE = 6  # characters; a shorter line the title starts with is a site or column name
SHOWN_SHARE = 0.6  # ... and so is one holding less of the title (a nav link "Apple reports")


def _site_like(part: str) -> bool:
    """A title part that names a site, channel or publisher ("新浪财经", "Reuters")."""
    return len(part) <= 24 and bool(_SITE_WORDS.search(part) or _LATIN_NAME.fullmatch(part))


def strip_site_suffix(title: str) -> str:
    """ "标题_新浪财经_新浪网" / "Headline | Reuters" -> the headline: trailing (or leading)
    separator-delimited parts that name a site are dropped, the longest part is kept."""
    title = _WS.sub(" ", title or "").strip()
    parts = [p for p in _TITLE_SEP.split(title) if p]
    if len(parts) < 2:
        return title
    site_like = [_site_like(p) for p in parts]
    # the headline: the longest part that does not name a site (a ministry's name can be
    # longer than the headline), else the longest part
    order = sorted(range(len(parts)), key=lambda i: (not site_like[i], len(parts[i])))
    main = order[-1]
    if all(site_like[i] for i in range(len(parts)) if i != main):
        headline = parts[main]
        bracketed = _BRACKETED.match(headline)
        return bracketed.group(1) if bracketed else headline
    return title


def _agrees(h1: str, ref: str) -> bool:
    """The h1 is the headline the page title names (not a logo h1 inside a suffixed title)."""
    return len(h1) >= 4 and (ref in h1 or (h1 in ref and len(h1) >= 0.6 * len(ref)))


def shown_title(raw_title: str, page_lines: list[str]) -> str | None:
    """The longest line the page shows that <title> starts with, up to a separator or space:
    the headline when the title carries a suffix no site word gives away ("标题 东区办事处",
    "标题-纪检", "标题_栏目_网站")."""
    title = _WS.sub(" ", raw_title).strip()
    best: str | None = None
    for line in page_lines:
        line = line.strip()
        if not MIN_SHOWN_TITLE <= len(line) < len(title) or not title.startswith(line):
            continue
        if len(line) < SHOWN_SHARE * len(title):
            continue
        rest = title[len(line) :]
        if (rest[0].isspace() or _TITLE_SEP.match(rest) or rest[0] in "-_|") and (
            best is None or len(line) > len(best)
        ):
            best = line
    return best


def generic_title(sel: Selector) -> tuple[str, str]:
    """(title, rule): the h1 that agrees with <title> or og:title (or is one of the title's
    parts), else og:title, else the line the page shows that <title> starts with, else
    <title>, site suffixes stripped."""
    raw_title = sel.css("title::text").get() or ""
    page_title = strip_site_suffix(raw_title)
    og = _meta(sel, ("og:title", "twitter:title"))
    og_title = strip_site_suffix(og[1]) if og else ""
    references = [_squash(t) for t in (page_title, og_title) if t]
    # an h1 equal to a part of the title that names no site ("标题_栏目_网站") is the headline
    # even when the column name kept the suffix from being stripped
    parts = {_squash(p) for p in _TITLE_SEP.split(raw_title) if p and not _site_like(p.strip())}
    h1s = [element_text([h.root]) for h in sel.css("h1")]
    for h1 in h1s:
        squashed = _squash(h1)
        if any(_agrees(squashed, ref) for ref in references) or (
            len(squashed) >= 4 and squashed in parts
        ):
            return h1.replace("\n", " "), "h1"
    if og_title:
        return og_title, "og:title"
    shown = shown_title(page_title, _page_text(sel).split("\n")) if page_title else None
    if shown:
        return shown, "title as the page shows it"
    if page_title:
        return page_title, "title"
    if h1s:
        return h1s[0].replace("\n", " "), "first h1"
    return "", "none"


# A printed date with a time of day, as pages show it under the headline.
_VISIBLE_STAMP = re.compile(
    r"(?<!\d)\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*"
    r"(?:(?:星期|周|週)[一二三四五六日天]\s*|[(（][一二三四五六日天][)）]\s*)?"
    r"(?:[上下]午|凌晨|早上|晚上)?\s*\d{1,2}\s*[:：时時点點]\s*\d{1,2}(?:\s*[:：分]\s*\d{1,2})?"
)
_VISIBLE_DAY = re.compile(r"(?<!\d)\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?!\d)\s*日?")
NEAR_HEADLINE = 600  # characters after the headline where its date line stands
PAGE_HEAD = 2000  # characters of page text searched when the headline is not found


def visible_time(sel: Selector, title: str) -> tuple[datetime | None, bool]:
    """(moment, has a time of day) of the first date printed near the headline: after the
    headline's text within NEAR_HEADLINE characters (the page's head when it is not found)."""
    if not sel.css("body"):
        return None, False
    window = _after_headline(sel, title)
    for day in _VISIBLE_DAY.finditer(window):  # the first date printed there, with its time
        stamp = _VISIBLE_STAMP.match(window, day.start())
        reading = read_time(stamp.group(0) if stamp else day.group(0))
        if reading.moment is not None:
            return reading.moment, reading.has_clock
    return None, False


def generic_time(
    sel: Selector, html: str, ld: list[dict[str, Any]], title: str = ""
) -> tuple[datetime | None, str]:
    """(published, rule): meta, JSON-LD, time elements with a time of day first; a visible
    date-time near the headline beats any date-only reading (and htmldate's day guess)."""
    date_only: tuple[datetime, str] | None = None
    candidates: list[tuple[str, str]] = []
    found = _meta(sel, TIME_METAS)
    if found:
        candidates.append((found[1], f"meta {found[0]}"))
    value = _ld_value(ld, "datePublished") or _ld_value(ld, "dateCreated")
    if isinstance(value, str):
        candidates.append((value, "json-ld datePublished"))
    for css in TIME_CSS:
        for text in sel.css(css).getall()[:3]:
            if re.search(r"\d{4}|前|昨天|今天", text):
                candidates.append((text, css))
    for text, rule in candidates:
        reading = read_time(text)
        if reading.moment is None or reading.precision in ("year", "month"):
            continue  # a bare "2018" beside a month name is no publication day
        if reading.has_clock:
            return reading.moment, rule
        date_only = date_only or (reading.moment, rule)
    shown, clock = visible_time(sel, title)
    if shown is not None and clock:
        same_day = date_only is None or shown.date() == date_only[0].astimezone(BEIJING).date()
        if same_day:
            return shown, "visible date-time near the headline"
    if date_only is not None:
        return date_only
    if shown is not None:
        return shown, "visible date near the headline"
    try:
        from htmldate import find_date

        day = find_date(html, outputformat="%Y-%m-%d", original_date=True, extensive_search=True)
    except Exception:  # htmldate is a last resort; it must not break a crawl
        day = None
    if day and (moment := parse_time(day)):
        return moment, "htmldate"
    return None, "none"


_PAGE_TEXTS: weakref.WeakKeyDictionary[Selector, str] = weakref.WeakKeyDictionary()


def _page_text(sel: Selector) -> str:
    """The page's visible text, walked once per page (title, body, time and author use it)."""
    text = _PAGE_TEXTS.get(sel)
    if text is None:
        body = sel.css("body")
        text = element_text([body[0].root] if body else [sel.root], PAGE_SKIP)
        _PAGE_TEXTS[sel] = text
    return text


def _readability(html: str, url: str | None) -> str:
    try:
        from readability import Document

        return clean_fragment_text(Document(html, url=url).summary(html_partial=True))
    except Exception as exc:  # readability raises on odd pages (empty, frames)
        log.debug("readability failed on %s: %s", url, exc)
        return ""


def _trafilatura(html: str, url: str | None) -> str:
    try:
        import trafilatura

        found = trafilatura.extract(html, url=url, include_comments=False, include_tables=True,
                                    favor_recall=True, deduplicate=False, fast=True)  # fmt: skip
    except Exception as exc:
        log.debug("trafilatura failed on %s: %s", url, exc)
        return ""
    return clean_text(found or "")


def _text_left_out(sel: Selector, body: str, anchors: list[str], own: int) -> bool:
    """readability's body holds under READ_SHARE of the page's own (non-link) text, and the
    paragraph-long lines it left out (portal sidebars are short lines) add up to LEFT_OUT of
    its own text: only then can another extractor find SPLIT_GAIN times as much article."""
    page = _page_text(sel)
    if own >= READ_SHARE * density(page, anchors).own:
        return False
    kept = squash(body)
    left = sum(len(line) for line in page.split("\n")
               if len(line) >= PARAGRAPH_LINE and squash(line) not in kept)  # fmt: skip
    return left >= LEFT_OUT * own


def _with_densest_block(sel: Selector, body: str, anchors: list[str]) -> tuple[str, str]:
    """readability's body, completed by or replaced with the page's densest block of prose
    (crawlers/extract/prose.py) when that block only adds prose paragraphs to it, or is
    another part of the page with much more prose and few links."""
    root = sel.root
    if not hasattr(root, "iter"):  # a text or JSON selector has no element tree
        return body, "readability"
    if prose_left_out(_page_text(sel), body) < max(PROSE_LINE, WORTH * len(squash(body))):
        return body, "readability"  # readability holds (nearly) all the page's prose
    page = sel.css("body")
    block = densest_block(page[0].root if page else root)
    if block is None:
        return body, "readability"
    text = block_text(block)
    found = compare(body, text)
    if found.completes:
        return text, "readability+densest block"
    if (found.replaces and more_prose(found)
            and density(text, anchors).link_share < MAX_LINK_SHARE):  # fmt: skip
        return text, "densest block"
    return body, "readability"


def generic_body(html: str, sel: Selector, url: str | None) -> tuple[str, str]:
    """(text, method): readability-lxml's body, or trafilatura's when readability's is short
    or left much of the page's paragraph text out, and trafilatura's is no link list (under
    MAX_LINK_SHARE link text) with SPLIT_GAIN times readability's own text (readability then
    took one block of an article split in several) or readability found almost nothing.
    trafilatura runs only on those pages (a quarter of real news pages)."""
    best, method = _readability(html, url), "readability"
    anchors = anchor_texts(sel)
    best, method = _with_densest_block(sel, best, anchors)
    ours = density(best, anchors)
    if ours.own < MIN_BODY or _text_left_out(sel, best, anchors, ours.own):
        other = _trafilatura(html, url)
        theirs = density(other, anchors)
        gained = theirs.own >= (MIN_BODY if ours.own < MIN_BODY else SPLIT_GAIN * ours.own)
        if gained and theirs.link_share < MAX_LINK_SHARE:
            best, method = other, "trafilatura"
    ld_body = _ld_value(json_ld(sel), "articleBody")
    if isinstance(ld_body, str) and len(ld_body := clean_text(ld_body.strip())) > len(best):
        best, method = ld_body, "json-ld articleBody"
    return best, method


def _after_headline(sel: Selector, title: str) -> str:
    """The page text in NEAR_HEADLINE characters after the headline (the byline row's place;
    the body cleaning drops that row), or the page's head when the headline is not found."""
    text = _page_text(sel)
    anchor = text.find(title[:20]) if title else -1
    return text[anchor : anchor + NEAR_HEADLINE] if anchor >= 0 else text[:PAGE_HEAD]


def generic_author(
    sel: Selector, body: str, ld: list[dict[str, Any]], title: str = ""
) -> tuple[str | None, str]:
    snippets = [element_text([el.root]) for css in BYLINE_CSS for el in sel.css(css)[:4]]
    snippets = [s for s in snippets if len(s) < 300]
    for el in sel.css('[class*="author"], [rel="author"], [itemprop="author"]')[:4]:
        name = element_text([el.root]).strip()
        if _BARE_NAME.fullmatch(name):
            return name, "author element"
    snippets += [body[:300], body[-200:], _after_headline(sel, title)]
    source = None
    for snippet in snippets:
        byline = parse_byline(snippet)
        if byline.author:
            return byline.author, "byline"
        source = source or byline.source
    found = _meta(sel, AUTHOR_METAS)
    if found and not found[1].startswith("http"):
        return found[1], f"meta {found[0]}"
    ld_name = _ld_author(_ld_value(ld, "author"))
    if ld_name:
        return ld_name, "json-ld author"
    if source:
        return source, "byline 来源"
    return None, "none"


_XML_DECL = re.compile(r"[\s\ufeff]*<\?xml\s")  # parsel's own test for XML documents
_MAYBE_JSON = re.compile(r"\s*[\[{]")


def page_selector(html: str) -> Selector:
    """`Selector(text=html)` without parsel's json.loads attempt on every page (~0.1 ms):
    the type parsel would pick is given, and only text that could be JSON is left to it."""
    if _MAYBE_JSON.match(html):
        return Selector(text=html)
    return Selector(text=html, type="xml" if _XML_DECL.match(html) else "html")


def _select(sel: Selector, css: str) -> tuple[str, int]:
    """(text, hits) of what a CSS selector finds; `::text` / `::attr()` give strings.
    One query serves both (they were two, and CSS queries are most of the selector cost)."""
    found = sel.css(css)
    if "::" in css:
        return " ".join(v.strip() for v in found.getall() if v.strip()), len(found)
    return element_text([s.root for s in found]), len(found)


def _select_text(sel: Selector, css: str) -> str:
    """Text of what a CSS selector finds; `::text` / `::attr()` selectors give strings."""
    return _select(sel, css)[0]


def _publisher_local(
    moment: datetime, sel: Selector, html: str, url: str | None, title: str
) -> tuple[datetime, str]:
    """A UTC stamp in the offset the page itself uses (crawlers.extract.localday)."""

    def shown() -> date | None:
        day, _clock = visible_time(sel, title)
        return day.date() if day is not None else None

    prefer = 8 if _HAN.search(title) else None  # Beijing first on Chinese pages
    return publisher_local(moment, html, url, shown_day=shown, prefer=prefer)


def extract_article(
    html: str, url: str | None = None, selectors: SelectorSpec | None = None
) -> Extracted:
    """Extract one article page (already decoded text)."""
    sel = page_selector(html)
    result = Extracted()
    if selectors is not None:
        for css in selectors.remove or ():
            sel.css(css).drop()
        if selectors.title:
            title, hits = _select(sel, selectors.title)
            result.title = title.replace("\n", " ")
            result.hits["title"] = f"{selectors.title} ({hits} hits)"
        if selectors.body:
            result.text, hits = _select(sel, selectors.body)
            result.hits["body"] = f"{selectors.body} ({hits} hits)"
            if result.text:
                result.method = "selectors"
        if selectors.time:
            raw = _select_text(sel, selectors.time)
            result.published = parse_time(raw)
            result.hits["time"] = f"{selectors.time} -> {raw[:40]!r}"
        if selectors.author:
            raw = _select_text(sel, selectors.author)
            result.author = parse_byline(raw).best or raw.strip() or None
            result.hits["author"] = f"{selectors.author} -> {raw[:40]!r}"
    ld: list[dict[str, Any]] | None = None
    if not result.title:
        result.title, result.hits["title"] = generic_title(sel)
    if not result.text:
        result.text, result.method = generic_body(html, sel, url)
        result.hits["body"] = result.method
    if result.published is None:
        ld = json_ld(sel)
        result.published, result.hits["time"] = generic_time(sel, html, ld, result.title)
    if result.published is not None and result.published.utcoffset() == timedelta(0):
        result.published, how = _publisher_local(result.published, sel, html, url, result.title)
        if how:
            result.hits["time"] = f"{result.hits.get('time', '')}, offset from {how}"
    if not result.author:
        ld = ld if ld is not None else json_ld(sel)
        result.author, result.hits["author"] = generic_author(sel, result.text, ld, result.title)
    return result
