"""Scale-out through a real Scrapyd on 127.0.0.1: the crawlers are deployed as an egg with
`capwatch scrapyd deploy`, crawls are scheduled through schedule.json and followed to the
end, and the spider on the node stores into the same database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from psycopg_pool import AsyncConnectionPool

from crawlers.sources import load_sources
from scheduler.jobs import CrawlJobs
from scheduler.scrapyd_executor import ScrapydExecutor
from tests.capwatch.service.helpers import CAPWATCH, cls_entry, query, wait_for, write_sources
from tests.capwatch.service.test_faults import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def scrapyd(tmp_path, database_url, cls_site):
    """A Scrapyd node configured as a real one: CAPWATCH_DATABASE_URL (and here the sources
    file pointing at the fixture site) in its environment, inherited by its crawls."""
    sources_file = write_sources(tmp_path, cls_entry(cls_site[1].url))
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\neggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\n"
        "max_proc = 2\npoll_interval = 0.5\n",
        "utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCRAPY_", "CAPWATCH_"))}
    env |= {
        "CAPWATCH_DATABASE_URL": database_url,
        "CAPWATCH_DATA_DIR": str(tmp_path / "data"),
        "CAPWATCH_SOURCES_FILE": str(sources_file),
    }
    log = (home / "scrapyd.out").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"],
        cwd=home,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{url}/daemonstatus.json", timeout=2).json()["status"] == "ok"
        except (httpx.HTTPError, ValueError):
            return False

    try:
        wait_for(ready, 30, "scrapyd")
        yield url, home, sources_file
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


async def test_crawl_through_scrapyd_into_the_same_database(
    tmp_path, database_url, cls_site, scrapyd
):
    site, _ = cls_site
    url, home, sources_file = scrapyd
    deployed = subprocess.run(
        [*CAPWATCH, "scrapyd", "deploy", "--url", url, "--version", "r1", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CAPWATCH_DATABASE_URL": database_url},
    )
    assert deployed.returncode == 0, deployed.stderr
    assert "deployed capwatch r1 to 1 node(s)" in deployed.stdout
    spiders = httpx.get(f"{url}/listspiders.json", params={"project": "capwatch"}).json()
    assert "cls" in spiders["spiders"]

    dead_node = f"http://127.0.0.1:{free_port()}"  # unreachable: skipped when picking
    executor = ScrapydExecutor([dead_node, url], "capwatch", 60, poll_seconds=0.5)
    sources = load_sources(sources_file)
    async with AsyncConnectionPool(database_url, min_size=1, max_size=2) as pool:
        jobs = CrawlJobs(pool, sources, {"scrapyd": executor}, "scrapyd", 2, 60)
        try:
            report = await jobs.run("cls")
        finally:
            await jobs.close()
    logs = "\n".join(p.read_text("utf-8", "replace") for p in Path(home).rglob("*.log"))
    assert (report.status, report.items, report.new, report.executor) == (
        "finished",
        10,
        10,
        "scrapyd",
    ), logs[-3000:]
    assert query(database_url, "SELECT count(*) FROM articles") == [(10,)]
    assert query(database_url, "SELECT executor FROM crawl_runs") == [("scrapyd",)]
    assert site.requests  # the node crawled the fixture site
