"""Labels of the lexicon's slugs as alerts and the bot show them ("PV glass 光伏玻璃").

The slugs and names live in detection/lexicon.toml (read through detection.vocabulary); this
module only shapes them for the bot's menus and messages."""

from __future__ import annotations

from detection import vocabulary

SECTORS: dict[str, str] = {t.slug: t.label for t in vocabulary.sectors()}
ACTIONS: dict[str, str] = {t.slug: t.label for t in vocabulary.actions()}


def sector_label(slug: str) -> str:
    return vocabulary.label(slug, "sector")


def action_label(slug: str) -> str:
    return vocabulary.label(slug, "action")


def actor_label(slug: str) -> str:
    """An actor as people know it ("Muyuan and peer hog farmers 牧原等生猪养殖龙头")."""
    return vocabulary.label(slug, "actor")
