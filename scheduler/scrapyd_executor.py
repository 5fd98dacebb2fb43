"""The Scrapyd executor: crawls scheduled through Scrapyd's HTTP API on one or more nodes.

Scale-out on an existing engine: the service keeps the schedule (Scrapyd has none), picks the
least busy reachable node, calls schedule.json and follows the job with status.json until it
ends. The spider on the node writes to the shared database itself (CAPWATCH_DATABASE_URL in
the node's environment) and finishes the crawl-run row whose id it is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from crawlers.sources import SourceConfig
from scheduler.executors import BaseExecutor, CrawlClock, CrawlOutcome, grace_seconds

log = logging.getLogger(__name__)


class ScrapydError(RuntimeError):
    """A node refused or could not be reached."""


@dataclass(frozen=True)
class ScrapydJob:
    node: str
    job_id: str


class ScrapydExecutor(BaseExecutor):
    name = "scrapyd"

    def __init__(
        self,
        nodes: list[str],
        project: str,
        crawl_timeout: int,
        *,
        poll_seconds: float = 1.0,
        scrapy_overrides: dict[str, Any] | None = None,
    ) -> None:
        if not nodes:
            raise ValueError("the Scrapyd executor needs at least one node URL")
        self.nodes = [n.rstrip("/") for n in nodes]
        self.project = project
        self.crawl_timeout = crawl_timeout
        self.poll_seconds = poll_seconds
        self.overrides = scrapy_overrides or {}
        self.client = httpx.AsyncClient(timeout=15.0)
        self._rotation = itertools.count()

    async def _call(self, node: str, method: str, endpoint: str, **kw: Any) -> dict[str, Any]:
        try:
            response = await self.client.request(method, f"{node}/{endpoint}", **kw)
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ScrapydError(f"{_safe(node)}: {endpoint}: {exc!r}") from exc
        if not isinstance(data, dict):
            raise ScrapydError(f"{_safe(node)}: {endpoint}: not a JSON object")
        if data.get("status") != "ok":
            raise ScrapydError(f"{_safe(node)}: {endpoint}: {data.get('message', data)}")
        return data

    async def pick_node(self) -> str:
        """The reachable node with the fewest pending + running jobs (ties: in turn)."""
        start = next(self._rotation)
        order = self.nodes[start % len(self.nodes) :] + self.nodes[: start % len(self.nodes)]
        loads: list[tuple[int, int, str]] = []
        for index, node in enumerate(order):
            with contextlib.suppress(ScrapydError):
                status = await self._call(node, "GET", "daemonstatus.json")
                loads.append((int(status["pending"]) + int(status["running"]), index, node))
        if not loads:
            raise ScrapydError("no Scrapyd node answers: " + ", ".join(map(_safe, self.nodes)))
        return min(loads)[2]

    async def schedule(
        self, source: SourceConfig, run_id: int | None, timeout: int, args: Mapping[str, str]
    ) -> ScrapydJob:
        node = await self.pick_node()
        job_id = f"capwatch-{source.key}-{run_id if run_id is not None else int(time.time())}"
        form: dict[str, str | list[str]] = {
            "project": self.project,
            "spider": source.spider_name,
            "jobid": job_id,
            "source": source.key,
            "capwatch_executor": "scrapyd",
        }
        if run_id is not None:
            form["crawl_run_id"] = str(run_id)
        form |= {name: str(value) for name, value in args.items()}
        settings = []
        for name, value in {"CLOSESPIDER_TIMEOUT": timeout, **self.overrides}.items():
            if isinstance(value, list | tuple):
                value = ",".join(str(v) for v in value)
            settings.append(f"{name}={value}")
        form["setting"] = settings  # repeated form field
        data = await self._call(node, "POST", "schedule.json", data=form)
        return ScrapydJob(node, str(data.get("jobid", job_id)))

    async def state(self, job: ScrapydJob) -> str:
        """pending | running | finished | unknown (status.json, Scrapyd >= 1.5)."""
        data = await self._call(
            job.node, "GET", "status.json", params={"job": job.job_id, "project": self.project}
        )
        return str(data.get("currstate") or "unknown")

    async def cancel(self, job: ScrapydJob, kill: bool = False) -> None:
        form = {"project": self.project, "job": job.job_id, "signal": "KILL" if kill else "TERM"}
        with contextlib.suppress(ScrapydError):
            await self._call(job.node, "POST", "cancel.json", data=form)

    async def run(
        self, source: SourceConfig, clock: CrawlClock, args: Mapping[str, str]
    ) -> CrawlOutcome:
        try:
            job = await self.schedule(source, clock.run_id, clock.limit, args)
        except ScrapydError as exc:
            return clock.not_started(str(exc))
        log.info("%s: Scrapyd job %s on %s", source.key, job.job_id, _safe(job.node))
        timed_out, error = await self._follow(job, clock.limit)
        log_url = f"{_safe(job.node)}/logs/{self.project}/{source.spider_name}/{job.job_id}.log"
        where = f"{log_url} (is CAPWATCH_DATABASE_URL set on the node?)"
        return clock.outcome(timed_out=timed_out, error=error, where=where)

    async def _follow(self, job: ScrapydJob, limit: int) -> tuple[bool, str | None]:
        """Polls the job until it ends; a job queued or running too long is cancelled."""
        grace = grace_seconds(limit)
        queued_until = time.monotonic() + limit  # a job may wait this long in the node's queue
        deadline: float | None = None
        unreachable_since: float | None = None
        while True:
            await asyncio.sleep(self.poll_seconds)
            try:
                state = await self.state(job)
                unreachable_since = None
            except ScrapydError as exc:
                unreachable_since = unreachable_since or time.monotonic()
                if time.monotonic() - unreachable_since > limit + grace:
                    return False, f"lost the Scrapyd node while following the job: {exc}"
                continue
            now = time.monotonic()
            if state == "finished":
                return False, None
            if state == "running" and deadline is None:
                deadline = now + limit + grace
            if state == "unknown":
                return False, f"Scrapyd lost job {job.job_id}"
            if (deadline and now > deadline) or (state == "pending" and now > queued_until):
                log.warning("Scrapyd job %s past its deadline (%s); cancelling", job.job_id, state)
                await self.cancel(job)
                await asyncio.sleep(grace)
                if await self._still_active(job):
                    await self.cancel(job, kill=True)
                return True, None

    async def _still_active(self, job: ScrapydJob) -> bool:
        try:
            return await self.state(job) in ("pending", "running")
        except ScrapydError:
            return False

    async def stop(self) -> None:
        """Jobs already on a node finish there and record their own runs."""

    async def close(self) -> None:
        await self.client.aclose()


def _safe(url: str) -> str:
    """A node URL without its user:password part, for logs."""
    return httpx.URL(url).copy_with(username=None, password=None).__str__()
