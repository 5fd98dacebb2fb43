"""Fetch the daily bars of every contract in detection/contracts.toml and store them.

One HTTP GET per series (the endpoint returns the whole history, so a fetch is also the
backfill). A series that fails is logged with its reason and the others go on; the fetch is
recorded as a crawl run of the pseudo-source `quotes`, so a quote source that stops answering
shows in `capwatch status` like any other source.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from psycopg_pool import AsyncConnectionPool

from crawlers.sources import SourceConfig
from db import quotes, runs
from db.models import CrawlRunResult
from detection.contracts import book
from market.sina import daily_url, parse_daily

log = logging.getLogger(__name__)

QUOTES_SOURCE = "quotes"
HEADERS = {"User-Agent": "Mozilla/5.0 (capwatch)", "Referer": "https://finance.sina.com.cn/"}


@dataclass
class FetchResult:
    stored: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def all_symbols() -> list[str]:
    return sorted(contract.main for contract in book().contracts.values())


async def fetch_quotes(
    pool: AsyncConnectionPool,
    symbols: Sequence[str] | None = None,
    *,
    base_url: str | None = None,
    timeout: float = 15.0,
    now: datetime | None = None,
) -> FetchResult:
    """Fetch and store; `base_url` replaces Sina's host (tests, a mirror)."""
    wanted = list(symbols) if symbols else all_symbols()
    result = FetchResult()
    started = time.monotonic()
    async with pool.connection() as conn:
        run_id = await runs.start_crawl_run(conn, QUOTES_SOURCE, "inprocess")
    async with httpx.AsyncClient(timeout=timeout, headers=HEADERS) as client:
        for symbol in wanted:
            url = daily_url(symbol)
            if base_url:
                url = base_url.rstrip("/") + url[url.index("/", 8) :]
            try:
                response = await client.get(url)
                response.raise_for_status()
            except httpx.HTTPStatusError as exc:
                result.failed[symbol] = f"HTTP {exc.response.status_code}"
                log.debug("quotes: %s: gave up %s: %s", symbol, url, result.failed[symbol])
                continue
            except httpx.HTTPError as exc:
                first_line = (str(exc).splitlines() or [""])[0]
                result.failed[symbol] = f"{type(exc).__name__}: {first_line}".strip(": ")
                log.debug("quotes: %s: gave up %s: %s", symbol, url, result.failed[symbol])
                continue
            parsed = parse_daily(symbol, response.text, now)
            if not parsed.bars:
                result.failed[symbol] = parsed.problem or "no bars"
                log.debug("quotes: %s: %s", symbol, result.failed[symbol])
                continue
            async with pool.connection() as conn:
                result.stored[symbol] = await quotes.upsert_bars(conn, parsed.bars)
    if result.failed:  # one line for the fetch, not one per series
        first = min(result.failed)
        log.warning(
            "quotes: %d of %d series failed (first: %s: %s)",
            len(result.failed), len(wanted), first, result.failed[first],
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
                items=sum(result.stored.values()),
                new_articles=0,
                errors=len(result.failed),
                duration_s=time.monotonic() - started,
            ),
        )
    return result


def in_session(moment: datetime) -> bool:
    """Day-session hours of a trading day (Beijing): when a fetch can change today's bar."""
    from core.tz import BEIJING
    from market.calendar import is_trading_day

    local = moment.astimezone(BEIJING)
    minutes = local.hour * 60 + local.minute
    return is_trading_day(local.date()) and 9 * 60 <= minutes <= 15 * 60


def quotes_source(interval_minutes: int) -> SourceConfig:
    """The quote fetch as a source for health: its runs are crawl runs of key `quotes`, so a
    quote endpoint that stops answering is `failing` in `capwatch status` and reported to the
    admins like any source."""
    return SourceConfig(
        key=QUOTES_SOURCE,
        name="期货行情 Futures quotes (Sina)",
        kind="json",
        url="https://stock2.finance.sina.com.cn/futures/api/jsonp.php/",
        tier="media",
        interval=interval_minutes * 60,
        # fetched by the market jobs (capwatch/service.py), never scheduled as a crawl
        confidence="medium",
    )


def with_quotes(
    sources: dict[str, SourceConfig], enabled: bool, interval_minutes: int
) -> dict[str, SourceConfig]:
    """The sources health watches: the configured ones, plus the quote fetch when it runs."""
    if not enabled or QUOTES_SOURCE in sources:
        return sources
    return {**sources, QUOTES_SOURCE: quotes_source(interval_minutes)}
