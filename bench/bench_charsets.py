"""Charset decoding (crawlers/extract/encoding.py) on real Chinese pages re-encoded the ways
servers and pages get it wrong, on the HTML path and the feed path.

Pages: the `original/` pages of immortal-autumn/Chinese-Web-Content-Extraction-Dataset,
decoded once, their own charset declarations removed. Each page's text is then written as:
UTF-8 / GB18030 bytes under each label (meta or XML declaration, HTTP header only, none, a
wrong `iso-8859-1` header, a wrong gb2312 label on UTF-8), and as Big5 (the text converted
to traditional characters by OpenCC, characters Big5 lacks replaced by '?') with no label, a
wrong gb2312 label or a big5 label. Right = exactly the original text back (HTML: the whole
document; feed: every item's title and body as capwatch stores them).

    .venv/bin/python bench/bench_charsets.py [--cache DIR] [--mirrors DIR] [--show N]
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import opencc

from bench.corpora import add_arguments, corpus
from crawlers.extract import decode_html
from crawlers.extract.encoding import header_charset
from crawlers.spiders.rss import feed_entries

_META = re.compile(r"""<meta[^>]+charset[^>]*>""", re.I)
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Variant:
    name: str
    group: str  # "GB/UTF-8" or "Big5"
    codec: str  # how the bytes are written
    label: str | None  # in the document (meta / XML declaration)
    header: str | None  # Content-Type charset
    traditional: bool = False


VARIANTS = [
    Variant("utf-8, meta utf-8", "GB/UTF-8", "utf-8", "utf-8", None),
    Variant("utf-8, no label", "GB/UTF-8", "utf-8", None, None),
    Variant("utf-8, header iso-8859-1", "GB/UTF-8", "utf-8", None, "iso-8859-1"),
    Variant("utf-8, meta gb2312 (wrong)", "GB/UTF-8", "utf-8", "gb2312", None),
    Variant("gb18030, meta gb2312", "GB/UTF-8", "gb18030", "gb2312", None),
    Variant("gb18030, meta gbk", "GB/UTF-8", "gb18030", "gbk", None),
    Variant("gb18030, meta gb18030", "GB/UTF-8", "gb18030", "gb18030", None),
    Variant("gb18030, header gb2312 only", "GB/UTF-8", "gb18030", None, "gb2312"),
    Variant("gb18030, header iso-8859-1", "GB/UTF-8", "gb18030", None, "iso-8859-1"),
    Variant("gb18030, meta utf-8 (wrong)", "GB/UTF-8", "gb18030", "utf-8", None),
    Variant("gb18030, no label", "GB/UTF-8", "gb18030", None, None),
    Variant("big5, no label", "Big5", "big5hkscs", None, None, True),
    Variant("big5, meta gb2312 (wrong)", "Big5", "big5hkscs", "gb2312", None, True),
    Variant("big5, meta big5", "Big5", "big5hkscs", "big5", None, True),
    Variant("big5, header iso-8859-1", "Big5", "big5hkscs", None, "iso-8859-1", True),
]


def pages(root: Path) -> list[str]:
    texts = []
    for path in sorted((root / "original").iterdir()):
        decoded = decode_html(path.read_bytes())
        if decoded.encoding not in ("utf-8", "gb18030"):
            print(f"  skipped {path.name}: not cleanly decodable ({decoded.note})")
            continue
        texts.append(_META.sub("", decoded.text))
    return texts


def html_document(text: str, variant: Variant) -> tuple[str, bytes]:
    meta = f'<meta charset="{variant.label}">' if variant.label else ""
    document = re.sub(r"(?i)<head[^>]*>", lambda m: m.group(0) + meta, text, count=1)
    if meta and meta not in document:
        document = meta + document
    raw = document.encode(variant.codec, "replace")
    return raw.decode(variant.codec), raw


def feed_document(text: str, variant: Variant) -> tuple[list[tuple[str, str]], bytes]:
    plain = html.unescape(re.sub(r"<[^>]+>", "\n", text))
    lines = [ln.strip() for ln in plain.split("\n") if ln.strip()]
    lines = [_XML_BAD.sub("", ln) for ln in lines if re.search(r"[\u4e00-\u9fff]", ln)][:40]
    items = [(lines[i], lines[i + 1]) for i in range(0, len(lines) - 1, 2)]
    decl = f'<?xml version="1.0" encoding="{variant.label}"?>' if variant.label else ""
    body = "".join(
        f"<item><title>{escape(t)}</title><link>http://x.cn/{n}</link>"
        f"<description>{escape(d)}</description></item>"
        for n, (t, d) in enumerate(items)
    )
    document = f'{decl}<rss version="2.0"><channel><title>t</title>{body}</channel></rss>'
    raw = document.encode(variant.codec, "replace")
    back = raw.decode(variant.codec)
    expected = re.findall(
        r"<item><title>(.*?)</title><link>.*?<description>(.*?)</description>", back
    )
    unescape: Callable[[str], str] = lambda s: (  # noqa: E731
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )
    return [(unescape(t).strip(), unescape(d).strip()) for t, d in expected], raw


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_arguments(parser)
    parser.add_argument("--show", type=int, default=0)
    args = parser.parse_args()
    texts = pages(corpus("zh-extraction", args.cache, args.mirrors))
    to_traditional = opencc.OpenCC("s2t")
    results: dict[tuple[str, str], list[bool]] = {}
    misses: list[str] = []
    for number, original in enumerate(texts):
        traditional = to_traditional.convert(original)
        for variant in VARIANTS:
            text = traditional if variant.traditional else original
            header = (
                header_charset(f"text/html; charset={variant.header}") if variant.header else None
            )
            want, raw = html_document(text, variant)
            got = decode_html(raw, header)
            ok = got.text == want
            results.setdefault(("html", variant.group), []).append(ok)
            if not ok:
                misses.append(f"  html page {number} [{variant.name}]: {got.encoding} ({got.note})")
            items, raw = feed_document(text, variant)
            headers = {"Content-Type": f"text/xml; charset={variant.header}"} if header else {}
            entries = feed_entries(raw, "http://x.cn/feed.xml", headers)
            ok = [(_bare(e.title), _bare(e.body)) for e in entries] == [
                (_bare(t), _bare(d)) for t, d in items
            ]
            results.setdefault(("feed", variant.group), []).append(ok)
            if not ok:
                misses.append(f"  feed page {number} [{variant.name}]")
    print(f"{len(texts)} real Chinese pages x {len(VARIANTS)} variants")
    for (path, group), oks in sorted(results.items()):
        print(f"{path:4s} {group:9s} right {sum(oks):4d}/{len(oks):4d} = {sum(oks) / len(oks):.1%}")
    for line in misses[: args.show]:
        print(line)


if __name__ == "__main__":
    main()
