"""`capwatch run`: scheduler, crawls, detector and sender in one asyncio process.

Bootstrap (ARCHITECTURE-NOTES.md section 1): install the asyncio reactor before anything
imports Twisted, then run the plain-asyncio `main()` under `react()`. `main()` holds no
Twisted code, so moving to `asyncio.run()` later is a one-line change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from capwatch.settings import Settings

log = logging.getLogger("capwatch.service")


def install_asyncio_reactor() -> None:
    from scrapy.utils.reactor import install_reactor

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")


def run_under_reactor(main: Callable[[], Awaitable[int]]) -> int:
    """Run `main()` on the asyncio reactor's loop; returns its exit code."""
    install_asyncio_reactor()
    from twisted.internet.defer import Deferred
    from twisted.internet.task import react

    code = 0

    def start(_reactor) -> Deferred:
        async def wrapped() -> None:
            nonlocal code
            code = await main()

        return Deferred.fromFuture(asyncio.ensure_future(wrapped()))

    try:
        react(start)
    except SystemExit as exc:  # react() exits the process; keep our own exit code
        if exc.code not in (0, None):
            return int(exc.code)
    return code


@dataclass
class Components:
    """The live parts of the service, built once and shut down in reverse order."""

    settings: Settings
    dsn: str
    pool: object
    executor: object
    detector: object
    sender: object
    transport: object
    sources: dict


async def build(settings: Settings, only: list[str] | None) -> Components:
    from psycopg_pool import AsyncConnectionPool

    from alerts.sender import OutboxSender
    from alerts.transport import ConsoleTransport, TelegramTransport
    from capwatch.detector import Detector
    from crawlers.sources import load_sources
    from db.embedded import resolve_dsn
    from db.migrate import migrate
    from scheduler.executors import InProcessExecutor

    sources = load_sources(settings.sources_file)
    if only:
        unknown = [key for key in only if key not in sources]
        if unknown:
            raise SystemExit(f"unknown source(s): {', '.join(unknown)}")
        sources = {key: sources[key] for key in only}
    dsn = await asyncio.to_thread(resolve_dsn, settings)
    applied = await asyncio.to_thread(migrate, dsn)
    if applied:
        log.info("database migrated: %s", ", ".join(applied))
    pool = AsyncConnectionPool(dsn, min_size=2, max_size=8, open=False)
    await pool.open(wait=True, timeout=30)
    if settings.bot_token:
        transport = TelegramTransport(settings.bot_token, settings.bot_api_base)
        if not settings.telegram_alert_chat_ids:
            log.warning(
                "TELEGRAM_BOT_TOKEN is set but TELEGRAM_ALERT_CHAT_IDS is empty: "
                "alerts have nowhere to go"
            )
    else:
        transport = ConsoleTransport()
        log.info("no TELEGRAM_BOT_TOKEN: alerts are printed to the console")
    return Components(
        settings=settings,
        dsn=dsn,
        pool=pool,
        executor=InProcessExecutor(pool, settings.crawl_timeout_seconds),
        detector=Detector(pool, load_sources(settings.sources_file), settings.alert_targets),
        sender=OutboxSender(pool, transport),
        transport=transport,
        sources=sources,
    )


async def crawl_once(parts: Components, key: str) -> None:
    """One crawl of one source, logged as one line (never raises: a source must not stop
    the scheduler)."""
    source = parts.sources[key]
    log.info("crawl started: %s", key)
    try:
        outcome = await parts.executor.crawl(source)
    except Exception:
        log.exception("crawl of %s crashed", key)
        return
    result = outcome.result
    if result is None:
        log.warning("crawl finished: %s (no run recorded) in %.1fs", key, outcome.seconds)
        return
    log.info(
        "crawl finished: %s status=%s items=%d new=%d errors=%d requests=%d seconds=%.1f",
        key,
        result.status,
        result.items,
        result.new_articles,
        result.errors,
        result.requests,
        result.duration_s,
    )


async def stage_loop(
    name: str, work: Callable[[], Awaitable[object]], wait: Callable[[], Awaitable[None]]
) -> None:
    """Run a queue stage whenever woken, forever; errors are logged and retried."""
    while True:
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed; retrying at the next wake-up", name)
        await wait()


def add_crawl_jobs(scheduler, parts: Components) -> None:
    from datetime import datetime

    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    for key, source in parts.sources.items():
        if not source.enabled:
            continue
        if source.cron:
            trigger = CronTrigger.from_crontab(source.cron, timezone="Asia/Shanghai")
            grace = 60
        else:
            trigger = IntervalTrigger(
                seconds=source.interval, jitter=min(source.interval // 10, 30) or None
            )
            grace = max(5, source.interval // 2)
        scheduler.add_job(
            crawl_once,
            trigger,
            args=[parts, key],
            id=f"crawl:{key}",
            name=f"crawl {key}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=grace,
            next_run_time=datetime.now().astimezone(),
        )


async def serve(settings: Settings, only: list[str] | None = None) -> int:
    """The long-running service; returns when SIGINT or SIGTERM arrives."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from capwatch.wakeup import Wakeups
    from db.queries import ARTICLES_CHANNEL, OUTBOX_CHANNEL

    parts = await build(settings, only)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    await parts.sender.recover()
    wakeups = Wakeups(parts.dsn, [ARTICLES_CHANNEL, OUTBOX_CHANNEL])
    poll = settings.poll_seconds
    tasks = [
        asyncio.create_task(wakeups.listen_forever(), name="listen"),
        asyncio.create_task(
            stage_loop(
                "detector", parts.detector.drain, lambda: wakeups.wait(ARTICLES_CHANNEL, poll)
            )
        ),
        asyncio.create_task(
            stage_loop("sender", parts.sender.drain, lambda: wakeups.wait(OUTBOX_CHANNEL, poll))
        ),
    ]
    scheduler = AsyncIOScheduler(timezone="UTC")
    add_crawl_jobs(scheduler, parts)
    scheduler.start()
    log.info("capwatch running: %d source(s): %s", len(parts.sources), ", ".join(parts.sources))
    await stop.wait()

    log.info("stopping: scheduler, crawls, stages, connections")
    scheduler.shutdown(wait=False)
    await parts.executor.stop()
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await parts.transport.close()
    await parts.pool.close()
    log.info("capwatch stopped")
    return 0


async def crawl_command(settings: Settings, key: str, process: bool) -> int:
    """`capwatch crawl KEY`: one crawl; with `process`, also detect and send what it found."""
    parts = await build(settings, [key])
    try:
        await crawl_once(parts, key)
        if process:
            await parts.sender.recover()
            stats = await parts.detector.drain()
            sent = await parts.sender.drain()
            log.info(
                "processed: %d articles, %d relevant, %d new events, %d alerts sent",
                stats.processed,
                stats.relevant,
                stats.new_events,
                sent,
            )
    finally:
        await parts.executor.stop()
        await parts.transport.close()
        await parts.pool.close()
    return 0
