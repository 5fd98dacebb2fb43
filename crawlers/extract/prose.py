"""The page's densest block of prose: a second, independent pick of the article body.

readability scores paragraphs by class names, commas and length and keeps the best one's
parent; on Chinese pages it sometimes keeps one part of an article laid out in several
containers (a heading block, a list of numbered points, the paragraphs), or a caption instead
of the text. This pick scores every element by the text under it: characters of text that
reads as prose (it has sentence punctuation: Chinese text is dense in 。，；) count for it, link
text and unpunctuated text (menus, labels, lists of headlines) count against it. The element
with the highest total is the one holding the most prose with the least furniture (a
maximum-scoring subtree, one walk over the page). generic_body compares it with readability's
body: it completes that body when everything it adds is prose paragraphs, and replaces a body
that holds almost no prose.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree
from lxml.etree import _Element as Element

from crawlers.extract.clean import clean_text, clean_tree
from crawlers.extract.density import squash
from crawlers.extract.text import PAGE_SKIP, element_text

_PUNCT = re.compile(r"[。，；！？、,;!?]")  # a text node with any of these reads as prose
_SENTENCE = re.compile(r"[。，；！？]")  # a line with these is a sentence of Chinese prose ...
_ENDED = re.compile(r"[。！？!?…）)”」』]\s*$")  # ... that ends as one (a teaser is cut off)
UNPUNCTUATED_WEIGHT = 0.5  # an unpunctuated text character counts this much against a block
PROSE_LINE = 20  # characters; a shorter line is a label, caption or headline, not a paragraph
HELD = 0.9  # the block completes readability's body only when it holds this share of it ...
PROSE_SHARE = 0.8  # ... and this share of what it adds is prose lines
DISJOINT = 0.5  # the block holding less of readability's body than this is another pick ...
PROSE_GAIN = 1.5  # ... that replaces it with this many times its prose (and few links)
WORTH = 0.1  # the block is looked for only when the page's prose left out is this share of the body
_SKIP = frozenset(PAGE_SKIP | {"option"})


def _weight(text: str | None, linked: bool) -> float:
    if not text:
        return 0.0
    size = len(text.strip())
    if not size:
        return 0.0
    if linked:
        return -size
    return size if _PUNCT.search(text) else -UNPUNCTUATED_WEIGHT * size


def densest_block(root: Element) -> Element | None:
    """The element under `root` whose text scores highest (None when no element scores above
    zero: a page without prose)."""
    best: list[tuple[float, Element | None]] = [(0.0, None)]

    def score(element: Element, linked: bool) -> float:
        tag = element.tag
        if not isinstance(tag, str) or tag in _SKIP:
            return 0.0
        linked = linked or tag == "a"
        total = _weight(element.text, linked)
        for child in element:
            total += score(child, linked) + _weight(child.tail, linked)
        if total > best[0][0]:
            best[0] = (total, element)
        return total

    score(root, False)
    return best[0][1]


def block_text(element: Element) -> str:
    """Plain text of a block, with the same boilerplate cleaning as readability's body (on a
    copy: the page's tree is read again for the date and author)."""
    wrapper = etree.Element("div")
    wrapper.append(copy.deepcopy(element))
    clean_tree(wrapper)
    return clean_text(element_text([wrapper], PAGE_SKIP))


def prose_chars(lines: Iterable[str]) -> int:
    """Characters in lines that read as prose paragraphs: long enough, with sentence marks,
    ending a sentence (headlines and teasers cut mid-sentence do not), said once (a carousel
    of other articles' summaries repeats its slides)."""
    total = 0
    seen: set[str] = set()
    for line in lines:
        squashed = squash(line)
        if squashed in seen:
            continue
        seen.add(squashed)
        if len(squashed) >= PROSE_LINE and _SENTENCE.search(line) and _ENDED.search(line):
            total += len(squashed)
    return total


def prose_left_out(page_text: str, body: str) -> int:
    """Characters of the page's prose lines that a body does not hold: without any, the
    densest block cannot add to the body (generic_body then skips the walk)."""
    kept = squash(body)
    total = 0
    for line in page_text.split("\n"):
        if len(line) >= PROSE_LINE and _SENTENCE.search(line) and _ENDED.search(line):
            squashed = squash(line)
            if len(squashed) >= PROSE_LINE and squashed not in kept:
                total += len(squashed)
    return total


@dataclass(frozen=True)
class Comparison:
    """How the densest block's text relates to readability's body (squashed characters)."""

    body: int  # readability's body
    held: int  # the block's lines found in readability's body
    added: int  # the block's lines not in it
    added_prose: int  # ... of those, prose lines
    body_prose: int  # readability's body's prose lines
    block_prose: int  # the block's prose lines

    @property
    def completes(self) -> bool:
        """The block holds readability's body and adds only prose paragraphs to it."""
        return (
            self.body > 0
            and self.added > 0
            and self.held >= HELD * self.body
            and self.added_prose >= PROSE_SHARE * self.added
        )

    @property
    def replaces(self) -> bool:
        """The block is another part of the page with much more prose than readability's."""
        return self.held < DISJOINT * self.body or self.body == 0


def compare(body: str, block: str) -> Comparison:
    kept = squash(body)
    lines = [line for line in block.split("\n") if squash(line)]
    held_lines = [line for line in lines if squash(line) in kept]
    added_lines = [line for line in lines if squash(line) not in kept]
    return Comparison(
        body=len(kept),
        held=sum(len(squash(line)) for line in held_lines),
        added=sum(len(squash(line)) for line in added_lines),
        added_prose=prose_chars(added_lines),
        body_prose=prose_chars(body.split("\n")),
        block_prose=prose_chars(lines),
    )


def more_prose(comparison: Comparison) -> bool:
    return comparison.block_prose >= PROSE_GAIN * max(comparison.body_prose, 1)
