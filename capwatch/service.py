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
from typing import TYPE_CHECKING

from capwatch.settings import Settings
from core.errors import UserError
from crawlers.sources import SourceConfig

if TYPE_CHECKING:  # imported for real inside the functions: Twisted must not load early
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from psycopg_pool import AsyncConnectionPool

    from alerts.sender import OutboxSender
    from alerts.transport import Transport
    from capwatch.detector import Detector
    from scheduler.executors import CrawlExecutor
    from scheduler.health import HealthMonitor
    from scheduler.jobs import CrawlJobs

if TYPE_CHECKING:
    from web.server import WebConsole

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
    error: Exception | None = None

    def start(_reactor: object) -> Deferred[None]:
        async def wrapped() -> None:
            nonlocal code, error
            try:
                code = await main()
            except Exception as exc:  # raised again below, outside Twisted's logging
                error = exc

        return Deferred.fromFuture(asyncio.ensure_future(wrapped()))

    try:
        react(start)
    except SystemExit as exc:  # react() exits the process; keep our own exit code
        if error is None and isinstance(exc.code, int) and exc.code != 0:
            return exc.code
    if error is not None:
        raise error
    return code


@dataclass
class Components:
    """The live parts of the service, built once and shut down in reverse order."""

    settings: Settings
    dsn: str
    pool: AsyncConnectionPool
    jobs: CrawlJobs  # every crawl goes through it
    health: HealthMonitor
    detector: Detector
    sender: OutboxSender
    transport: Transport
    sources: dict[str, SourceConfig]


def build_executors(
    settings: Settings, dsn: str, pool: AsyncConnectionPool, sources: dict[str, SourceConfig]
) -> dict[str, CrawlExecutor]:
    """The executors the sources need: CAPWATCH_EXECUTOR, or a source's own `executor`."""
    wanted = {source.executor or settings.default_executor for source in sources.values()}
    executors: dict[str, CrawlExecutor] = {}
    if "inprocess" in wanted:
        from scheduler.executors import InProcessExecutor

        executors["inprocess"] = InProcessExecutor(pool, settings.crawl_timeout_seconds)
    if "subprocess" in wanted:
        from scheduler.subprocess_executor import SubprocessExecutor

        executors["subprocess"] = SubprocessExecutor(dsn, settings.crawl_timeout_seconds)
    if "scrapyd" in wanted:
        from scheduler.scrapyd_executor import ScrapydExecutor

        if not settings.scrapyd_nodes:
            raise UserError("the scrapyd executor needs CAPWATCH_SCRAPYD_URL")
        executors["scrapyd"] = ScrapydExecutor(
            settings.scrapyd_nodes, settings.scrapyd_project, settings.crawl_timeout_seconds
        )
    return executors


def _check_executors(settings: Settings, sources: dict[str, SourceConfig]) -> None:
    """Refuse a configuration the executors cannot serve before anything starts."""
    wanted = {source.executor or settings.default_executor for source in sources.values()}
    if "scrapyd" in wanted and not settings.scrapyd_nodes:
        raise UserError("the scrapyd executor needs CAPWATCH_SCRAPYD_URL")


async def build(settings: Settings, only: list[str] | None) -> Components:
    from psycopg_pool import AsyncConnectionPool

    from alerts.bot import BotSetupError, check_webhook
    from alerts.sender import OutboxSender
    from alerts.transport import ConsoleTransport, TelegramTransport
    from capwatch.database import open_database
    from capwatch.detector import Detector
    from capwatch.telegram_setup import bot_config, telegram_config
    from crawlers.sources import load_sources
    from scheduler.admin_notify import AdminNotifier
    from scheduler.health import HealthMonitor
    from scheduler.jobs import CrawlJobs

    if settings.bot_token and settings.telegram_bot_commands:
        try:
            check_webhook(bot_config(settings).webhook)  # a bot that cannot work fails now
        except BotSetupError as exc:
            raise UserError(str(exc)) from None
    all_sources = load_sources(settings.sources_file)
    sources = all_sources
    if only:
        unknown = [key for key in only if key not in all_sources]
        if unknown:
            raise UserError(
                f"unknown source(s): {', '.join(unknown)}; known: {', '.join(sorted(all_sources))}"
            )
        sources = {key: all_sources[key] for key in only}
    _check_executors(settings, sources)
    database = await asyncio.to_thread(open_database, settings)
    dsn = database.dsn
    if database.applied:
        log.info("database migrated: %s", ", ".join(database.applied))
    # check=: a connection broken by a database restart is replaced, not handed out
    pool = AsyncConnectionPool(
        dsn,
        min_size=2,
        max_size=max(8, settings.max_concurrent_crawls + 4),
        open=False,
        check=AsyncConnectionPool.check_connection,
    )
    await pool.open(wait=True, timeout=30)
    if settings.bot_token:
        transport: Transport = TelegramTransport(telegram_config(settings))
        if not settings.telegram_alert_chat_ids:
            log.warning(
                "TELEGRAM_BOT_TOKEN is set but TELEGRAM_ALERT_CHAT_IDS is empty: "
                "alerts have nowhere to go"
            )
    else:
        transport = ConsoleTransport()
        log.info("no TELEGRAM_BOT_TOKEN: alerts are printed to the console")
    from market.fetch import with_quotes

    health = HealthMonitor(
        pool,
        with_quotes(
            sources,
            settings.quotes_enabled,
            settings.quotes_interval_minutes,
            settings.quotes_intraday,
        ),
        AdminNotifier.for_config(bot_config(settings), transport),
        settings.health_failures,
    )
    jobs = CrawlJobs(
        pool,
        sources,
        build_executors(settings, dsn, pool, sources),
        settings.default_executor,
        settings.max_concurrent_crawls,
        settings.crawl_timeout_seconds,
        after_crawl=lambda key: health.check([key]),
    )
    return Components(
        settings=settings,
        dsn=dsn,
        pool=pool,
        jobs=jobs,
        health=health,
        detector=Detector(
            pool,
            all_sources,  # articles of every source, not only the --only ones, are detected
            settings.alert_targets,
            alert_max_age=settings.alert_max_age,
        ),
        sender=OutboxSender(pool, transport, admin_chat_ids=settings.telegram_admin_chat_ids),
        transport=transport,
        sources=sources,
    )


