"""A local web server for fixture sites: serves pages by path, mirrors each real host under
/{host}/..., answers conditional GETs (ETag / Last-Modified -> 304), can fail a path a few
times first, and records every request for assertions."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web

LAST_MODIFIED = "Thu, 26 Nov 2026 02:00:00 GMT"


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    fail_first: int = 0  # answer 503 this many times before the page
    validators: bool = False  # send ETag / Last-Modified and honour conditional requests


@dataclass
class FixtureServer:
    pages: dict[str, Page] = field(default_factory=dict)
    hits: Counter = field(default_factory=Counter)
    conditional: list[str] = field(default_factory=list)  # paths asked with If-None-Match
    headers_seen: dict[str, dict[str, str]] = field(default_factory=dict)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        key = request.path_qs
        self.hits[key] += 1
        self.headers_seen[key] = dict(request.headers)
        page = self.pages.get(key)
        if page is None:
            return web.Response(status=404, text="not found")
        if self.hits[key] <= page.fail_first:
            return web.Response(status=503, text="busy", headers={"Retry-After": "0"})
        headers = {"Content-Type": page.content_type}
        if page.validators:
            etag = '"' + hashlib.md5(page.body).hexdigest()[:12] + '"'
            headers.update({"ETag": etag, "Last-Modified": LAST_MODIFIED})
            if request.headers.get("If-None-Match") or request.headers.get("If-Modified-Since"):
                self.conditional.append(key)
            if request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers={"ETag": etag})
        return web.Response(status=page.status, body=page.body, headers=headers)


def start_on_port(app: web.Application, port: int):
    """A BackgroundServer on `port` when it is free, else on a free port."""
    import socket

    from tests.fakes.serving import BackgroundServer

    class FixedPortServer(BackgroundServer):
        async def _start(self) -> None:
            self._runner = web.AppRunner(self.app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", self.wanted)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            wanted = port
        except OSError:
            wanted = 0
    server = FixedPortServer(app)
    server.wanted = wanted  # type: ignore[attr-defined]
    return server.start()
