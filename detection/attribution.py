"""Which sectors an action is about, as opposed to the sectors its sentence merely names.

"受焦煤价格上涨影响，唐山钢厂集体减产" cuts steel, not coal; "碳酸锂冶炼企业减产" cuts lithium
output even though 冶炼 names smelting; "严控钢铁、电解铝、水泥新增产能" acts on all three.
An action is about the sector named nearest to it in its sentence, together with the sectors
listed with that one ("A、B和C"); every other sector in reach is only mentioned. Event keys and
subscriptions use the sectors acted on; the mentioned ones are kept for the reader.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from detection.lexicon import Lexicon, Match
from detection.rules import Hit, Sentence, sectors_of

# What may stand between two sectors of one list: separators, "and/or", and the generic head
# nouns that follow a sector ("钢铁行业、水泥行业", "steel and cement makers").
_LIST_GAP = re.compile(
    r"(?:\s|、|,|，|/|&|和|及|与|或|以及|跟|and|or|as well as|行业|企业|产业|等|the|makers?|"
    r"producers?|industr(?:y|ies)|sectors?)*"
)
_JOINER = re.compile(r"、|,|，|/|&|和|及|与|或|\band\b|\bor\b|as well as")
MAX_LIST_GAP = 24


def _distance(m: Match, pos: int) -> int:
    if m.start <= pos < m.end:
        return 0
    return pos - m.end + 1 if m.end <= pos else m.start - pos


def _listed(text: str, left: Match, right: Match) -> bool:
    """Whether two sector mentions are items of one list."""
    gap = text[left.end : right.start]
    return (
        len(gap) <= MAX_LIST_GAP
        and _LIST_GAP.fullmatch(gap) is not None
        and _JOINER.search(gap) is not None
    )


def acted_sectors(
    hit: Hit, sentence: Sentence, matches: Sequence[Match], text: str, lex: Lexicon, window: int
) -> tuple[str, ...]:
    """The sectors `hit` acts on. Without a sector in its own sentence the action is about
    the sector named last before it, within `window` characters (the subject a previous
    sentence introduced); a sector only named after it ("…业内人士称，外卖平台…") is not."""
    anchors = sorted(
        (m for m in matches if sentence.start <= m.start < sentence.end and sectors_of(m, lex)),
        key=lambda m: m.start,
    )
    if not anchors:
        before = [
            m
            for m in matches
            if m.end <= sentence.start and hit.pos - m.start <= window and sectors_of(m, lex)
        ]
        return tuple(sectors_of(before[-1], lex)) if before else ()
    nearest = min(range(len(anchors)), key=lambda i: (_distance(anchors[i], hit.pos), i))
    chosen = [anchors[nearest]]
    for step in (-1, 1):  # walk the list the nearest sector belongs to, both ways
        i = nearest
        while 0 <= i + step < len(anchors):
            left, right = sorted((anchors[i], anchors[i + step]), key=lambda m: m.start)
            if not _listed(text, left, right):
                break
            i += step
            chosen.append(anchors[i])
    out: list[str] = []
    for m in sorted(chosen, key=lambda m: m.start):
        for s in sectors_of(m, lex):
            if s not in out:
                out.append(s)
    return tuple(out)
