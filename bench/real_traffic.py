"""Real traffic as a repeatable check: whole saved days of CLS and Eastmoney news (and the CLS
keyword hits) through the detection pipeline, as the live system sees them (detection/traffic.py).

Prints per file: items, relevant items, distinct events (= alerts) and the alerted headlines.
tests/detection/test_real_traffic.py pins bounds on the same numbers.

Run from the repo root: python bench/real_traffic.py [--show-relevant]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from detection.traffic import SAVED_DAYS, run_saved_days  # noqa: E402

FIXTURES = ROOT.parent / "shared" / "fixtures" / "sources"


def main(argv: list[str]) -> int:
    if not FIXTURES.joinpath(*SAVED_DAYS[0].path).exists():
        print(f"fixtures not found under {FIXTURES}")
        return 2
    for t in run_saved_days(FIXTURES):
        print(f"{t.name}: {t.items} items, {len(t.relevant)} relevant, {t.events} events")
        for eid, headline in t.alerts:
            print(f"  ALERT {eid}: {headline[:90]}")
        if "--show-relevant" in argv:
            for r in t.relevant:
                print(f"    {r['id']} {r['score']:.2f} {r['event']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
