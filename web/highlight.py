"""Matched words in <mark>, everything else HTML-escaped: evidence sentences and snippets."""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

from db.search_terms import Snippet, script_variants


def _spans(marks: Iterable[tuple[int, int]], text: str) -> Markup:
    out, pos = [], 0
    for start, end in marks:
        if start < pos:
            continue
        out += [escape(text[pos:start]), Markup("<mark>"), escape(text[start:end])]
        out.append(Markup("</mark>"))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def mark_terms(text: str, terms: Iterable[str]) -> Markup:
    """`text` with every occurrence of a term (any letter case, simplified or traditional)
    marked; longest terms first so 光伏玻璃 wins over 光伏."""
    variants = sorted({v for t in terms if t for v in script_variants(t.lower())}, key=len)
    if not variants:
        return escape(text)
    pattern = re.compile("|".join(re.escape(v) for v in reversed(variants)), re.IGNORECASE)
    return _spans(((m.start(), m.end()) for m in pattern.finditer(text)), text)


def mark_snippet(snippet: Snippet) -> Markup:
    """A search snippet with its hits marked."""
    return _spans(snippet.marks, snippet.text)
