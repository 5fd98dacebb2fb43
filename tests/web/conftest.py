"""The console on loopback over a seeded database, and Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawlers.sources import load_sources
from tests.web.seed import Seeded, seed
from web.config import WebConfig
from web.server import WebConsole

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOKEN = "operator-secret-for-tests"


@dataclass
class Running:
    url: str
    seeded: Seeded
    console: WebConsole


@pytest.fixture
def seeded(database_url: str) -> Seeded:
    return seed(database_url)


async def _serve(seeded: Seeded, token: str | None) -> AsyncIterator[Running]:
    config = WebConfig(
        host="127.0.0.1", port=0, token=token, sources=load_sources(None), failures_threshold=3
    )
    console = WebConsole(seeded.dsn, config)
    port = await console.start()
    try:
        yield Running(f"http://127.0.0.1:{port}", seeded, console)
    finally:
        await console.stop()


@pytest.fixture
async def web_console(seeded: Seeded) -> AsyncIterator[Running]:
    """The console with an operator token set (verdicts allowed after logging in)."""
    async for running in _serve(seeded, TOKEN):
        yield running


@pytest.fixture
async def readonly_console(seeded: Seeded) -> AsyncIterator[Running]:
    async for running in _serve(seeded, None):
        yield running


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where page screenshots go: CAPWATCH_SCREENSHOT_DIR if set, else the test's tmp_path."""
    folder = Path(os.environ.get("CAPWATCH_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
async def browser():  # type: ignore[no-untyped-def]
    """Debian's chromium (installed by `make test`), never a downloaded browser build."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `make test` installs it (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        instance = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            await instance.close()


def chromium_available() -> bool:
    return shutil.which("chromium") is not None or Path(CHROMIUM).exists()
