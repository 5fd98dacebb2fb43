"""Shared bits of the service tests: sources files, the environment, processes, polling."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from aiohttp import web

from tests.conftest import REPO
from tests.fakes.cls_site import ClsSite

TOKEN = "987654321:AAE2eTestTokenForCapwatchService0123456"
CAPWATCH = [sys.executable, "-m", "capwatch"]


def source_entry(key: str, url: str, *, spider: str | None = None, **fields: Any) -> str:
    lines = [
        "[[source]]",
        f'key = "{key}"',
        f'name = "{key} (test)"',
        'kind = "spider"',
        f'spider = "{spider or key}"',
        'tier = "wire"',
        f'url = "{url}"',
    ]
    options = fields.pop("options", None)
    for name, value in fields.items():
        lines.append(f"{name} = {value!r}".replace("'", '"'))
    if options:
        lines.append("[source.options]")
        lines += [f"{name} = {value}" for name, value in options.items()]
    return "\n".join(lines) + "\n"


def cls_entry(site_url: str, **fields: Any) -> str:
    fields.setdefault("interval", 3600)
    fields.setdefault("options", {"page_size": 5, "max_pages": 3})
    return source_entry("cls", f"{site_url}/v1/roll/get_roll_list", **fields)


def write_sources(tmp_path: Path, *entries: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text("\n".join(entries), "utf-8")
    return path


def service_env(
    tmp_path: Path, database_url: str, sources: Path, bot_url: str | None = None, **extra: str
) -> dict[str, str]:
    env = {
        **os.environ,
        "CAPWATCH_DATABASE_URL": database_url,
        "CAPWATCH_SOURCES_FILE": str(sources),
        "CAPWATCH_DATA_DIR": str(tmp_path / "data"),
        "CAPWATCH_POLL_SECONDS": "0.5",
        "CAPWATCH_STANDBY_RETRY_SECONDS": "0.5",
        "SCRAPY_SETTINGS_MODULE": "tests.capwatch.service.scrapy_settings",
        "PYTHONPATH": str(REPO),
    }
    if bot_url:
        env |= {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": bot_url,
            "TELEGRAM_ALERT_CHAT_IDS": "-100777",
        }
    env |= extra
    return env


class Service:
    """`capwatch run` in a child process, its log in a file that tests can read meanwhile."""

    def __init__(self, env: dict[str, str], log_path: Path, *args: str) -> None:
        self.log_path = log_path
        self.handle = log_path.open("w")
        self.proc = subprocess.Popen(
            [*CAPWATCH, "run", *args],
            env=env,
            cwd=REPO,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            text=True,
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text("utf-8", "replace")

    def stop(self, sig: int = 15, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            self.handle.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.handle.close()


def wait_for(predicate: Callable[[], Any], timeout: float = 60, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what or predicate}")


def query(dsn: str, sql: str, params: tuple = ()) -> list[tuple]:
    try:
        with psycopg.connect(dsn, connect_timeout=5) as conn:
            return conn.execute(sql, params).fetchall()
    except psycopg.OperationalError:
        return []


class SlowClsSite(ClsSite):
    """The CLS fixture API answering each page after `delay` seconds."""

    def __init__(self, delay: float, items: list[dict[str, Any]] | None = None) -> None:
        super().__init__(items)
        self.delay = delay

    async def roll_list(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.delay)
        return await super().roll_list(request)
