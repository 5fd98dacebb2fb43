"""Sentence-level predicates: which action occurrences count, and what anchors them.

An action word counts only when a sector, an anti-involution term or a named actor stands
near it (within `window` characters); policy words also need an issuing body in the same
sentence; sentence-scope exclusions (weather, social 内卷, disruption, maintenance, producers
abroad) silence the sentence unless the campaign itself (反内卷…) is named there; topic-scope ones
(finance, antitrust) silence a sentence that names neither a sector nor a competition-discipline
word (the campaign, 无序竞争, price war…).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from detection.lexicon import Lexicon, Match

_SPLIT = re.compile(r"[。!?;\n】【]+|(?<=[a-z0-9)\"”'][.])\s+")
_NEGATED_ACTION = re.compile(
    r"(?:暂无|没有|并无|无意|不会|并未|未有|否认|辟谣|no plans? to|not|denied|deny)\s?\S{0,4}$"
)
# "严控电解铝、氧化铝新增产能": the negator may stand a few sector nouns before the term.
_NEGATED_EXPANSION = re.compile(
    r"(?:严控|控制|限制|禁止|严禁|防止|遏制|不得|严查|杜绝|盲目|无序|抑制|不再|暂停)"
    r"[^。;,!?]{0,10}$"
)

POLICY = "policy_guideline"
ISSUER_KINDS = ("ministry", "association", "generic")


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str


@dataclass
class Hit:
    """One counted action occurrence with the sectors anchoring it."""

    action: str
    pos: int
    sentence: int
    kind: str  # "term" | "pair" | "policy" | "issuer" | "implied"
    terms: tuple[str, ...]
    sectors: tuple[str, ...] = ()


def split_sentences(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    bounds = [(m.start(), m.end()) for m in _SPLIT.finditer(text)] + [(len(text), len(text))]
    start = 0
    for end, nxt in bounds:
        piece = text[start:end].strip()
        if piece:
            out.append(Sentence(len(out), start, end, piece))
        start = nxt
    return out


def group_by_sentence(sentences: list[Sentence], matches: list[Match]) -> list[list[Match]]:
    starts = [s.start for s in sentences]
    groups: list[list[Match]] = [[] for _ in sentences]
    for m in matches:
        i = bisect.bisect_right(starts, m.start) - 1
        if i >= 0 and m.start < sentences[i].end:
            groups[i].append(m)
    return groups


@lru_cache(maxsize=8192)
def _tag_values(tags: frozenset[tuple[str, str]], kind: str) -> tuple[str, ...]:
    """Tag sets are shared per term (Lexicon.scan), so this cache turns the per-match scans
    of the hot path into dictionary look-ups."""
    return tuple(v for k, v in tags if k == kind)


def _kinds(m: Match, kind: str) -> tuple[str, ...]:
    return _tag_values(m.tags, kind)


def sectors_of(m: Match, lex: Lexicon) -> list[str]:
    out = list(_kinds(m, "sector"))
    for actor in _kinds(m, "actor"):
        out.extend(lex.actor_sectors.get(actor, ()))
    return out


def is_anchor(m: Match, lex: Lexicon) -> bool:
    if sectors_of(m, lex) or _kinds(m, "anti"):
        return True
    return any(lex.actor_kind.get(a) not in (None, "generic") for a in _kinds(m, "actor"))


def expansion_count(matches: list[Match], text: str) -> int:
    """Capacity-expansion words, ignoring negated ones ("严控新增产能", "防止盲目扩张")."""
    n = 0
    for m in matches:
        if ("excl", "expansion") in m.tags and not _NEGATED_EXPANSION.search(
            text[max(0, m.start - 10) : m.start]
        ):
            n += 1
    return n


def sentence_exclusions(ms: list[Match], lex: Lexicon) -> set[str]:
    out = {v for m in ms for v in _kinds(m, "excl") if lex.exclusion_scope.get(v) == "sentence"}
    if "foreign" in out and any(_kinds(m, "domestic") for m in ms):
        out.discard("foreign")  # "全球…中国" is about China after all
    if "disruption" in out and any(_kinds(m, "intent") for m in ms):
        out.discard("disruption")  # "停机检修…意在控制产量": maintenance as supply control
    return out


def lifts(ms: list[Match]) -> frozenset[str]:
    """Exclusions a lead sentence lifts for its headline (stated supply-control intent)."""
    return frozenset({"disruption"}) if any(_kinds(m, "intent") for m in ms) else frozenset()


def topic_exclusions(ms: list[Match], lex: Lexicon) -> set[str]:
    """Other policy families (finance, antitrust) that borrow the campaign's words."""
    return {v for m in ms for v in _kinds(m, "excl") if lex.exclusion_scope.get(v) == "topic"}


