"""Fetch the daily and minute bars of every contract in detection/contracts.toml and store them.

Daily: one HTTP GET per series (the endpoint returns the whole history, so a fetch is also the
backfill). Minutes: one GET per series for the newest one-minute bars (two to three trading
days of them: the backfill after a pause), stored from the newest minute already held on, and
pruned to the retention (CAPWATCH_QUOTES_MINUTE_DAYS). A series that fails is logged with its
reason and the others go on; each fetch is recorded as a crawl run of a pseudo-source (`quotes`
for the daily bars, `quotes_minute` for the minutes), so a quote source that stops answering
shows in `capwatch status` like any other source.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock

import httpx
from psycopg_pool import AsyncConnectionPool

from core.tz import BEIJING
from crawlers.sources import SourceConfig
from db import quotes, runs
from db.models import CrawlRunResult
from detection.contracts import book
from market.calendar import is_trading_day
from market.sina import BarT, Parsed, daily_url, minute_url, parse_daily, parse_minutes

log = logging.getLogger(__name__)

QUOTES_SOURCE = "quotes"
MINUTES_SOURCE = "quotes_minute"
MINUTE_DAYS = 10  # default retention of minute bars (CAPWATCH_QUOTES_MINUTE_DAYS)
HEADERS = {"User-Agent": "Mozilla/5.0 (capwatch)", "Referer": "https://finance.sina.com.cn/"}


@dataclass
class FetchResult:
    stored: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def all_symbols() -> list[str]:
    return sorted(contract.main for contract in book().contracts.values())


def _with_base(url: str, base_url: str | None) -> str:
    return base_url.rstrip("/") + url[url.index("/", 8) :] if base_url else url


async def _get(client: httpx.AsyncClient, url: str) -> tuple[str | None, str | None]:
    """The body, or why there is none (one line)."""
    try:
        response = await client.get(url)
        response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        return None, f"HTTP {exc.response.status_code}"
    except httpx.HTTPError as exc:
        first_line = (str(exc).splitlines() or [""])[0]
        return None, f"{type(exc).__name__}: {first_line}".strip(": ")
    return response.text, None


async def _answers(
    client: httpx.AsyncClient, wanted: Sequence[str], result: FetchResult, what: str,
    base_url: str | None, url_for: Callable[[str], str],
    parse: Callable[[str, str], Parsed[BarT]],
) -> AsyncIterator[tuple[str, list[BarT]]]:  # fmt: skip
    """Each series' bars, one GET per series; a series with no answer or no bars is put in
    `result.failed` with its reason, and the others go on."""
    for symbol in wanted:
        url = _with_base(url_for(symbol), base_url)
        body, why = await _get(client, url)
        if body is None:
            result.failed[symbol] = why or "no answer"
            log.debug("%s: %s: gave up %s: %s", what, symbol, url, result.failed[symbol])
            continue
        parsed = parse(symbol, body)
        if not parsed.bars:
            result.failed[symbol] = parsed.problem or "no bars"
            log.debug("%s: %s: %s", what, symbol, result.failed[symbol])
            continue
        yield symbol, parsed.bars


async def _finish(
    pool: AsyncConnectionPool, run_id: int, wanted: Sequence[str], result: FetchResult,
    items: int, started: float, what: str,
) -> None:  # fmt: skip
    """Log the failures in one line and close the fetch's crawl run (failed when no series
    answered, so health counts it)."""
    if result.failed:  # one line for the fetch, not one per series
        first = min(result.failed)
        log.warning(
            "%s: %d of %d series failed (first: %s: %s)",
            what, len(result.failed), len(wanted), first, result.failed[first],
        )  # fmt: skip
    status = "failed" if wanted and len(result.failed) == len(wanted) else "finished"
    reason = "; ".join(f"{s}: {why}" for s, why in sorted(result.failed.items()))[:500] or None
    async with pool.connection() as conn:
        await runs.finish_crawl_run(
            conn,
            run_id,
            CrawlRunResult(
                status=status,
                finish_reason=reason or "finished",
                requests=len(wanted),
                items=items,
                new_articles=0,
                errors=len(result.failed),
                duration_s=time.monotonic() - started,
            ),
        )


async def fetch_quotes(
    pool: AsyncConnectionPool,
    symbols: Sequence[str] | None = None,
    *,
    base_url: str | None = None,
    timeout: float = 15.0,
    now: datetime | None = None,
) -> FetchResult:
    """Fetch and store the daily bars; `base_url` replaces Sina's host (tests, a mirror)."""
    wanted = list(symbols) if symbols else all_symbols()
    result = FetchResult()
    started = time.monotonic()
    async with pool.connection() as conn:
        run_id = await runs.start_crawl_run(conn, QUOTES_SOURCE, "inprocess")
    async with httpx.AsyncClient(timeout=timeout, headers=HEADERS) as client:
        async for symbol, bars in _answers(
            client, wanted, result, QUOTES_SOURCE, base_url,
            daily_url, lambda symbol, body: parse_daily(symbol, body, now),
        ):  # fmt: skip
            async with pool.connection() as conn:
                result.stored[symbol] = await quotes.upsert_bars(conn, bars)
    await _finish(pool, run_id, wanted, result, sum(result.stored.values()), started, "quotes")
    return result


