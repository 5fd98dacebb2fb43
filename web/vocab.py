"""Display names for the console's lists and menus: sectors, actions and actors from the
lexicon's vocabulary (Chinese and English), source tiers from the source model."""

from __future__ import annotations

from detection import vocabulary
from detection.vocabulary import action_label, actor_label, sector_label

__all__ = [
    "action_choices", "action_label", "actor_label", "sector_choices", "sector_label",
    "tier_choices", "tier_label",
]  # fmt: skip

TIERS = {
    "official": "Official 官方",
    "association": "Association 协会",
    "wire": "Wire 快讯",
    "media": "Media 媒体",
}


def tier_label(slug: str) -> str:
    return TIERS.get(slug, slug)


def sector_choices() -> list[tuple[str, str]]:
    return [(t.slug, t.label) for t in vocabulary.sectors()]


def action_choices() -> list[tuple[str, str]]:
    return [(t.slug, t.label) for t in vocabulary.actions()]


def tier_choices() -> list[tuple[str, str]]:
    return list(TIERS.items())