async def close(parts: Components) -> None:
    """Last step of every command: executors, transport, pool."""
    await parts.jobs.close()
    await parts.transport.close()
    await parts.pool.close()


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


async def housekeeping(parts: Components) -> None:
    """Every few minutes: close runs whose process died, assess every source (staleness)."""
    from db.runs import close_abandoned_runs

    try:
        async with parts.pool.connection() as conn:
            closed = await close_abandoned_runs(
                conn, 2 * parts.settings.crawl_timeout_seconds + 120
            )
        if closed:
            log.warning("closed %d crawl run(s) left running by a process that died", closed)
        await parts.health.check()
    except Exception as exc:
        log.warning("health check failed: %s", exc)


async def fetch_quotes_job(parts: Components, close: bool = False) -> None:
    """Quotes on schedule: in session hours (and once at start, the backfill); at the close
    also re-arm the day's alerts so their message shows the close."""
    from datetime import datetime

    from core.tz import BEIJING
    from market.calendar import is_trading_day
    from market.context import arm_close_edits
    from market.fetch import fetch_minutes, fetch_quotes

    try:
        await fetch_quotes(parts.pool, base_url=parts.settings.quotes_base_url)
        if parts.settings.quotes_intraday:
            await fetch_minutes(
                parts.pool,
                base_url=parts.settings.quotes_base_url,
                keep_days=parts.settings.quotes_minute_days,
            )
        if close and is_trading_day(datetime.now(BEIJING).date()):
            async with parts.pool.connection() as conn:
                armed = await arm_close_edits(conn)
            if armed:
                log.info("market close: %d alert(s) to edit with the day's close", armed)
    except Exception as exc:
        log.warning("quote fetch failed: %s", exc)


def add_quote_jobs(scheduler: AsyncIOScheduler, parts: Components) -> None:
    """Every CAPWATCH_QUOTES_INTERVAL_MINUTES in session hours (day and night sessions), once
    now, and at 15:10."""
    from datetime import datetime

    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    from core.tz import BEIJING
    from market.fetch import in_session

    async def tick() -> None:
        if in_session(datetime.now(BEIJING)):
            await fetch_quotes_job(parts)

    common = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 600}
    scheduler.add_job(
        tick, IntervalTrigger(minutes=parts.settings.quotes_interval_minutes),
        id="quotes", **common,
    )  # fmt: skip
    scheduler.add_job(fetch_quotes_job, args=[parts], id="quotes-start", **common)
    scheduler.add_job(
        fetch_quotes_job,
        CronTrigger(day_of_week="mon-fri", hour=15, minute=10, timezone=BEIJING),
        args=[parts, True], id="quotes-close", **common,
    )  # fmt: skip


