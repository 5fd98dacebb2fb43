"""The one time parser (core/timeparse.py) on other projects' date test cases.

- feedparser's tests/test_date_parsers.py: RFC 822, W3DTF, ISO 8601 and asctime strings with
  the UTC time feedparser expects (or None for invalid input). Naive strings are read as UTC
  here, feedparser's convention (capwatch's own default for naive times is Beijing).
- dateparser's tests: every Chinese absolute date (test_date_parser.py, test_languages.py)
  and Chinese relative time (test_freshness_date_parser.py, compared at the period the test
  names: a "day" period compares dates).

"Exact" means the same instant to the second (None where None is expected). Prints each
group's share, the misses, and microseconds per string against dateparser on the same strings.

    .venv/bin/python bench/bench_dates.py [--cache DIR] [--mirrors DIR] [--show-misses]
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpora import add_arguments, corpus
from core.timeparse import read_time
from core.tz import BEIJING

NOW = datetime(2026, 8, 21, 16, 0, tzinfo=BEIJING)
ENGLISH_PARSERS = {"_parse_date_rfc822", "_parse_date_w3dtf", "_parse_date_iso8601",
                   "_parse_date_asctime"}  # fmt: skip
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class Case:
    group: str
    text: str
    expected: datetime | None  # None: the parser must give None
    period: str = "second"
    naive_utc: bool = False


def _literal(node: ast.AST) -> object:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def feedparser_cases(root: Path) -> list[Case]:
    tree = ast.parse((root / "tests" / "test_date_parsers.py").read_text("utf-8"))
    cases = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Tuple) and len(node.elts) == 3):
            continue
        func, text, expected = node.elts
        if not (isinstance(func, ast.Name) and func.id.startswith("_parse_date")):
            continue
        value, want = _literal(text), _literal(expected)
        if not isinstance(value, str) or not value:
            continue
        group = "feedparser " + (func.id[12:] if func.id in ENGLISH_PARSERS else "other")
        moment = None
        if isinstance(want, tuple):
            try:
                moment = datetime(*want[:6], tzinfo=UTC)
            except ValueError:
                continue
        cases.append(Case(group, value, moment, naive_utc=True))
    return cases


def _call_kw(node: ast.Call, name: str) -> object:
    for kw in node.keywords:
        if kw.arg == name:
            return _literal(kw.value)
    return None


def dateparser_cases(root: Path) -> list[Case]:
    cases: list[Case] = []
    tests = root / "tests"
    tree = ast.parse((tests / "test_date_parser.py").read_text("utf-8"))
    seen: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "param"):
            continue
        args = node.args
        first = _literal(args[0]) if args else None
        if len(args) == 2 and isinstance(first, str) and _CJK.search(first):
            expected = args[1]
            if isinstance(expected, ast.Call) and getattr(expected.func, "id", "") == "datetime":
                numbers = [_literal(a) for a in expected.args]
                text = str(_literal(args[0]))
                if text not in seen and all(isinstance(n, int) for n in numbers):
                    seen.add(text)
                    moment = datetime(*numbers, tzinfo=BEIJING)  # type: ignore[misc]
                    cases.append(Case("dateparser zh absolute", text, moment))
    tree = ast.parse((tests / "test_languages.py").read_text("utf-8"))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "param"):
            continue
        values = [_literal(a) for a in node.args]
        if len(values) == 3 and values[0] == "zh" and isinstance(values[2], str):
            found = re.search(r"(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}))?$", values[2])
            text = str(values[1])
            if found and text not in seen:
                seen.add(text)
                y, m, d, hh, mm = found.groups()
                moment = datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0),
                                  tzinfo=BEIJING)  # fmt: skip
                cases.append(Case("dateparser zh absolute", text, moment))
    tree = ast.parse((tests / "test_freshness_date_parser.py").read_text("utf-8"))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "param"):
            continue
        if not node.args or not isinstance(_literal(node.args[0]), str):
            continue
        text = str(_literal(node.args[0]))
        ago = _call_kw(node, "ago")
        if not _CJK.search(text) or not isinstance(ago, dict) or text in seen:
            continue
        if re.search(r"[\u3040-\u30ff\uac00-\ud7af]", text):  # Japanese kana, Korean
            continue
        seen.add(text)
        from dateutil.relativedelta import relativedelta

        moment = NOW - relativedelta(**ago)  # type: ignore[arg-type]
        period = str(_call_kw(node, "period") or "second")
        cases.append(Case("dateparser zh relative", text, moment, period))
    return cases


def exact(case: Case, got: datetime | None) -> bool:
    if case.expected is None or got is None:
        return case.expected is None and got is None
    if case.period in ("day", "week"):
        return got.astimezone(BEIJING).date() == case.expected.astimezone(BEIJING).date()
    if case.period == "month":
        a, b = got.astimezone(BEIJING), case.expected.astimezone(BEIJING)
        return (a.year, a.month) == (b.year, b.month)
    if case.period == "year":
        return got.astimezone(BEIJING).year == case.expected.astimezone(BEIJING).year
    return abs(got - case.expected) < timedelta(seconds=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_arguments(parser)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    cases = feedparser_cases(corpus("feedparser", args.cache, args.mirrors))
    cases += dateparser_cases(corpus("dateparser", args.cache, args.mirrors))
    groups: dict[str, list[bool]] = {}
    misses: list[str] = []
    started = time.perf_counter()
    for case in cases:
        zone = UTC if case.naive_utc else BEIJING
        reading = read_time(case.text, NOW, chinese_source=not case.naive_utc, naive_zone=zone)
        ok = exact(case, reading.moment)
        groups.setdefault(case.group, []).append(ok)
        if not ok:
            got = reading.moment.isoformat() if reading.moment else f"None ({reading.reason})"
            want = case.expected.isoformat() if case.expected else "None"
            misses.append(f"  [{case.group}] {case.text!r}: got {got}, want {want}")
    ours = (time.perf_counter() - started) / len(cases) * 1e6
    import dateparser

    started = time.perf_counter()
    for case in cases:
        dateparser.parse(case.text, settings={"RELATIVE_BASE": NOW.replace(tzinfo=None)})
    theirs = (time.perf_counter() - started) / len(cases) * 1e6
    for group, results in sorted(groups.items()):
        share = sum(results) / len(results)
        print(f"{group:28s} {sum(results):4d}/{len(results):4d} exact = {share:6.1%}")
    english = [
        r
        for g, rs in groups.items()
        if g.startswith("feedparser ") and "other" not in g
        for r in rs
    ]
    chinese = [r for g, rs in groups.items() if g.startswith("dateparser zh") for r in rs]
    share = sum(english) / len(english)
    print(f"RFC 822 / W3DTF / ISO 8601 / asctime (feedparser): {share:.1%} exact")
    print(f"Chinese (dateparser's zh cases): {sum(chinese) / len(chinese):.1%} exact")
    print(f"speed: {ours:.0f} us/string (capwatch) vs {theirs:.0f} us/string (dateparser) "
          f"= {theirs / ours:.0f}x")  # fmt: skip
    if args.show_misses:
        print("\n".join(misses))


if __name__ == "__main__":
    main()
