"""Contract tests for sources recorded with `capwatch sources check KEY --save-fixture`: the
saved responses are replayed from a local server through a real crawl (`sources check
--replay`) and must give the same items as when they were recorded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawlers.replay import EXPECTED
from tests.conftest import REPO
from tests.crawlers.sources.conftest import toml_value
from tests.crawlers.sources.replay_server import replay_app
from tests.fakes.serving import BackgroundServer

SAVED = sorted(p.parent for p in (REPO / "tests/fixtures/sites").glob(f"*/{EXPECTED}"))


def replay_check(folder: Path, tmp_path: Path) -> list[dict]:
    expected = json.loads((folder / EXPECTED).read_text("utf-8"))
    entry = expected["source"]
    sources = tmp_path / "sources.toml"
    lines = ["[[source]]"]
    for key, value in entry.items():
        if isinstance(value, dict) or value is None:
            continue
        lines.append(f"{key} = {toml_value(value)}")
    for table in ("options", "selectors", "headers"):
        if entry.get(table):
            lines.append(f"[source.{table}]")
            lines += [f'"{k}" = {toml_value(v)}' for k, v in entry[table].items() if v is not None]
    sources.write_text("\n".join(lines) + "\n", "utf-8")
    server = BackgroundServer(replay_app(folder)).start()
    try:
        env = {**os.environ, "CAPWATCH_SOURCES_FILE": str(sources)}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "capwatch",
                "sources",
                "check",
                entry["key"],
                "--json",
                "--limit",
                str(max(1, len(expected["items"]))),
                "--replay",
                server.url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=REPO,
            env=env,
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("folder", SAVED, ids=[p.name for p in SAVED])
def test_saved_fixture_still_parses_the_same(folder, tmp_path):
    expected = json.loads((folder / EXPECTED).read_text("utf-8"))["items"]
    got = replay_check(folder, tmp_path)
    key = lambda item: item["url"]  # noqa: E731
    assert sorted(got, key=key) == sorted(expected, key=key)
