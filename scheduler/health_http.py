"""An optional, tiny HTTP endpoint for monitoring (CAPWATCH_HEALTH_PORT).

GET /health: 200 {"status": "ok", "role": ...} while the database answers, else 503;
GET /status: the same JSON as `capwatch status --json`. Plain asyncio streams: no web
framework for two read-only routes. Bind it to loopback unless a monitor elsewhere needs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from core.redact import redact

if TYPE_CHECKING:
    from psycopg_pool import AsyncConnectionPool

    from crawlers.sources import SourceConfig
    from scheduler.leader import SchedulerLock

from db.channels import ping

log = logging.getLogger(__name__)

Route = Callable[[], Awaitable[tuple[int, dict[str, Any]]]]
_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


class HealthServer:
    def __init__(self, host: str, port: int, routes: dict[str, Route]) -> None:
        self.host = host
        self.port = port
        self.routes = routes
        self.server: asyncio.base_events.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self.server.sockets[0].getsockname()[1]
        log.info("health endpoint on http://%s:%d/health and /status", self.host, self.port)
        return self.port

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), 10)
            while (await asyncio.wait_for(reader.readline(), 10)) not in (b"\r\n", b"\n", b""):
                pass  # headers are not needed
            parts = request.decode("latin-1").split()
            status, body = await self._answer(parts)
        except Exception as exc:  # a bad request must not take anything down
            status, body = 503, {"status": "error", "error": str(exc)}
        payload = json.dumps(body, ensure_ascii=False, default=str).encode()
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
        )
        with contextlib.suppress(Exception):
            writer.write(head.encode() + payload)
            await writer.drain()
            writer.close()
            await writer.wait_closed()

    async def _answer(self, parts: list[str]) -> tuple[int, dict[str, Any]]:
        if len(parts) < 2:
            return 405, {"error": "bad request"}
        if parts[0] != "GET":
            return 405, {"error": "only GET"}
        route = self.routes.get(parts[1].split("?", 1)[0])
        if route is None:
            return 404, {"error": "not found", "routes": sorted(self.routes)}
        return await route()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.wait_closed(), 5)


async def start_health_endpoint(
    host: str,
    port: int | None,
    unhealthy_after: int,
    pool: AsyncConnectionPool,
    sources: dict[str, SourceConfig],
    lock: SchedulerLock,
) -> HealthServer | None:
    """GET /health and /status on `port` (CAPWATCH_HEALTH_PORT), when set; returns the server."""
    if port is None:
        return None
    from scheduler.status import status_report

    async def health() -> tuple[int, dict[str, Any]]:
        role = "scheduler" if lock.conn is not None else "standby"
        try:
            async with pool.connection(timeout=5) as conn:
                await ping(conn)
        except Exception as exc:
            error = redact(str(exc))
            return 503, {"status": "database unreachable", "role": role, "error": error}
        return 200, {"status": "ok", "role": role}

    async def status() -> tuple[int, dict[str, Any]]:
        return 200, await status_report(pool, sources, unhealthy_after)

    server = HealthServer(host, port, {"/health": health, "/status": status})
    await server.start()
    return server
