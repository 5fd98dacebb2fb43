"""How much of a text is the page's link text: the measure that tells an article body from a
navigation list, a forum's thread index or a "related" block.

readability and trafilatura each miss on some Chinese pages (readability keeps one block of an
article split in several; trafilatura's recall mode keeps a whole forum index). A candidate body
made mostly of the page's anchor texts is such a list, whatever its length; one whose own
(non-link) characters are many more than the other's found article text the other missed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsel import Selector

_SPACE = re.compile(r"[\s|]+")  # trafilatura renders table cells with "|"
MIN_ANCHOR = 4  # characters; shorter anchors ("首页", tag words) also occur in article text


def squash(text: str) -> str:
    """Text without whitespace or table-cell bars: what two extractors' outputs share."""
    return _SPACE.sub("", text)


def anchor_texts(sel: Selector) -> list[str]:
    """The page's distinct link texts (squashed, at least MIN_ANCHOR long), longest first."""
    root = sel.root
    if not hasattr(root, "iter"):  # a text or JSON selector has no element tree
        return []
    found = {squash("".join(a.itertext())) for a in root.iter("a")}
    return sorted((a for a in found if len(a) >= MIN_ANCHOR), key=len, reverse=True)


@dataclass(frozen=True)
class Density:
    own: int  # characters outside link texts
    linked: int  # characters inside link texts

    @property
    def link_share(self) -> float:
        total = self.own + self.linked
        return self.linked / total if total else 0.0


def density(text: str, anchors: list[str]) -> Density:
    """Own and linked characters of `text`: each anchor text found in it counts once (a
    list names each link once; an article may repeat a word that is also a link)."""
    rest = squash(text)
    total = len(rest)
    for anchor in anchors:
        if anchor in rest:
            rest = rest.replace(anchor, "", 1)
    return Density(own=len(rest), linked=total - len(rest))
