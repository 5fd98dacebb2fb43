"""One labelled record in the format of the labelling guide (../shared/LABELING.md): what
`capwatch eval` scores against and what `capwatch train` learns from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabelledRecord:
    """`relevant` None is borderline (left out of scoring); `event` is None for negatives."""

    id: str
    url: str
    source: str
    lang: str | None
    title: str
    text: str
    published: str | None  # ISO date or date-time
    relevant: bool | None
    sectors: tuple[str, ...]
    actions: tuple[str, ...]
    event: str | None
    notes: str = ""

    def to_json(self) -> dict[str, str | bool | list[str] | None]:
        return {
            "id": self.id,
            "url": self.url,
            "source": self.source,
            "lang": self.lang,
            "title": self.title,
            "text": self.text,
            "published": self.published,
            "relevant": self.relevant,
            "sectors": list(self.sectors),
            "actions": list(self.actions),
            "event": self.event,
            "notes": self.notes,
        }
