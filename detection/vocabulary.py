"""The names people read for the lexicon's slugs (sectors, actions, actors), in Chinese and
English. Slugs and names live once, in lexicon.toml; alerts, the bot, the CLI and the web
console all ask here, so a sector added to the lexicon shows everywhere with its name."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

Lang = Literal["zh", "en"]
Kind = Literal["sector", "action", "actor"]
_TABLES: dict[Kind, str] = {"sector": "sectors", "action": "actions", "actor": "actors"}


@dataclass(frozen=True)
class Term:
    """One slug of the vocabulary with its display names."""

    slug: str
    kind: Kind
    zh: str
    en: str

    def name(self, lang: Lang = "en") -> str:
        return self.zh if lang == "zh" else self.en

    @property
    def label(self) -> str:
        """Both names, English first ("PV glass 光伏玻璃"), as alerts show them."""
        return self.en if self.zh == self.en else f"{self.en} {self.zh}"


@dataclass(frozen=True)
class Vocabulary:
    sectors: tuple[Term, ...]
    actions: tuple[Term, ...]
    actors: tuple[Term, ...]

    def of(self, kind: Kind) -> tuple[Term, ...]:
        return {"sector": self.sectors, "action": self.actions, "actor": self.actors}[kind]


def build_vocabulary(data: dict[str, Any]) -> Vocabulary:
    """Read the names from parsed lexicon TOML; an entry without one shows its slug."""
    found: dict[Kind, tuple[Term, ...]] = {}
    for kind, table in _TABLES.items():
        terms = []
        for slug, entry in data.get(table, {}).items():
            name = entry.get("name", {}) if isinstance(entry, dict) else {}
            en = str(name.get("en") or slug)
            terms.append(Term(slug, kind, str(name.get("zh") or en), en))
        found[kind] = tuple(terms)
    return Vocabulary(found["sector"], found["action"], found["actor"])


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The packaged lexicon's vocabulary, read once per process."""
    raw = resources.files("detection").joinpath("lexicon.toml").read_bytes()
    return build_vocabulary(tomllib.loads(raw.decode("utf-8")))


@lru_cache(maxsize=1)
def _by_slug() -> dict[tuple[Kind, str], Term]:
    voc = vocabulary()
    return {(t.kind, t.slug): t for t in (*voc.sectors, *voc.actions, *voc.actors)}


def sectors() -> tuple[Term, ...]:
    """Every sector, in the lexicon's order (which is the order menus show)."""
    return vocabulary().sectors


def actions() -> tuple[Term, ...]:
    return vocabulary().actions


def actors() -> tuple[Term, ...]:
    return vocabulary().actors


def term(slug: str, kind: Kind | None = None) -> Term | None:
    """The term of a slug (of `kind`, or of any kind: sectors first, then actions, actors)."""
    kinds: tuple[Kind, ...] = (kind,) if kind else ("sector", "action", "actor")
    for k in kinds:
        found = _by_slug().get((k, slug))
        if found is not None:
            return found
    return None


def display(slug: str, lang: Lang = "en", kind: Kind | None = None) -> str:
    """The name of a slug in one language; an unknown slug shows as itself."""
    found = term(slug, kind)
    return found.name(lang) if found else slug


def label(slug: str, kind: Kind | None = None) -> str:
    """Both names of a slug ("Production cut 减产"); an unknown slug shows as itself."""
    found = term(slug, kind)
    return found.label if found else slug


def resolve(word: str, kind: Kind) -> str | None:
    """The slug a person means by `word`: the slug, either name, or one word of a name
    ("steel", "钢铁", "光伏"); where a word is in several names the lexicon's first wins."""
    typed = word.strip().lower()
    if not typed:
        return None
    terms = vocabulary().of(kind)
    for t in terms:
        if typed in (t.slug, t.zh.lower(), t.en.lower(), t.label.lower()):
            return t.slug
    for t in terms:
        if typed in t.label.lower().replace("&", " ").replace("/", " ").split():
            return t.slug
    return None


def sector_label(slug: str) -> str:
    return label(slug, "sector")


def action_label(slug: str) -> str:
    return label(slug, "action")


def actor_label(slug: str) -> str:
    """An actor as people know it ("Muyuan and peer hog farmers 牧原等生猪养殖龙头")."""
    return label(slug, "actor")
