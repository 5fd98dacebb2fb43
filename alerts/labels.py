"""Labels of the lexicon's slugs as alerts and the bot show them ("PV glass 光伏玻璃").

The slugs and names live in detection/lexicon.toml (read through detection.vocabulary); this
module only shapes them for the bot's menus and messages."""

from __future__ import annotations

from detection import vocabulary
from detection.vocabulary import action_label, actor_label, sector_label

__all__ = ["ACTIONS", "SECTORS", "action_label", "actor_label", "sector_label"]

SECTORS: dict[str, str] = {t.slug: t.label for t in vocabulary.sectors()}
ACTIONS: dict[str, str] = {t.slug: t.label for t in vocabulary.actions()}
