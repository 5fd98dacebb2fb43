"""Health never lies (issue 13), with real crawls against a local server: a crawl in which
every request failed is `failed` with the reason; an HTTP error, a redirect loop and a feed
with no readable entries are errors, so health flags the source after
CAPWATCH_HEALTH_FAILURES crawls and the admin report goes out; every source failing the same
network way at once is one "network unreachable?" report; a request given up is one log line
(source, URL, reason), not a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import psycopg
import pytest
from aiohttp import web
from psycopg_pool import AsyncConnectionPool

from alerts.transport import TelegramTransport
from capwatch.settings import Settings
from capwatch.telegram_setup import telegram_config
from crawlers.netfail import network_verdict
from crawlers.sources import load_sources
from scheduler.admin_notify import AdminNotifier
from scheduler.health import HealthMonitor
from tests.capwatch.service.helpers import TOKEN
from tests.crawlers.sources.conftest import run_crawls, run_crawls_logged
from tests.fakes.serving import BackgroundServer

pytestmark = pytest.mark.integration
THRESHOLD = 3
ADMIN = 555


def telegram(url: str) -> TelegramTransport:
    settings = Settings(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=url)
    return TelegramTransport(telegram_config(settings))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site() -> web.Application:
    async def gone(request: web.Request) -> web.Response:
        return web.Response(status=404, text="not found")

    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop.xml")

    async def empty(request: web.Request) -> web.Response:
        html = "<html><body><h1>维护中</h1><p>maintenance</p></body></html>"
        return web.Response(text=html, content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/gone.xml", gone)
    app.router.add_get("/loop.xml", loop)
    app.router.add_get("/empty.xml", empty)
    return app


def feed(key: str, url: str) -> str:
    return (
        f'[[source]]\nkey = "{key}"\nname = "{key} feed"\nkind = "rss"\nurl = "{url}"\n'
        'tier = "media"\ninterval = 900\n'
    )


def write(tmp_path: Path, entries: dict[str, str]) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text("\n".join(feed(k, u) for k, u in entries.items()), "utf-8")
    return path


def rows(dsn: str) -> dict[str, list[tuple]]:
    with psycopg.connect(dsn) as conn:
        found: dict[str, list[tuple]] = {}
        for key, status, reason, errors, items in conn.execute(
            "SELECT source_key, status, finish_reason, errors, items FROM crawl_runs ORDER BY id"
        ):
            found.setdefault(key, []).append((status, reason, errors, items))
    return found


async def test_dead_sources_are_errors_failing_and_reported(tmp_path, database_url, bot_api):
    api, bot = bot_api
    server = BackgroundServer(site()).start()
    refused = f"http://127.0.0.1:{closed_port()}/feed.xml"
    try:
        sources_file = write(
            tmp_path,
            {
                "gone": f"{server.url}/gone.xml",
                "loop": f"{server.url}/loop.xml",
                "empty": f"{server.url}/empty.xml",
                "refused": refused,
            },
        )
        keys = ["gone", "loop", "empty", "refused"]
        logs = [run_crawls_logged(database_url, sources_file, keys)[1] for _ in range(THRESHOLD)]
    finally:
        server.stop()
    runs = rows(database_url)
    for key in ("gone", "loop", "empty"):
        assert len(runs[key]) == THRESHOLD
        assert all(status == "finished" and errors > 0 for status, _, errors, _ in runs[key]), runs
    assert all(
        status == "failed" and reason.startswith("network: connection refused for 127.0.0.1:")
        for status, reason, _, _ in runs["refused"]
    ), runs["refused"]
    # one line per request given up (robots.txt and the feed), no traceback
    for log in logs:
        assert "Traceback" not in log, log
        given_up = [line for line in log.splitlines() if refused.rsplit("/", 1)[0] in line]
        assert len(given_up) == 2, log
        assert all("refused" in line and "connection refused" in line for line in given_up)

    sources = load_sources(sources_file)
    transport = telegram(bot.url)
    async with AsyncConnectionPool(database_url, min_size=1, max_size=2) as pool:
        monitor = HealthMonitor(pool, sources, AdminNotifier(transport, [ADMIN]), THRESHOLD)
        reported = await monitor.check()
        states = {h.key: h for h in await monitor.current() if h.key in keys}  # + built-ins
    await transport.close()
    assert sorted(h.key for h in reported) == ["empty", "gone", "loop", "refused"]
    assert {h.state for h in states.values()} == {"failing"}
    assert "HTTP error" in states["gone"].last_problem
    assert "connection refused" in states["refused"].last_problem
    assert network_verdict(list(states.values())) is None  # they fail in different ways
    texts = [c.params["text"] for c in api.sent() if int(c.params["chat_id"]) == ADMIN]
    assert len(texts) == 4 and all("is failing" in t for t in texts)


async def test_every_source_failing_the_same_network_way_is_one_report(
    tmp_path, database_url, bot_api
):
    api, bot = bot_api
    entries = {f"down{n}": f"http://127.0.0.1:{closed_port()}/feed.xml" for n in range(3)}
    sources_file = write(tmp_path, entries)
    for _ in range(THRESHOLD):
        run_crawls(database_url, sources_file, list(entries))
    sources = load_sources(sources_file)
    transport = telegram(bot.url)
    async with AsyncConnectionPool(database_url, min_size=1, max_size=2) as pool:
        monitor = HealthMonitor(pool, sources, AdminNotifier(transport, [ADMIN]), THRESHOLD)
        assert await monitor.check() == []  # folded into the network report
        assert await monitor.check() == []  # said once
        states = [h for h in await monitor.current() if h.key in entries]  # + built-ins
    await transport.close()
    verdict = network_verdict(states)
    assert verdict is not None and verdict.startswith("network unreachable?")
    assert "connection refused" in verdict
    texts = [c.params["text"] for c in api.sent() if int(c.params["chat_id"]) == ADMIN]
    assert len(texts) == 1 and verdict in texts[0]
