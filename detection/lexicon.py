"""Loads the vocabulary (lexicon.toml) once and compiles it into one fast matcher.

Vocabulary is data so analysts can extend it without touching code; this module only turns
it into `Lexicon`, whose `scan()` returns every term occurrence with its tags.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from detection.normalize import normalize

# Tag kinds: ("sector", slug) ("action", slug) ("pair_a"|"pair_b", "<action>#<i>")
# ("anti", "strong"|"weak") ("actor", slug) ("excl", name) ("domestic", "cn")
# ("intent", "supply")
Tag = tuple[str, str]


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    term: str
    tags: frozenset[Tag]


@dataclass(frozen=True)
class PairRule:
    action: str
    key: str  # "<action>#<i>"


@dataclass
class Lexicon:
    """Compiled vocabulary. Build with `load_lexicon()`; scan normalised text."""

    settings: dict[str, Any]
    actor_kind: dict[str, str]
    actor_sectors: dict[str, tuple[str, ...]]
    exclusion_scope: dict[str, str]
    pairs: list[PairRule]
    tags: dict[str, set[Tag]] = field(default_factory=dict)
    _cjk_re: re.Pattern[str] | None = None
    _latin_re: re.Pattern[str] | None = None
    _frozen: dict[str, frozenset[Tag]] = field(default_factory=dict)  # one tag set per term

    def add(self, term: str, tag: Tag) -> None:
        term = normalize(term)
        if not term:
            return
        forms = _latin_forms(term) if term[0].isascii() else [term]
        for form in forms:
            self.tags.setdefault(form, set()).add(tag)

    def compile(self) -> None:
        latin = [t for t in self.tags if t[0].isascii()]
        cjk = [t for t in self.tags if not t[0].isascii()]
        self._frozen = {t: frozenset(tags) for t, tags in self.tags.items()}
        self._cjk_re = re.compile(_trie_pattern(cjk))
        self._latin_re = re.compile(rf"(?<![a-z0-9])({_trie_pattern(latin)})(?![a-z0-9])")

    def scan(self, text: str) -> list[Match]:
        """All non-overlapping longest matches in `text` (already normalised), by position."""
        out: list[Match] = []
        assert self._cjk_re is not None and self._latin_re is not None
        for m in self._cjk_re.finditer(text):
            term = m.group(0)
            out.append(Match(m.start(), m.end(), term, self._frozen[term]))
        if any(ch.isascii() and ch.isalnum() for ch in text):
            for m in self._latin_re.finditer(text):
                term = m.group(1)
                out.append(Match(m.start(), m.end(), term, self._frozen[term]))
            out.sort(key=lambda x: x.start)
        return out


def _inflect(word: str) -> list[str]:
    """Regular English inflections of one word (cut → cuts, cutting; close → closing)."""
    if not word.isalpha() or len(word) < 3:
        return [word]
    out = [word, word + "s", word + "es", word + "ed", word + "d", word + "ing"]
    if word.endswith("e"):
        out += [word[:-1] + "ing"]
    if word.endswith("y"):
        out += [word[:-1] + "ies", word[:-1] + "ied"]
    if len(word) <= 4 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou":
        out += [word + word[-1] + "ing", word + word[-1] + "ed"]
    return out


def _latin_forms(term: str) -> list[str]:
    """Inflect the first or the last word; accept space and hyphen spellings."""
    words = term.split(" ")
    forms = {term}
    for f in _inflect(words[-1]):
        forms.add(" ".join([*words[:-1], f]))
    if len(words) > 1:
        for f in _inflect(words[0]):
            forms.add(" ".join([f, *words[1:]]))
    for f in list(forms):
        forms.add(f.replace(" ", "-"))
        forms.add(f.replace("-", " "))
    return sorted(forms)


def _trie_pattern(words: list[str]) -> str:
    """Regex alternation shaped as a prefix trie: linear in text length, longest first."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict[str, Any]) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return f"(?:{body})?"
        return body

    return build(trie) or "(?!)"


def _both(entry: dict[str, Any]) -> list[str]:
    return [*entry.get("zh", ()), *entry.get("en", ())]


def build_lexicon(data: dict[str, Any]) -> Lexicon:
    """Turn the parsed TOML into a compiled Lexicon (also used by tests with custom data)."""
    lex = Lexicon(
        settings=dict(data.get("settings", {})),
        actor_kind={},
        actor_sectors={},
        exclusion_scope={},
        pairs=[],
    )
    for slug, entry in data.get("sectors", {}).items():
        for t in _both(entry):
            lex.add(t, ("sector", slug))
    for slug, entry in data.get("actions", {}).items():
        for t in _both(entry):
            lex.add(t, ("action", slug))
        for i, pair in enumerate(entry.get("pairs", ())):
            key = f"{slug}#{i}"
            lex.pairs.append(PairRule(slug, key))
            for t in pair["a"]:
                lex.add(t, ("pair_a", key))
            for t in pair["b"]:
                lex.add(t, ("pair_b", key))
    anti = data.get("anti_involution", {})
    for strength in ("strong", "weak"):
        for t in [*anti.get(f"{strength}_zh", ()), *anti.get(f"{strength}_en", ())]:
            lex.add(t, ("anti", strength))
    for slug, entry in data.get("actors", {}).items():
        lex.actor_kind[slug] = entry.get("kind", "company")
        lex.actor_sectors[slug] = tuple(entry.get("sectors", ()))
        for t in _both(entry):
            lex.add(t, ("actor", slug))
    for t in data.get("domestic", {}).get("terms", ()):
        lex.add(t, ("domestic", "cn"))
    for t in data.get("supply_intent", {}).get("terms", ()):
        lex.add(t, ("intent", "supply"))
    for name, entry in data.get("exclusions", {}).items():
        lex.exclusion_scope[name] = entry.get("scope", "sentence")
        for t in _both(entry):
            lex.add(t, ("excl", name))
    lex.compile()
    return lex


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The packaged lexicon, parsed and compiled once per process."""
    raw = resources.files("detection").joinpath("lexicon.toml").read_bytes()
    return build_lexicon(tomllib.loads(raw.decode("utf-8")))
