"""Real traffic as a repeatable check: whole saved days of CLS and Eastmoney news (and the CLS
keyword hits) through the detection pipeline, as the live system sees them.

Prints per file: items, relevant items, distinct events (= alerts) and the alerted headlines.
tests/detection/test_real_traffic.py pins bounds on the same numbers, so a lexicon change
cannot silently flood analysts on an ordinary day, or starve them on the keyword hits.

Run from the repo root: python bench/real_traffic.py [--show-relevant]
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from detection.events import EventIndex  # noqa: E402
from detection.pipeline import run_jsonl  # noqa: E402

FIXTURES = ROOT.parent / "shared" / "fixtures" / "sources"
CLS_DAY = FIXTURES / "cls" / "cls_roll_archive_2026-08-21.jsonl"
CLS_HITS = FIXTURES / "cls" / "cls_roll_archive_keyword_hits_2026-05-14_to_2026-08-22.jsonl"
EASTMONEY_DAY = FIXTURES / "eastmoney" / "eastmoney_fastnews_archive_2026-08-21.jsonl"
_BRACKET = re.compile(r"^\s*【([^】]{2,120})】")


def cls_record(line: dict[str, Any]) -> dict[str, Any]:
    """CLS telegraph: `title` if set, else the leading 【…】 of the content, else the brief."""
    content = line.get("content") or line.get("brief") or ""
    title = (line.get("title") or "").strip()
    if not title:
        m = _BRACKET.match(content)
        title = m.group(1) if m else (line.get("brief") or "")
    return {
        "id": f"cls-{line['id']}",
        "title": title,
        "text": content,
        "published": line.get("ctime") or line.get("datetime"),
    }


def eastmoney_record(line: dict[str, Any]) -> dict[str, Any]:
    """Eastmoney 7x24: title and summary as the API returned them (`raw`)."""
    raw = line.get("raw") or {}
    return {
        "id": f"em-{raw.get('code') or line['id']}",
        "title": raw.get("title") or line.get("title") or "",
        "text": raw.get("summary") or line.get("content") or "",
        "published": raw.get("showTime") or line.get("datetime"),
    }


@dataclass
class Traffic:
    name: str
    items: int = 0
    relevant: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (event id, headline)

    @property
    def events(self) -> int:
        return len(self.alerts)


def run_file(name: str, path: Path, convert) -> Traffic:
    """Items in file order through one EventIndex; the first report of an event alerts."""
    records = [convert(json.loads(x)) for x in path.read_text("utf-8").splitlines() if x.strip()]
    titles = {r["id"]: r["title"] for r in records}
    out = Traffic(name, items=len(records))
    seen: set[str] = set()
    for res in run_jsonl((json.dumps(r, ensure_ascii=False) for r in records), EventIndex()):
        if not res.get("relevant"):
            continue
        out.relevant.append(res)
        if res["event"] not in seen:
            seen.add(res["event"])
            out.alerts.append((res["event"], titles[res["id"]]))
    return out


def all_files() -> list[Traffic]:
    return [
        run_file("cls day 2026-08-21", CLS_DAY, cls_record),
        run_file("eastmoney day 2026-08-21", EASTMONEY_DAY, eastmoney_record),
        run_file("cls keyword hits 2026-05..08", CLS_HITS, cls_record),
    ]


def main(argv: list[str]) -> int:
    if not CLS_DAY.exists():
        print(f"fixtures not found under {FIXTURES}")
        return 2
    for t in all_files():
        print(f"{t.name}: {t.items} items, {len(t.relevant)} relevant, {t.events} events")
        for eid, headline in t.alerts:
            print(f"  ALERT {eid}: {headline[:90]}")
        if "--show-relevant" in argv:
            for r in t.relevant:
                print(f"    {r['id']} {r['score']:.2f} {r['event']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
