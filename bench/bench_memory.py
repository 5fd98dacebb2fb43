"""Memory of the service over many crawl cycles: flat, or leaking?

1,000 real crawl cycles (default) of the local CLS fixture site through the service's own
parts (`capwatch.service.build`: in-process executor, store pipeline, crawl-run records,
health check after each crawl, detector and sender), on an embedded PostgreSQL in a temp dir.
The site publishes two new items per cycle, so every cycle stores, detects and assesses
something. Prints RSS after the first 10 cycles (the baseline: imports and caches are warm by
then) and after the last, their ratio and the slope per 100 cycles.

Run from the repo root: python bench/bench_memory.py [--cycles N]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    """Resident set size now (Linux /proc; elsewhere the peak from getrusage)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class GrowingSite:
    """The fixture CLS API, publishing two new (irrelevant) items before every crawl."""

    def __init__(self) -> None:
        from tests.fakes.cls_site import FIXTURES, ClsSite

        raw = json.loads((FIXTURES / "roll_items.json").read_text("utf-8"))["roll_data"]
        self.template = raw[1]
        self.site = ClsSite(raw)
        self.next_id = 5_000_000
        self.newest = max(i["ctime"] for i in raw)

    def publish(self, count: int = 2) -> None:
        for _ in range(count):
            self.next_id += 1
            self.newest += 30
            item = copy.deepcopy(self.template) | {
                "id": self.next_id,
                "ctime": self.newest,
                "title": f"市场快讯 {self.next_id}",
                "content": f"【市场快讯 {self.next_id}】财联社电，今日市场平稳。",
                "type": -1,
            }
            self.site.items.insert(0, item)
        del self.site.items[60:]  # the API serves a bounded roll


async def soak(cycles: int, workdir: Path, site_url: str, grow) -> list[tuple[int, float]]:
    from capwatch.service import build, close
    from capwatch.settings import Settings
    from scheduler.executors import InProcessExecutor

    sources = workdir / "sources.toml"
    sources.write_text(
        '[[source]]\nkey = "cls"\nname = "财联社 电报"\nkind = "spider"\ntier = "wire"\n'
        f'url = "{site_url}/v1/roll/get_roll_list"\ninterval = 60\n'
        "[source.options]\npage_size = 20\nmax_pages = 2\n",
        "utf-8",
    )
    settings = Settings(CAPWATCH_DATA_DIR=workdir / "data", CAPWATCH_SOURCES_FILE=sources)
    parts = await build(settings, ["cls"])
    # the politeness delays of real sites would only make the run longer, not different
    fast = {"AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": False, "DOWNLOAD_DELAY": 0}
    parts.jobs.executors["inprocess"] = InProcessExecutor(parts.pool, 60, fast)
    samples = []
    items = new = 0
    started = time.monotonic()
    try:
        for cycle in range(1, cycles + 1):
            grow()
            report = await parts.jobs.run("cls")
            if report.status != "finished":
                raise SystemExit(f"cycle {cycle}: crawl {report.status}: {report.note}")
            items, new = items + report.items, new + report.new
            await parts.detector.drain()
            await parts.sender.drain()
            if cycle in (1, 10) or cycle % 100 == 0 or cycle == cycles:
                samples.append((cycle, rss_mb()))
                print(
                    f"  cycle {cycle:5d}: RSS {samples[-1][1]:6.1f} MB"
                    f"  ({time.monotonic() - started:5.0f} s)",
                    flush=True,
                )
    finally:
        await close(parts)
    print(f"{cycles} crawls: {items} items seen, {new} new articles stored, detected, assessed")
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=1000)
    options = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    from capwatch.service import run_under_reactor
    from tests.fakes.serving import BackgroundServer

    grower = GrowingSite()
    server = BackgroundServer(grower.site.app).start()
    result: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory(prefix="capwatch-bench-") as tmp:

        async def run() -> int:
            result.extend(await soak(options.cycles, Path(tmp), server.url, grower.publish))
            return 0

        code = run_under_reactor(run)
        from db.embedded import stop_embedded

        stop_embedded(Path(tmp) / "data")
    server.stop()
    if code or not result:
        return code or 1
    base = dict(result)[10] if options.cycles >= 10 else result[0][1]
    last_cycle, last = result[-1]
    slope = (last - base) / max(last_cycle - 10, 1) * 100
    print(f"RSS after the first 10 cycles: {base:.1f} MB")
    print(f"RSS after cycle {last_cycle}:  {last:.1f} MB")
    print(f"ratio last / first-10: {last / base:.3f}   slope: {slope:+.2f} MB per 100 cycles")
    return 0


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    sys.exit(main())
