"""Fixtures for source tests: the fixture-site server, a module database, and a helper that
writes a sources file pointing the built-in entries at the local server."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, cloned_database
from tests.crawlers.sources.fixture_sites import all_pages, local_url
from tests.crawlers.sources.site_server import FixtureServer
from tests.fakes.serving import BackgroundServer


@pytest.fixture(scope="module")
def fixture_server() -> Iterator[tuple[FixtureServer, BackgroundServer]]:
    site = FixtureServer()
    server = BackgroundServer(site.app()).start()
    site.pages.update(all_pages(server.url))
    yield site, server
    server.stop()


@pytest.fixture(scope="module")
def module_db(pg_admin_dsn: str) -> Iterator[str]:
    with cloned_database(pg_admin_dsn, "capwatch_src") as dsn:
        yield dsn


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f'"{k}" = {toml_value(v)}' for k, v in value.items()) + " }"
    raise TypeError(value)


def local_sources_file(path: Path, base: str, keys: list[str], **overrides) -> Path:
    """The built-in entries of `keys` with their URLs moved onto the fixture server."""
    builtin = tomllib.loads((REPO / "crawlers" / "sources.toml").read_text("utf-8"))["source"]
    lines = []
    for entry in builtin:
        if entry["key"] not in keys:
            continue
        entry = {**entry, "url": local_url(entry["url"], base), **overrides}
        lines.append("[[source]]")
        lines += [f"{k} = {toml_value(v)}" for k, v in entry.items()]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def run_crawls(dsn: str, sources_file: Path, keys: list[str]) -> list[dict]:
    return run_crawls_logged(dsn, sources_file, keys)[0]


def run_crawls_logged(dsn: str, sources_file: Path, keys: list[str]) -> tuple[list[dict], str]:
    """Crawl `keys` one after another in one process; their results and the log (WARNING+)."""
    import json

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.crawlers.sources.crawl_helper",
            dsn,
            str(sources_file),
            ",".join(keys),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return results, done.stderr