def sentence_hits(
    sent: Sentence,
    ms: list[Match],
    lex: Lexicon,
    pair_window: int,
    extra_excl: frozenset[str] = frozenset(),
    lead_body: bool = False,
    lifted: frozenset[str] = frozenset(),
) -> tuple[list[Hit], bool]:
    """Action candidates of one sentence (before anchoring) and whether it names 反内卷.
    `extra_excl`: exclusions from context (a headline takes them from the lead)."""
    strong = any(("anti", "strong") in m.tags for m in ms)
    excl = (sentence_exclusions(ms, lex) | extra_excl) - lifted
    has_sector = any(sectors_of(m, lex) for m in ms)
    if excl and not strong:
        return [], False
    if "social" in excl and not has_sector:
        return [], False
    if topic_exclusions(ms, lex) and not has_sector and not any(_kinds(m, "anti") for m in ms):
        # Finance and antitrust notices count only when they act against disorderly or
        # involution-style competition (LABELING.md: a regulator's campaign action, sector other).
        return [], False
    # Directives come from an issuing body; a company's "plan" or "pledge" is not one.
    has_body = lead_body or any(_is_body(m, lex, ISSUER_KINDS) for m in ms)
    hits: list[Hit] = []
    for m in ms:
        if _NEGATED_ACTION.search(sent_prefix(sent, m)):
            continue
        for action in _kinds(m, "action"):
            if action == POLICY:
                if has_body:
                    hits.append(Hit(action, m.start, sent.index, "policy", (m.term,)))
            else:
                hits.append(Hit(action, m.start, sent.index, "term", (m.term,)))
    pair_a: dict[str, list[Match]] = {}
    pair_b: dict[str, list[Match]] = {}
    for m in ms:
        for key in _kinds(m, "pair_a"):
            pair_a.setdefault(key, []).append(m)
        for key in _kinds(m, "pair_b"):
            pair_b.setdefault(key, []).append(m)
    for rule in lex.pairs if pair_a and pair_b else ():
        a_ms = pair_a.get(rule.key, [])
        b_ms = pair_b.get(rule.key, []) if a_ms else []
        for a in a_ms:
            b = next(
                (b for b in b_ms if abs(b.start - a.start) <= pair_window and b is not a), None
            )
            if b is not None:
                terms = (a.term, b.term) if a.start < b.start else (b.term, a.term)
                hits.append(Hit(rule.action, min(a.start, b.start), sent.index, "pair", terms))
                break
    issuer = next((m for m in ms if _is_body(m, lex, ("ministry", "association"))), None)
    if issuer is not None and any(h.kind in ("term", "pair") for h in hits):
        # "发改委：今年将压减粗钢产量", "国家能源局启动超产核查": a named body orders it.
        hits.append(Hit(POLICY, issuer.start, sent.index, "issuer", (issuer.term,)))
    if strong and (has_sector or any(_kinds(m, "actor") for m in ms)):
        m = next(m for m in ms if ("anti", "strong") in m.tags)
        hits.append(Hit(POLICY, m.start, sent.index, "implied", (m.term,)))
    return hits, strong


def _is_body(m: Match, lex: Lexicon, kinds: tuple[str, ...]) -> bool:
    return any(lex.actor_kind.get(a) in kinds for a in _kinds(m, "actor"))


def lead_has_body(groups: list[list[Match]], lex: Lexicon, n: int = 2) -> bool:
    """An issuing body in the first sentences lets a headline's "通知"/"方案发布" count."""
    return any(_is_body(m, lex, ISSUER_KINDS) for ms in groups[:n] for m in ms)


def sent_prefix(sent: Sentence, m: Match, width: int = 8) -> str:
    """Up to `width` characters of the sentence before a match (negation check)."""
    lo = max(m.start - width, sent.start)
    return sent.text[lo - sent.start : m.start - sent.start] if m.start >= sent.start else ""


def anchor(
    hits: list[Hit], anchors: list[Match], sentences: list[Sentence], lex: Lexicon, window: int
) -> list[Hit]:
    """Keep hits with an anchor in the same sentence or within `window` characters, and
    record the sectors found there."""
    positions = [m.start for m in anchors]
    kept: list[Hit] = []
    for h in hits:
        sent = sentences[h.sentence]
        lo = bisect.bisect_left(positions, min(h.pos - window, sent.start))
        hi = bisect.bisect_right(positions, max(h.pos + window, sent.end))
        near = anchors[lo:hi]
        if not near:
            continue
        secs: list[str] = []
        for m in near:
            for s in sectors_of(m, lex):
                if s not in secs:
                    secs.append(s)
        h.sectors = tuple(secs)
        kept.append(h)
    return kept
