"""Display names for the console's lists and menus: sectors, actions and actors from the
lexicon's vocabulary (Chinese and English), source tiers from the source model."""

from __future__ import annotations

from detection import vocabulary

TIERS = {
    "official": "Official 官方",
    "association": "Association 协会",
    "wire": "Wire 快讯",
    "media": "Media 媒体",
}


def sector_label(slug: str) -> str:
    return vocabulary.label(slug, "sector")


def action_label(slug: str) -> str:
    return vocabulary.label(slug, "action")


def actor_label(slug: str) -> str:
    return vocabulary.label(slug, "actor")


def tier_label(slug: str) -> str:
    return TIERS.get(slug, slug)


def sector_choices() -> list[tuple[str, str]]:
    return [(t.slug, t.label) for t in vocabulary.sectors()]


def action_choices() -> list[tuple[str, str]]:
    return [(t.slug, t.label) for t in vocabulary.actions()]


def tier_choices() -> list[tuple[str, str]]:
    return list(TIERS.items())