async def fetch_minutes(
    pool: AsyncConnectionPool,
    symbols: Sequence[str] | None = None,
    *,
    base_url: str | None = None,
    timeout: float = 15.0,
    keep_days: int = MINUTE_DAYS,
    now: datetime | None = None,
) -> FetchResult:
    """Fetch the newest one-minute bars of each series, store those from the newest minute
    already held on (it may have been forming when fetched), and drop minutes older than
    `keep_days`. `stored` counts the bars written per series; the run's items count the bars
    read (a quiet fetch outside the session reads as many and writes none: not a failure)."""
    wanted = list(symbols) if symbols else all_symbols()
    result = FetchResult()
    started = time.monotonic()
    read = 0
    moment = now or datetime.now(BEIJING)
    cutoff = moment - timedelta(days=keep_days)
    async with pool.connection() as conn:
        run_id = await runs.start_crawl_run(conn, MINUTES_SOURCE, "inprocess")
    async with httpx.AsyncClient(timeout=timeout, headers=HEADERS) as client:
        async for symbol, minute_bars in _answers(
            client, wanted, result, MINUTES_SOURCE, base_url, minute_url, parse_minutes
        ):
            read += len(minute_bars)
            async with pool.connection() as conn:
                held = await quotes.newest_minute(conn, symbol)
                fresh = [
                    bar for bar in minute_bars
                    if bar.at >= cutoff and (held is None or bar.at >= held)
                ]  # fmt: skip
                result.stored[symbol] = await quotes.upsert_minutes(conn, fresh)
    async with pool.connection() as conn:
        pruned = await quotes.prune_minutes(conn, cutoff)
    if pruned:
        log.info("quotes_minute: %d minute bar(s) older than %d days dropped", pruned, keep_days)
    await _finish(pool, run_id, wanted, result, read, started, "quotes_minute")
    return result


NIGHT_OPEN = clock(21, 0)  # night sessions open (the day's trading for the next trading day)
NIGHT_LAST = clock(2, 30)  # ... and the longest (gold, silver) ends; base metals at 01:00


def _has_night(day: date) -> bool:
    """A trading day is followed by a night session unless the next weekday is closed (the
    exchanges hold none on the eve of a holiday)."""
    following = day + timedelta(days=1)
    while following.weekday() >= 5:
        following += timedelta(days=1)
    return is_trading_day(day) and is_trading_day(following)


def in_session(moment: datetime) -> bool:
    """Session hours (Beijing), when a fetch can change a bar: the day session of a trading
    day (09:00-15:00) and the night session after it (21:00-02:30)."""
    local = moment.astimezone(BEIJING)
    minutes = local.hour * 60 + local.minute
    if is_trading_day(local.date()) and 9 * 60 <= minutes <= 15 * 60:
        return True
    if local.time() >= NIGHT_OPEN:
        return _has_night(local.date())
    if local.time() <= NIGHT_LAST:
        return _has_night(local.date() - timedelta(days=1))
    return False


def _fetch_source(key: str, name: str, interval_minutes: int) -> SourceConfig:
    """A quote fetch as a source for health: its runs are crawl runs of `key`, so a quote
    endpoint that stops answering is `failing` in `capwatch status` and reported to the
    admins like any source. Fetched by the market jobs (capwatch/service.py), never scheduled
    as a crawl."""
    return SourceConfig(
        key=key,
        name=name,
        kind="json",
        url="https://stock2.finance.sina.com.cn/futures/api/jsonp.php/",
        tier="media",
        interval=interval_minutes * 60,
        confidence="medium",
    )


def quotes_source(interval_minutes: int) -> SourceConfig:
    """The daily-bar fetch (key `quotes`)."""
    return _fetch_source(QUOTES_SOURCE, "期货行情 Futures quotes (Sina)", interval_minutes)


def minutes_source(interval_minutes: int) -> SourceConfig:
    """The minute-bar fetch (key `quotes_minute`): the daily and the minute endpoint can fail
    apart, and each says so."""
    name = "期货分钟行情 Futures minute bars (Sina)"
    return _fetch_source(MINUTES_SOURCE, name, interval_minutes)


def with_quotes(
    sources: dict[str, SourceConfig], enabled: bool, interval_minutes: int,
    intraday: bool = True,
) -> dict[str, SourceConfig]:  # fmt: skip
    """The sources health watches: the configured ones, plus the quote fetches that run."""
    if not enabled:
        return sources
    extra = {QUOTES_SOURCE: quotes_source(interval_minutes)}
    if intraday:
        extra[MINUTES_SOURCE] = minutes_source(interval_minutes)
    return {**sources, **{k: v for k, v in extra.items() if k not in sources}}
