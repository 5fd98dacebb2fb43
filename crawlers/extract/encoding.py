"""Decode Chinese pages right: GBK-family labels as GB18030, and distrust wrong labels.

Scrapy trusts the HTTP header before the page's <meta charset>; cs.com.cn and coalchina
send GBK pages with headers that disagree, and some pages labelled gb2312 are really UTF-8.
The rule here: try the declared charsets (BOM, meta, header) strictly; bytes that are valid
UTF-8 and contain non-ASCII win over a GBK-family label (real GBK text is practically never
valid UTF-8); if nothing declared decodes cleanly, detect.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

GBK_FAMILY = {
    "gb2312",
    "gbk",
    "gb18030",
    "gb_2312-80",
    "x-gbk",
    "cp936",
    "ms936",
    "euc-cn",
    "csgb2312",
    "chinese",
    "iso-ir-58",
    "hz-gb-2312",
    "gb_2312",
    "windows-936",
}
_META = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_\-.]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec used
    declared: str | None  # what the page or server said, as written
    note: str  # how the choice was made (shown by `capwatch sources check`)


def normalize_label(label: str | None) -> str | None:
    """A Python codec name for a charset label; every GBK-family label becomes gb18030."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in GBK_FAMILY or label.startswith("gb"):
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charsets(body: bytes, header_charset: str | None = None) -> list[str]:
    """Labels found, strongest first: BOM, the page's own meta/XML declaration, the header."""
    found: list[str] = []
    for bom, name in _BOMS:
        if body.startswith(bom):
            found.append(name)
    head = body[:4096]
    match = _XML_DECL.match(head) or _META.search(head)
    if match:
        found.append(match.group(1).decode("ascii", "ignore"))
    if header_charset:
        found.append(header_charset)
    return found


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(
    body: bytes, header_charset: str | None = None, forced: str | None = None
) -> Decoded:
    """The page text and how it was decoded (`forced` is a source's `encoding` setting)."""
    if forced:
        codec = normalize_label(forced) or "utf-8"
        return Decoded(
            body.decode(codec, "replace"), codec, forced, f"forced by the source: {forced}"
        )
    labels = declared_charsets(body, header_charset)
    declared = labels[0] if labels else None
    as_utf8 = _strict(body, "utf-8")
    has_non_ascii = not body.isascii()
    for label in labels:
        codec = normalize_label(label)
        if codec is None:
            continue
        if codec == "gb18030" and as_utf8 is not None and has_non_ascii:
            return Decoded(as_utf8, "utf-8", label, f"declared {label} but the bytes are UTF-8")
        text = as_utf8 if codec == "utf-8" else _strict(body, codec)  # decoded once already
        if text is not None:
            body_text = text[1:] if text.startswith("\ufeff") else text
            note = f"declared {label}" + (
                f" (decoded as {codec})" if codec != label.lower() else ""
            )
            return Decoded(body_text, codec, label, note)
    if as_utf8 is not None:
        note = (
            "no usable declaration; valid UTF-8"
            if not labels
            else (f"declared {declared} does not decode; the bytes are UTF-8")
        )
        return Decoded(as_utf8, "utf-8", declared, note)
    gb = _strict(body, "gb18030")
    if gb is not None:
        return Decoded(
            gb, "gb18030", declared, f"declared {declared or 'nothing'}; bytes are GB18030"
        )
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    codec = normalize_label(best.encoding) if best is not None else "utf-8"
    return Decoded(
        body.decode(codec or "utf-8", "replace"),
        codec or "utf-8",
        declared,
        f"declared {declared or 'nothing'}; detected {codec}",
    )
