"""Serving the console: on a running event loop (inside `capwatch run`) or alone (`capwatch web`).

The console gets its own small connection pool, so a busy analyst can never take the
connections the crawls, the detector and the sender need.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web
from psycopg_pool import AsyncConnectionPool

from core.errors import UnavailableError
from web.app import make_app
from web.config import WebConfig

log = logging.getLogger(__name__)
POOL_SIZE = 4


class WebConsole:
    """The console listening on config.host:config.port until stop()."""

    def __init__(self, dsn: str, config: WebConfig) -> None:
        self.config = config
        self.pool = AsyncConnectionPool(
            dsn,
            min_size=1,
            max_size=POOL_SIZE,
            open=False,
            check=AsyncConnectionPool.check_connection,
            kwargs={"application_name": "capwatch web"},
        )
        self.runner: web.AppRunner | None = None
        self.port = config.port

    async def start(self) -> int:
        """Opens the pool and the socket; returns the port (useful when config.port is 0)."""
        await self.pool.open()
        self.runner = web.AppRunner(make_app(self.pool, self.config), access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.config.host, self.config.port)
        try:
            await site.start()
        except OSError as exc:
            await self.stop()
            raise UnavailableError(
                f"web console: cannot listen on {self.config.host}:{self.config.port}: "
                f"{exc.strerror or exc}"
            ) from exc
        address = self.runner.addresses[0]
        self.port = int(address[1])
        mode = "verdicts need the token" if self.config.writable else "read-only"
        log.info("web console on http://%s:%d/ (%s)", self.config.host, self.port, mode)
        return self.port

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
        await self.pool.close()


async def serve_forever(dsn: str, config: WebConfig) -> int:
    """`capwatch web`: serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    console = WebConsole(dsn, config)
    await console.start()
    try:
        await stop.wait()
    finally:
        await console.stop()
    log.info("web console stopped")
    return 0