async def run_scheduler(parts: Components, stop: asyncio.Event, lost: asyncio.Event) -> None:
    """The scheduler's work, while this process holds the scheduler lock: crawls on schedule,
    detector, sender (and the Telegram bot: only the scheduler polls it). Returns when `stop`
    (a signal) or `lost` (another process took over) is set, with everything stopped."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    from capwatch.wakeup import Wakeups
    from db.channels import ARTICLES_CHANNEL, OUTBOX_CHANNEL
    from scheduler.jobs import add_crawl_jobs

    settings = parts.settings
    await housekeeping(parts)
    await parts.sender.recover()
    from alerts.bot import start_bot, stop_bot
    from alerts.transport import TelegramTransport
    from capwatch.telegram_setup import bot_config

    bot = None  # commands: with a token, unless TELEGRAM_BOT_COMMANDS=false
    if isinstance(parts.transport, TelegramTransport) and settings.telegram_bot_commands:
        bot = await start_bot(
            bot_config(settings), parts.pool, parts.transport, parts.health.current
        )  # /sources shows the health monitor's view, as `capwatch status` does
    parts.jobs.resume()
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
    count = add_crawl_jobs(scheduler, parts.jobs)
    scheduler.add_job(
        housekeeping,
        IntervalTrigger(minutes=5),
        args=[parts],
        id="health",
        max_instances=1,
        coalesce=True,
    )
    if settings.quotes_enabled:
        add_quote_jobs(scheduler, parts)
    scheduler.start()
    log.info("capwatch running: %d source(s) scheduled: %s", count, ", ".join(parts.sources))
    waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(lost.wait())]
    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()

    log.info("stopping: scheduler, crawls, stages")
    scheduler.pause()  # no new crawls; shutdown() would cancel running jobs unrecorded
    await parts.jobs.stop()
    scheduler.shutdown(wait=False)
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await stop_bot(bot)


async def start_web_console(settings: Settings, parts: Components) -> WebConsole | None:
    """The web console on CAPWATCH_WEB_PORT, when set (standby processes serve it too)."""
    if settings.web_port is None:
        return None
    from capwatch.web_setup import web_config
    from core.errors import UnavailableError
    from web.server import WebConsole

    console = WebConsole(parts.dsn, web_config(settings, parts.sources))
    try:
        await console.start()
    except UnavailableError as exc:  # the service goes on without its console
        log.error("%s", exc)
        return None
    return console


async def serve(settings: Settings, only: list[str] | None = None) -> int:
    """The long-running service; returns when SIGINT or SIGTERM arrives.

    Only one `capwatch run` per database schedules (scheduler/leader.py); another one waits
    as a standby and takes over when the first stops or dies."""
    from scheduler.health_http import start_health_endpoint
    from scheduler.leader import SchedulerLock

    parts = await build(settings, only)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    lock = SchedulerLock(parts.dsn, settings.standby_retry_seconds)
    endpoint = await start_health_endpoint(
        settings.health_host,
        settings.health_port,
        settings.health_failures,
        parts.pool,
        parts.sources,
        lock,
    )
    console = await start_web_console(settings, parts)
    supervisor = None
    if not settings.database_url:  # capwatch owns the embedded server: keep it up
        from db.embedded_control import EmbeddedSupervisor

        watch = EmbeddedSupervisor(settings.data_dir / "pgdata", settings.embedded_check_seconds)
        supervisor = asyncio.create_task(watch.run_forever(), name="embedded-supervisor")
    try:
        while not stop.is_set():
            if not await lock.acquire(stop):
                break
            try:
                await run_scheduler(parts, stop, lock.lost)
            finally:
                await lock.release()
    finally:
        if console is not None:
            await console.stop()
        if supervisor is not None:
            supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await supervisor
        if endpoint is not None:
            await endpoint.stop()
        await close(parts)
    log.info("capwatch stopped")
    return 0


async def crawl_command(settings: Settings, key: str, process: bool) -> int:
    """`capwatch crawl KEY`: one crawl; with `process`, also detect and send what it found."""
    parts = await build(settings, [key])
    try:
        report = await parts.jobs.run(key)
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
        await close(parts)
    return 0 if report.status == "finished" else 1


async def backfill_command(
    settings: Settings, key: str, since: str, until: str | None, timeout: int
) -> int:
    """`capwatch backfill KEY --since DATE`: one long crawl walking the source's history back
    to DATE; the running service (if any) detects and alerts what it stores."""
    parts = await build(settings, [key])
    try:
        source = parts.sources[key]
        from scheduler.executors import InProcessExecutor

        executor = parts.jobs.executor_for(source)
        if isinstance(executor, InProcessExecutor):
            spider_cls = executor.runner.spider_loader.load(source.spider_name)
            if not getattr(spider_cls, "supports_backfill", False):
                raise UserError(f"{key}: its spider cannot page back in time (no backfill)")
        args = {"since": since, **({"until": until} if until else {})}
        report = await parts.jobs.run(key, args=args, timeout=timeout)
    finally:
        await close(parts)
    log.info("backfill of %s: %s, %d items, %d new", key, report.status, report.items, report.new)
    return 0 if report.status == "finished" else 1
