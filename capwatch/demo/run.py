"""`capwatch demo`: the whole service against the local replay of a sample day.

The real parts run (scheduler, Scrapy spiders of three kinds, store, detector, outbox, console
or Telegram transport); only the sites are local. The demo keeps its own embedded PostgreSQL
in `<data dir>/demo` and starts it empty each time, so it never touches the real archive.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from capwatch.demo.quotes import demo_symbols
from capwatch.demo.replay import ReplayServer, load_sample_day
from capwatch.settings import Settings
from db.pipeline_progress import PipelineProgress

log = logging.getLogger("capwatch.demo")

DEMO_KEYS = ("demo_wire", "demo_feed", "demo_assoc")
CRAWL_INTERVAL = 4  # seconds between two crawls of one demo source
REPLAY_SECONDS = 12.0  # the sample day is released over this much real time


@dataclass(frozen=True)
class DemoOptions:
    data_dir: Path  # the demo's own data dir (its embedded PostgreSQL lives in it)
    telegram: bool  # send the alerts to TELEGRAM_ALERT_CHAT_IDS instead of the console
    timeout: float  # give up (exit 1) when the sample day is not through by then


def demo_sources(base_url: str) -> str:
    """The demo's sources file: one source of each common shape, all on the replay server."""
    return f"""# written by `capwatch demo`: the three local sites of the sample day
[[source]]
key = "demo_wire"
name = "Demo flash wire"
kind = "json"
url = "{base_url}/wire/api"
tier = "wire"
interval = {CRAWL_INTERVAL}

[source.options]
items = "data.roll_data"
id = "id"
title = "title"
body = "content"
time = "ctime"
url = "shareurl"

[[source]]
key = "demo_feed"
name = "Demo industry feed"
kind = "rss"
url = "{base_url}/feed.xml"
tier = "media"
interval = {CRAWL_INTERVAL}

[[source]]
key = "demo_assoc"
name = "Demo industry association"
kind = "html"
url = "{base_url}/assoc/news/"
tier = "association"
interval = {CRAWL_INTERVAL}

[source.options]
links = ".news-list a"

[source.selectors]
title = "h1.title"
body = ".content"
time = ".meta .time::text"
"""


def demo_settings(
    settings: Settings, options: DemoOptions, sources_file: Path, base_url: str
) -> Settings:
    """The user's settings, redirected to the demo's database, sources and output."""
    update: dict[str, object] = {
        "database_url": None,
        "data_dir": options.data_dir,
        "sources_file": sources_file,
        "executor": "inprocess",
        "scrapyd_url": None,
        "health_port": None,
        "poll_seconds": 1.0,
        "max_concurrent_crawls": len(DEMO_KEYS),
        "telegram_bot_commands": False,  # never answer commands a running service answers
        # quotes come from the replay server, fetched once by run_demo before any alert
        "quotes_enabled": False,
        "quotes_base_url": base_url,
    }
    if not options.telegram:
        update["telegram_bot_token"] = None
    return settings.model_copy(update=update)


def finished(progress: PipelineProgress, sources: int) -> bool:
    """Every source crawled after the whole day was out, all detected, the outbox empty."""
    return (
        progress.sources_crawled >= sources
        and progress.articles > 0
        and progress.undetected == 0
        and progress.outbox_waiting == 0
    )


async def run_demo(settings: Settings, options: DemoOptions, out: TextIO) -> int:
    from capwatch.service import build, close, run_scheduler
    from db.embedded import DATABASE_NAME, drop_embedded_database
    from db.pipeline_progress import pipeline_progress
    from market.fetch import fetch_quotes

    reports = load_sample_day()
    options.data_dir.mkdir(parents=True, exist_ok=True)
    replay = ReplayServer(reports, REPLAY_SECONDS).start()
    sources_file = options.data_dir / "demo-sources.toml"
    sources_file.write_text(demo_sources(replay.base_url), "utf-8")
    where = "your Telegram chats" if options.telegram else "this console"
    print(
        f"capwatch demo: a sample day of {len(reports)} reports from three local sites "
        f"({replay.base_url}: a JSON wire, an RSS feed, an association's web pages) is "
        f"replayed in {REPLAY_SECONDS:.0f} s; alerts go to {where}.\n"
        f"The demo's database is its own, started empty: {options.data_dir / 'pgdata'}\n",
        file=out,
        flush=True,
    )
    # crawls every few seconds overlap on a busy machine; APScheduler's "skipped: maximum
    # number of running instances" is expected here and only alarms a newcomer
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    config = demo_settings(settings, options, sources_file, replay.base_url)
    await asyncio.to_thread(drop_embedded_database, options.data_dir, DATABASE_NAME)
    parts = await build(config, list(DEMO_KEYS))
    # the polysilicon futures' bars from the replay server, stored before any alert is sent, so
    # the alert carries its "📈 Market:" line (the real service fetches Sina on a schedule)
    await fetch_quotes(parts.pool, demo_symbols(), base_url=replay.base_url)
    stop, lost = asyncio.Event(), asyncio.Event()
    service = asyncio.create_task(run_scheduler(parts, stop, lost), name="demo-service")
    deadline = time.monotonic() + options.timeout
    day_out: datetime | None = None
    progress: PipelineProgress | None = None
    code = 1
    try:
        while time.monotonic() < deadline and not service.done():
            await asyncio.sleep(1.0)
            if day_out is None:
                if replay.clock.all_released():
                    day_out = datetime.now(UTC)
                continue
            async with parts.pool.connection() as conn:
                progress = await pipeline_progress(conn, crawled_since=day_out)
            if finished(progress, len(DEMO_KEYS)):
                code = 0
                break
    finally:
        stop.set()
        await asyncio.gather(service, return_exceptions=True)
        await close(parts)
        replay.stop()
    print(summary(progress, code, options, settings.data_dir), file=out, flush=True)
    return code


def summary(
    progress: PipelineProgress | None, code: int, options: DemoOptions, archive: Path
) -> str:
    """What the demo showed, then how to watch the real sources."""
    from crawlers.sources import builtin_sources

    count = len(builtin_sources())
    if progress is None or code != 0:
        head = (
            "capwatch demo: the sample day did not get through in "
            f"{options.timeout:.0f} s; the log above says where it stopped."
        )
        if progress is not None:
            head += f" (so far: {_counts(progress)})"
        return head
    return f"""
capwatch demo: done. {_counts(progress)}.

That was the whole pipeline on a replayed sample day. To watch the real sources:
  capwatch run          # or `make run`: the {count} built-in sources on their schedules,
                        # archive in {archive / "pgdata"}
  export TELEGRAM_BOT_TOKEN=... TELEGRAM_ALERT_CHAT_IDS=...    # alerts on Telegram
  capwatch sources list  # what is watched; add your own: docs/sources.md
  capwatch search 减产   # the archive, once it has filled
The demo's database stays in {options.data_dir} (each demo starts it empty)."""


def _counts(progress: PipelineProgress) -> str:
    return (
        f"{progress.articles} items stored, {progress.relevant} relevant, "
        f"{progress.events} events detected, {progress.alerts_sent} alerts sent"
    )
