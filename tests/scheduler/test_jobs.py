"""Crawl jobs and their schedule: the global cap, run rows for crawls that die early, the
subprocess executor on the real fixture site, and the APScheduler job options."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from psycopg_pool import AsyncConnectionPool

from crawlers.sources import SourceConfig, load_sources
from scheduler.executors import CrawlOutcome
from scheduler.jobs import CrawlJobs, add_crawl_jobs, trigger_for
from scheduler.subprocess_executor import SubprocessExecutor
from tests.capwatch.service.helpers import cls_entry, service_env, source_entry, write_sources

pytestmark = pytest.mark.integration


def make_source(key: str, **fields) -> SourceConfig:
    base = {"key": key, "name": key, "kind": "spider", "url": "http://127.0.0.1:9/", "interval": 60}
    return SourceConfig.model_validate(base | fields)


class SlowExecutor:
    """Stands in for a crawl that takes a while: records how many ran at once."""

    name = "inprocess"

    def __init__(self) -> None:
        self.running = 0
        self.peak = 0

    async def crawl(self, source, *, run_id=None, timeout=None, args=None) -> CrawlOutcome:
        self.running += 1
        self.peak = max(self.peak, self.running)
        await asyncio.sleep(0.2)
        self.running -= 1
        return CrawlOutcome(source.key, run_id, None, 0.2, error="stub crawl")

    async def stop(self) -> None:
        return None


async def test_global_cap_and_a_failed_row_for_every_crawl(database_url):
    sources = {k: make_source(k) for k in ("a", "b", "c", "d", "e")}
    executor = SlowExecutor()
    async with AsyncConnectionPool(database_url, min_size=1, max_size=4) as pool:
        jobs = CrawlJobs(pool, sources, {"inprocess": executor}, "inprocess", 2, 60)
        reports = await asyncio.gather(*(jobs.run(key) for key in sources))
        async with pool.connection() as conn:
            cur = await conn.execute("SELECT source_key, status, finish_reason FROM crawl_runs")
            rows = sorted(await cur.fetchall())
    assert executor.peak == 2  # never more than CAPWATCH_MAX_CONCURRENT_CRAWLS
    assert {r.status for r in reports} == {"failed"}
    assert rows == [(k, "failed", "stub crawl") for k in sorted(sources)]


async def test_unknown_executor_is_reported_not_raised(database_url):
    sources = {"x": make_source("x", executor="scrapyd")}
    async with AsyncConnectionPool(database_url, min_size=1, max_size=2) as pool:
        jobs = CrawlJobs(pool, sources, {"inprocess": SlowExecutor()}, "inprocess", 2, 60)
        report = await jobs.run("x")
    assert report.status == "failed" and "not configured" in (report.note or "")


async def test_subprocess_executor_crawls_the_fixture_site(tmp_path, database_url, cls_site):
    site, server = cls_site
    sources_file = write_sources(tmp_path, cls_entry(server.url))
    env = service_env(tmp_path, database_url, sources_file)
    sources = load_sources(sources_file)
    async with AsyncConnectionPool(database_url, min_size=1, max_size=2) as pool:
        executor = SubprocessExecutor(database_url, 60, env=env)
        jobs = CrawlJobs(pool, sources, {"subprocess": executor}, "subprocess", 2, 60)
        report = await jobs.run("cls")
        again = await jobs.run("cls")
    assert (report.status, report.items, report.new, report.executor) == (
        "finished",
        10,
        10,
        "subprocess",
    )
    assert (again.items, again.new) == (10, 0)
    assert all(r["query"].get("sign") for r in site.requests)


async def test_subprocess_child_that_cannot_start_leaves_a_failed_row(tmp_path, database_url):
    sources_file = write_sources(
        tmp_path, source_entry("nospider", "http://127.0.0.1:9/x", interval=60)
    )
    sources = load_sources(sources_file)
    env = service_env(tmp_path, database_url, sources_file)
    async with AsyncConnectionPool(database_url, min_size=1, max_size=2) as pool:
        executor = SubprocessExecutor(database_url, 60, env=env)
        jobs = CrawlJobs(pool, sources, {"subprocess": executor}, "subprocess", 2, 60)
        report = await jobs.run("nospider")
    assert report.status == "failed"
    assert "exited with" in (report.note or "")


def test_schedule_options_suit_each_source():
    every_minute = make_source("m", interval=60)
    daily = make_source("d", interval=None, cron="30 8 * * *")
    trigger, grace = trigger_for(every_minute)
    assert trigger.interval.total_seconds() == 60 and trigger.jitter == 6 and grace == 30
    trigger, grace = trigger_for(daily)
    assert trigger.jitter == 60 and grace == 3600
    assert trigger_for(make_source("s", interval=4))[1] == 5  # never below 5 s

    async def scheduled():
        scheduler = AsyncIOScheduler(timezone="UTC")
        sources = {"m": every_minute, "d": daily, "off": make_source("off", enabled=False)}
        jobs = CrawlJobs(None, sources, {}, "inprocess", 1, 60)  # type: ignore[arg-type]
        added = add_crawl_jobs(scheduler, jobs, first_run=datetime.now().astimezone())
        return added, scheduler.get_jobs()

    added, found = asyncio.run(scheduled())
    assert added == 2
    for job in found:
        assert (job.max_instances, job.coalesce) == (1, True)
    assert sorted(job.id for job in found) == ["crawl:d", "crawl:m"]
