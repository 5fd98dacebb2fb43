"""capwatch's feed reading (crawlers/spiders/rss.py: capwatch decodes, feedparser parses,
core.timeparse reads dates, BeautifulSoup makes text) on feedparser's own 2,106 test feeds,
compared with feedparser alone on the same bytes, URL and HTTP headers.

For every test feed: does capwatch crash (any exception other than its deliberate "not a
feed" ValueError)? For every entry both sides have (same position), do title, link, date
(same instant to the second; both none counts as agreement) and body text (whitespace-blind
equality) agree? Reference text = feedparser's value with tags removed and entities resolved.

    .venv/bin/python bench/bench_feeds.py [--cache DIR] [--mirrors DIR] [--show N]
"""

from __future__ import annotations

import argparse
import calendar
import io
import re
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import feedparser
from w3lib.html import remove_tags, replace_entities

from bench.corpora import add_arguments, corpus
from crawlers.spiders.rss import feed_entries

_HEADER = re.compile(r"^Header:\s*([^:]+):\s*(.*)$", re.M)
_SPACE = re.compile(r"\s+")


def headers_of(raw: bytes) -> dict[str, str]:
    head = raw[:2000].decode("latin-1")
    return {k.strip(): v.strip() for k, v in _HEADER.findall(head)}


def plain(value: str, kind: str = "text/html") -> str:
    if "html" in kind:
        value = replace_entities(remove_tags(re.sub(r"(?is)<(script|style)\b.*?</\1>", "", value)))
    return _SPACE.sub("", value)


def reference_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = dict.get(entry, key)
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (ValueError, OverflowError):
                return None
    return None


def reference_body(entry: Any) -> str:
    contents = entry.get("content") or []
    texts = [plain(str(c.get("value", "")), str(c.get("type", ""))) for c in contents]
    detail = dict.get(entry, "summary_detail") or {}
    texts.append(plain(str(detail.get("value", "")), str(detail.get("type", "text/html"))))
    return max(texts, key=len, default="")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_arguments(parser)
    parser.add_argument("--show", type=int, default=0, help="print N disagreements per field")
    args = parser.parse_args()
    root = corpus("feedparser", args.cache, args.mirrors) / "tests"
    files = sorted(root.rglob("*.xml"))
    crashes: list[str] = []
    not_feeds = 0
    agree = {"title": 0, "link": 0, "date": 0, "body": 0}
    shown: dict[str, list[str]] = {k: [] for k in agree}
    compared = 0
    ours_seconds = theirs_seconds = 0.0
    warnings.simplefilter("ignore")
    for path in files:
        raw = path.read_bytes()
        url = f"http://localhost:8097/{path.relative_to(root.parent).as_posix()}"
        headers = headers_of(raw)
        started = time.perf_counter()
        try:
            ours = feed_entries(raw, url, headers, chinese_source=False)
        except ValueError as exc:
            if "not a feed" not in str(exc):
                crashes.append(f"{path.name}: {exc!r}")
            ours = []
            not_feeds += 1
        except Exception as exc:  # the figure this benchmark exists for
            crashes.append(f"{path.name}: {exc!r}")
            continue
        ours_seconds += time.perf_counter() - started
        started = time.perf_counter()
        reference = feedparser.parse(io.BytesIO(raw), response_headers={
            **{k.lower(): v for k, v in headers.items()}, "content-location": url})  # fmt: skip
        theirs_seconds += time.perf_counter() - started
        for mine, ref in zip(ours, reference.entries, strict=False):
            compared += 1
            detail = dict.get(ref, "title_detail") or {}
            checks = {
                "title": (
                    _SPACE.sub("", mine.title),
                    plain(str(detail.get("value", "")), str(detail.get("type", "text/plain"))),
                ),
                "link": (mine.url, str(ref.get("link") or "")),
                "date": (
                    mine.published.replace(microsecond=0) if mine.published else None,
                    reference_date(ref),
                ),
                "body": (_SPACE.sub("", mine.body), reference_body(ref)),
            }
            for field, (got, want) in checks.items():
                if got == want:
                    agree[field] += 1
                elif len(shown[field]) < args.show:
                    shown[field].append(f"  {path.name}: got {got!r} want {want!r}")
    print(f"{len(files)} feedparser test feeds: {len(crashes)} crashes, {not_feeds} not feeds")
    for line in crashes[:20]:
        print("  crash", line)
    for field, count in agree.items():
        print(
            f"{field:5s} agrees on {count}/{compared} comparable entries = {count / compared:.1%}"
        )
        for line in shown[field]:
            print(line)
    print(f"time: capwatch {ours_seconds:.1f} s, feedparser alone {theirs_seconds:.1f} s")


if __name__ == "__main__":
    main()
