"""Labelled corpora (../shared/LABELING.md format) as typed records, with their digests."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabelledRecord:
    """One labelled article. `relevant` None is borderline (left out of training and scoring)."""

    id: str
    title: str
    text: str
    lang: str | None
    published: str | None
    relevant: bool | None
    sectors: tuple[str, ...]
    actions: tuple[str, ...]
    event: str | None
    url: str = ""
    source: str = ""
    notes: str = ""

    @property
    def group(self) -> str:
        """The cross-validation group: every report of one event stays in one fold."""
        return self.event or f"record:{self.id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "lang": self.lang,
            "published": self.published,
            "relevant": self.relevant,
            "sectors": list(self.sectors),
            "actions": list(self.actions),
            "event": self.event,
            "url": self.url,
            "source": self.source,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class CorpusFile:
    """What a model was trained on: the file's name, sha256 and record count."""

    name: str
    sha256: str
    records: int


def _record(raw: dict[str, object], where: str) -> LabelledRecord:
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid:
        raise ValueError(f"{where}: missing id")
    title, text = raw.get("title") or "", raw.get("text") or ""
    if not isinstance(title, str) or not isinstance(text, str):
        raise ValueError(f"{where}: title and text must be strings")
    relevant = raw.get("relevant")
    if relevant is not None and not isinstance(relevant, bool):
        raise ValueError(f"{where}: relevant must be true, false or null")
    lang, published, event = raw.get("lang"), raw.get("published"), raw.get("event")
    return LabelledRecord(
        id=rid,
        title=title,
        text=text,
        lang=lang if isinstance(lang, str) and lang else None,
        published=published if isinstance(published, str) and published else None,
        relevant=relevant,
        sectors=_strings(raw.get("sectors")),
        actions=_strings(raw.get("actions")),
        event=event if isinstance(event, str) and event else None,
        url=_text(raw.get("url")),
        source=_text(raw.get("source")),
        notes=_text(raw.get("notes")),
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def read_corpus(path: Path) -> list[LabelledRecord]:
    """Every well-formed record of a JSONL file, in file order; a bad line is logged and
    skipped (its reason names the line)."""
    out: list[LabelledRecord] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path.name}:{n}"
            try:
                raw = json.loads(line)
                if not isinstance(raw, dict):
                    raise ValueError(f"{where}: not a JSON object")
                out.append(_record(raw, where))
            except ValueError as exc:
                log.warning("skipping labelled record: %s", exc)
    return out


def describe(path: Path, records: int) -> CorpusFile:
    return CorpusFile(path.name, hashlib.sha256(path.read_bytes()).hexdigest(), records)


def read_corpora(paths: list[Path]) -> tuple[list[LabelledRecord], list[CorpusFile]]:
    """Records of several files; an id seen twice keeps its first record (feedback exports
    may repeat an article that a shared corpus already labels)."""
    seen: set[str] = set()
    records: list[LabelledRecord] = []
    files: list[CorpusFile] = []
    for path in paths:
        rows = read_corpus(path)
        files.append(describe(path, len(rows)))
        for r in rows:
            if r.id in seen:
                log.info("%s: id %s already read from an earlier corpus, skipped", path, r.id)
                continue
            seen.add(r.id)
            records.append(r)
    return records, files
