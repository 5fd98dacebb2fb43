"""Decode Chinese pages, feeds and API answers right: GBK-family labels as GB18030, and distrust
wrong labels.

Servers and pages lie about charsets in a few common ways: an `iso-8859-1` HTTP header (a
server default) on UTF-8 or GBK pages, a `gb2312` label on UTF-8 or Big5 bytes, no label at all.
The rules, the same for HTML, XML and JSON:
- a BOM wins; bytes that are valid UTF-8 and contain non-ASCII are UTF-8 whatever the label
  says (real GBK, Big5 or Latin-1 text is practically never valid UTF-8);
- every GBK-family label (gb2312, gbk, cp936, …) is read as GB18030, its superset;
- a strict GB18030 decode accepts Big5 bytes, so when both decode, the more plausible text
  wins: the share of its characters that are the common hanzi of that charset (GB2312 level 1
  for GB18030, Big5 level 1 for Big5), so garbled text (rare hanzi, kana, box drawing) loses;
- single-byte labels (`iso-8859-1`, `windows-1252`, `ascii`) are weak: plausible Chinese text
  in GB18030 or Big5 beats them;
- otherwise the page's own declaration (meta / XML declaration), then the header; failing
  all, charset-normalizer detects.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from scrapy.http import Response

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
BIG5_FAMILY = {"big5", "big5-hkscs", "big5hkscs", "cn-big5", "csbig5", "x-x-big5", "cp950"}
# Labels servers send by default whatever the bytes are: never trusted over plausible Chinese.
WEAK_CODECS = {"latin_1", "iso8859-1", "cp1252", "ascii"}
_META = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_\-.]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_XML_DECL_TEXT = re.compile(r"""^\s*<\?xml[^>]*?\?>""")
_ENCODING_ATTR = re.compile(r"""encoding\s*=\s*["'][^"']*["']""")
PLAUSIBLE = 0.8  # share of common hanzi above which a CJK reading beats a weak label
Kind = Literal["html", "xml", "json"]


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec used
    declared: str | None  # what the page or server said, as written
    note: str  # how the choice was made (shown by `capwatch sources check`)


def normalize_label(label: str | None) -> str | None:
    """A Python codec name for a charset label; every GBK-family label becomes gb18030 and
    every Big5-family label big5hkscs (a superset of big5)."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in GBK_FAMILY or label.startswith("gb"):
        return "gb18030"
    if label in BIG5_FAMILY:
        return "big5hkscs"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def header_charset(content_type: str | bytes | None) -> str | None:
    """The charset parameter of a Content-Type header, as written."""
    if not content_type:
        return None
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def declared_charsets(
    body: bytes, header_charset: str | None = None, kind: Kind = "html"
) -> list[str]:
    """Labels found, strongest first: BOM, the document's own declaration, the header."""
    found: list[str] = []
    for bom, name in _BOMS:
        if body.startswith(bom):
            found.append(name)
    if kind != "json":
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


def _common_hanzi(codec: str, leads: range, trails: list[int]) -> frozenset[str]:
    found: set[str] = set()
    for lead in leads:
        for trail in trails:
            try:
                found.add(bytes((lead, trail)).decode(codec))
            except UnicodeDecodeError:
                continue
    return frozenset(found)


@cache
def _common_sets() -> dict[str, frozenset[str]]:
    """The most used hanzi of each charset, as the charsets' own tables order them:
    GB2312 level 1 (3,755 simplified) and Big5 level 1 (5,401 traditional)."""
    big5_trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
    return {
        "gb18030": _common_hanzi("gb2312", range(0xB0, 0xD8), list(range(0xA1, 0xFF))),
        "big5hkscs": _common_hanzi("big5", range(0xA4, 0xC7), big5_trails),
    }


def _neutral(char: str) -> bool:
    return (
        char.isascii()
        or "\u3000" <= char <= "\u303f"  # CJK punctuation
        or "\uff00" <= char <= "\uffef"  # full-width forms
        or "\u2000" <= char <= "\u206f"  # general punctuation
        or char == "\u00b7"
    )


def plausibility(text: str, codec: str) -> float | None:
    """Share of the text's non-ASCII, non-punctuation characters that are common hanzi of
    `codec` (gb18030 or big5hkscs); None when the text has too few to judge."""
    common = _common_sets()[codec]
    sample = text if len(text) <= 200_000 else text[:200_000]
    chars = [c for c in sample if not _neutral(c)]
    if len(chars) < 4:
        return None
    return sum(c in common for c in chars) / len(chars)


def _cjk_readings(body: bytes) -> list[tuple[float, str, str]]:
    """(plausibility, codec, text) of the strict GB18030 and Big5 decodes, best first."""
    readings = []
    for codec in ("gb18030", "big5hkscs"):
        text = _strict(body, codec)
        if text is None:
            continue
        score = plausibility(text, codec)
        if score is not None:
            readings.append((score, codec, text))
    return sorted(readings, key=lambda r: r[0], reverse=True)


