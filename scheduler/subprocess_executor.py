"""The subprocess executor: one `scrapy crawl <spider> -a source=<key>` child per crawl.

For spiders that need isolation (memory-hungry, crash-prone, blocking code): a child that
hangs or dies cannot stall the service's event loop. It costs ~0.85 s of CPU per crawl for
start-up (ARCHITECTURE-NOTES.md section 2). The child stores into the same database (it gets
the DSN through its environment) and finishes the crawl-run row the service created for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections import deque
from collections.abc import Mapping
from typing import Any

from crawlers.sources import SourceConfig
from scheduler.executors import SHUTDOWN, BaseExecutor, CrawlClock, CrawlOutcome

log = logging.getLogger(__name__)


def crawl_command(
    source: SourceConfig,
    run_id: int | None,
    timeout: int,
    args: Mapping[str, str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> list[str]:
    """The child's argv: the project's `scrapy crawl`, with the run id and time limit."""
    argv = [sys.executable, "-m", "scrapy", "crawl", source.spider_name, "-a"]
    argv += [f"source={source.key}", "-a", "capwatch_executor=subprocess"]
    if run_id is not None:
        argv += ["-a", f"crawl_run_id={run_id}"]
    for name, value in (args or {}).items():
        argv += ["-a", f"{name}={value}"]
    settings = {"CLOSESPIDER_TIMEOUT": timeout, **(overrides or {})}
    for name, value in settings.items():
        if isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        argv += ["-s", f"{name}={value}"]
    return argv


class SubprocessExecutor(BaseExecutor):
    name = "subprocess"

    def __init__(
        self,
        dsn: str,
        crawl_timeout: int,
        scrapy_overrides: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.crawl_timeout = crawl_timeout
        self.overrides = scrapy_overrides or {}
        self.env = {**(env if env is not None else os.environ), "CAPWATCH_DATABASE_URL": dsn}
        self.env.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
        self.children: set[asyncio.subprocess.Process] = set()
        self.stopped: set[int] = set()  # pids stopped by `stop()`, not by their deadline

    async def run(
        self, source: SourceConfig, clock: CrawlClock, args: Mapping[str, str]
    ) -> CrawlOutcome:
        argv = crawl_command(source, clock.run_id, clock.limit, args, self.overrides)
        try:
            child = await asyncio.create_subprocess_exec(
                *argv,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,  # Ctrl-C on the terminal goes to the service only
            )
        except OSError as exc:
            return clock.not_started(f"cannot start: {exc}")
        self.children.add(child)
        tail: deque[str] = deque(maxlen=20)
        reader = asyncio.create_task(self._read(child, tail))

        async def force_stop(grace: float) -> None:
            log.warning("%s: crawl child %d past its deadline; stopping it", source.key, child.pid)
            await self._terminate(child, grace)

        timed_out = False
        try:
            timed_out = await clock.wait(child.wait(), force_stop)
        finally:
            self.children.discard(child)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(reader, 5)
        error = SHUTDOWN if child.pid in self.stopped else None
        self.stopped.discard(child.pid)
        if child.returncode not in (0, None) and not timed_out and not error:
            error = f"scrapy crawl exited with {child.returncode}: " + " | ".join(list(tail)[-3:])
            log.warning("%s: crawl child output (last lines):\n%s", source.key, "\n".join(tail))
        return clock.outcome(timed_out=timed_out, error=error)

    @staticmethod
    async def _read(child: asyncio.subprocess.Process, tail: deque[str]) -> None:
        assert child.stderr is not None
        async for line in child.stderr:
            tail.append(line.decode("utf-8", "replace").rstrip())

    @staticmethod
    async def _terminate(child: asyncio.subprocess.Process, grace: float) -> None:
        """SIGTERM (Scrapy closes the spider and records the run), then SIGKILL."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, sig)
            try:
                await asyncio.wait_for(child.wait(), grace)
                return
            except TimeoutError:
                continue

    async def stop(self) -> None:
        """Running children get SIGTERM and the usual grace, then SIGKILL."""
        self.stopped.update(child.pid for child in self.children)
        await asyncio.gather(
            *(self._terminate(child, 5.0) for child in list(self.children)),
            return_exceptions=True,
        )
