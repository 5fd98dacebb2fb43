"""Query words and snippets for archive search: pure text functions, no SQL.

A query is split into words (AND-ed); "double quotes" keep a phrase with spaces together.
Each word is matched as a case-insensitive substring in any of its script variants: stored
text is kept as crawled, so a simplified query also looks for its traditional spelling and
the other way round (OpenCC t2s / s2t / s2tw / s2hk).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_WORD = re.compile(r'"([^"]+)"|“([^”]+)”|(\S+)')
_OPENCC_CONFIGS = ("t2s", "s2t", "s2tw", "s2hk")
SNIPPET_CHARS = 120  # characters around the first hit (about 2 lines in a terminal)


@dataclass(frozen=True)
class Term:
    """One query word: what the user typed (normalised) and every spelling matched."""

    text: str
    variants: tuple[str, ...]


@lru_cache(maxsize=len(_OPENCC_CONFIGS))
def _converter(config: str) -> Any:  # opencc ships no types
    import opencc

    return opencc.OpenCC(config)


def script_variants(word: str) -> tuple[str, ...]:
    """The word plus its simplified and traditional spellings, lower-cased, no duplicates."""
    found = [word]
    if not word.isascii():
        found += [_converter(c).convert(word) for c in _OPENCC_CONFIGS]
    return tuple(dict.fromkeys(v.lower() for v in found if v))


def normalize_query(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII) and collapsed whitespace."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def parse_terms(text: str) -> list[Term]:
    """Words AND-ed together; quoted phrases stay one word; repeated words count once."""
    terms: dict[str, Term] = {}
    for match in _WORD.finditer(normalize_query(text)):
        word = " ".join((match.group(1) or match.group(2) or match.group(3)).split()).lower()
        if word and word not in terms:
            terms[word] = Term(word, script_variants(word))
    return list(terms.values())


def like_pattern(word: str) -> str:
    """'%word%' for LIKE, with the wildcard characters in the word escaped."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def uses_grams(word: str) -> bool:
    """1-2 character words have no trigram: they go to the gram index instead."""
    return len(word) <= 2


@dataclass(frozen=True)
class Snippet:
    """A window of the article text; `marks` are (start, end) offsets of the query hits."""

    text: str
    marks: tuple[tuple[int, int], ...] = ()

    def _render(self, escape: Callable[[str], str], open_mark: str, close_mark: str) -> str:
        out, pos = [], 0
        for start, end in self.marks:
            out += [escape(self.text[pos:start]), open_mark, escape(self.text[start:end])]
            out.append(close_mark)
            pos = end
        out.append(escape(self.text[pos:]))
        return "".join(out)

    def marked(self, open_mark: str = "«", close_mark: str = "»") -> str:
        """Plain text with each hit between the marks (terminals, CSV)."""
        return self._render(lambda s: s, open_mark, close_mark)

    def html(self) -> str:
        """HTML-escaped text with each hit in <b>…</b> (Telegram, web)."""
        return self._render(lambda s: html.escape(s, quote=False), "<b>", "</b>")


def _hit_pattern(terms: list[Term]) -> re.Pattern[str] | None:
    variants = sorted({v for t in terms for v in t.variants}, key=len, reverse=True)
    if not variants:
        return None
    return re.compile("|".join(re.escape(v) for v in variants), re.IGNORECASE)


def make_snippet(title: str, body: str, terms: list[Term], width: int = SNIPPET_CHARS) -> Snippet:
    """A window of the body centred on its first hit (the title's hit when the body has none)."""
    body = " ".join(body.split())
    pattern = _hit_pattern(terms)
    first = pattern.search(body) if pattern else None
    if first is None:
        if (pattern and pattern.search(title)) or not body:
            text = " ".join(title.split())
            return Snippet(text, _marks(pattern, text))
        start = 0
    else:  # the hit in the middle of the window
        middle = (first.start() + first.end()) // 2
        start = max(0, middle - width // 2)
    end = min(len(body), start + width)
    start = max(0, min(start, end - width))
    text = ("…" if start > 0 else "") + body[start:end] + ("…" if end < len(body) else "")
    return Snippet(text, _marks(pattern, text))


def _marks(pattern: re.Pattern[str] | None, text: str) -> tuple[tuple[int, int], ...]:
    if pattern is None:
        return ()
    return tuple((m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start())