def _nearly_decoding(body: bytes, labels: list[str]) -> tuple[str, str, int] | None:
    """A page with a few broken bytes (a truncated character, a bad copy): the codec that
    decodes all but a handful, among UTF-8, the declared CJK labels, GB18030 and Big5."""
    non_ascii = sum(1 for byte in body if byte > 0x7F)
    allowed = max(3, non_ascii // 200)
    codecs_tried = ["utf-8", *(normalize_label(label) for label in labels), "gb18030", "big5hkscs"]
    best: tuple[float, str, str, int] | None = None
    for codec in dict.fromkeys(c for c in codecs_tried if c and c not in WEAK_CODECS):
        text = body.decode(codec, "replace")
        bad = text.count("\ufffd")
        if bad > allowed:
            continue
        if codec == "utf-8":  # random bytes practically never look like UTF-8
            return codec, text, bad
        score = plausibility(text, codec) or 0.0
        if best is None or score > best[0]:
            best = (score, codec, text, bad)
    return (best[1], best[2], best[3]) if best is not None else None


def _name(codec: str) -> str:
    return {"gb18030": "GB18030", "big5hkscs": "Big5", "utf-8": "UTF-8"}.get(codec, codec)


def decode_bytes(
    body: bytes,
    header_charset: str | None = None,
    forced: str | None = None,
    kind: Kind = "html",
) -> Decoded:
    """The document's text and how it was decoded (`forced` is a source's `encoding`)."""
    if forced:
        chosen = normalize_label(forced) or "utf-8"
        text = body.decode(chosen, "replace")
        return Decoded(text, chosen, forced, f"forced by the source: {forced}")
    labels = declared_charsets(body, header_charset, kind)
    declared = labels[0] if labels else None
    for bom, name in _BOMS:
        if body.startswith(bom):
            text = body.decode(name, "replace")
            return Decoded(text.lstrip("\ufeff"), name, name, "byte order mark")
    as_utf8 = _strict(body, "utf-8")
    if as_utf8 is not None and not body.isascii():
        codec_labels = [normalize_label(label) for label in labels]
        if labels and "utf-8" not in codec_labels:
            note = f"declared {declared} but the bytes are UTF-8"
        else:
            note = f"declared {declared}" if labels else "no declaration; valid UTF-8"
        return Decoded(as_utf8, "utf-8", declared, note)
    if body.isascii():
        return Decoded(body.decode("ascii"), "utf-8", declared, "ASCII only")
    readings: list[tuple[float, str, str]] | None = None
    for label in labels:
        codec = normalize_label(label)
        if codec is None or codec in WEAK_CODECS or codec == "utf-8":
            continue
        declared_text = _strict(body, codec)
        if declared_text is None:
            continue
        if codec in ("gb18030", "big5hkscs"):
            readings = _cjk_readings(body) if readings is None else readings
            mine = next((r[0] for r in readings if r[1] == codec), None)
            best = readings[0] if readings else None
            if best is not None and best[1] != codec and best[0] - (mine or 0.0) >= 0.2:
                note = f"declared {label} but the bytes are {_name(best[1])}"
                return Decoded(best[2], best[1], declared, note)
        note = f"declared {label}" + (f" (decoded as {codec})" if codec != label.lower() else "")
        return Decoded(declared_text, codec, declared, note)
    readings = _cjk_readings(body) if readings is None else readings
    if readings and readings[0][0] >= PLAUSIBLE:
        _, best_codec, best_text = readings[0]
        said = f"declared {declared}" if labels else "no usable declaration"
        note = f"{said}; the bytes are {_name(best_codec)}"
        return Decoded(best_text, best_codec, declared, note)
    for label in labels:
        weak = normalize_label(label)
        if weak in WEAK_CODECS and (weak_text := _strict(body, weak)) is not None:
            return Decoded(weak_text, weak, declared, f"declared {label}")
    damaged = _nearly_decoding(body, labels)
    if damaged is not None:
        codec, text, bad = damaged
        note = f"declared {declared or 'nothing'}; {_name(codec)} with {bad} undecodable bytes"
        return Decoded(text, codec, declared, note)
    from charset_normalizer import from_bytes

    best_match = from_bytes(body).best()
    detected = (normalize_label(best_match.encoding) if best_match is not None else None) or "utf-8"
    note = f"declared {declared or 'nothing'}; detected {detected}"
    return Decoded(body.decode(detected, "replace"), detected, declared, note)


def decode_html(
    body: bytes, header_charset: str | None = None, forced: str | None = None
) -> Decoded:
    """An HTML page's text (see `decode_bytes`)."""
    return decode_bytes(body, header_charset, forced, "html")


def response_text(response: Response, kind: Kind = "html") -> str:
    """A Scrapy response's text by these rules (Scrapy's own reading trusts the header and
    reads gb2312 as GBK, not GB18030)."""
    header = header_charset(response.headers.get(b"Content-Type"))
    return decode_bytes(response.body, header, None, kind).text


def as_utf8_xml(text: str) -> bytes:
    """Decoded XML as UTF-8 bytes whose declaration says so (for parsers that want bytes)."""
    match = _XML_DECL_TEXT.match(text)
    if match:
        decl = match.group(0)
        if _ENCODING_ATTR.search(decl):
            fixed = _ENCODING_ATTR.sub('encoding="utf-8"', decl)
        else:
            fixed = decl.replace("?>", ' encoding="utf-8"?>')
        text = fixed + text[match.end() :]
    return text.encode("utf-8")
