"""The console's aiohttp application: routes, templates, security headers, timing.

aiohttp because the service is asyncio with psycopg's async pool: the console runs on the
service's own event loop (AppRunner + TCPSite, no thread, no signal handling of its own) or
alone under `capwatch web`. Jinja2 renders the pages with autoescaping on for everything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping

from aiohttp import web
from psycopg_pool import AsyncConnectionPool

from web.config import WebConfig
from web.pages import charts, events, feedback, search, sources, study
from web.render import CONSOLE, Console, render, templates
from web.security import Guard

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Security headers on every answer; Server-Timing says how long the server took. Errors
    of a page come back as a page that says what went wrong."""
    started = time.perf_counter()
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or request.method != "GET":
            _secure(exc.headers, started)
            raise
        response = render(
            request, "error.html", status=exc.status, title=exc.reason, message=exc.text or ""
        )
    except Exception:
        log.exception("web: %s %s failed", request.method, request.path_qs)
        response = render(
            request, "error.html", status=500, title="Error", message="Internal error (logged)."
        )
    _secure(response.headers, started)
    return response


def _secure(headers: MutableMapping[str, str], started: float) -> None:
    headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    headers["Content-Security-Policy"] = CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"  # Origin stays set on our own POSTs
    headers["X-Frame-Options"] = "DENY"


def make_app(pool: AsyncConnectionPool, config: WebConfig) -> web.Application:
    app = web.Application(middlewares=[_headers], client_max_size=64 * 1024)
    app[CONSOLE] = Console(pool, config, Guard(config.token, config.secure_cookies), templates())
    app.router.add_get("/", events.events_page, name="events")
    app.router.add_get("/events/{event_id}", events.event_page, name="event")
    app.router.add_post("/events/{event_id}/feedback", feedback.add_verdict)
    app.router.add_get("/search", search.search_page)
    app.router.add_get("/search.csv", search.search_csv)
    app.router.add_get("/search.jsonl", search.search_jsonl)
    app.router.add_get("/sources", sources.sources_page)
    app.router.add_get("/charts", charts.charts_page)
    app.router.add_get("/study", study.study_page)
    app.router.add_get("/login", feedback.login_page)
    app.router.add_post("/login", feedback.login)
    app.router.add_post("/logout", feedback.logout)
    app.router.add_static("/static", _static_dir())
    return app


def _static_dir() -> str:
    from importlib import resources

    return str(resources.files("web") / "static")
