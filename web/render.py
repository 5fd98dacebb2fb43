"""What every page handler shares: the console's parts on the application, and rendering a
template with what every page shows (navigation, login state, menus)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jinja2
from aiohttp import web
from psycopg_pool import AsyncConnectionPool

from core.tz import BEIJING
from web import vocab
from web.config import WebConfig
from web.highlight import mark_snippet, mark_terms
from web.security import Guard


@dataclass(frozen=True)
class Console:
    pool: AsyncConnectionPool
    config: WebConfig
    guard: Guard
    templates: jinja2.Environment


def outside_link(url: str) -> str:
    """A crawled URL fit for href: http(s) only (a page could carry javascript: or data:)."""
    return url if url.lower().startswith(("http://", "https://")) else "#"


def local(when: datetime | None) -> str:
    """A moment as Beijing wall-clock time, the way analysts read it."""
    return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if when else ""


CONSOLE = web.AppKey("console", Console)


def percent(value: float | None) -> str:
    """A move as text (0.042 -> +4.20%); None (nothing traded that far yet) is a dash."""
    if value is None:
        return "—"
    sign = "+" if value >= 0 else "−"
    return f"{sign}{abs(value) * 100:.2f}%"


def console(request: web.Request) -> Console:
    return request.app[CONSOLE]


def templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("web", "templates"),
        autoescape=True,  # every page and fragment: titles from the web are hostile
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        local=local,
        outside=outside_link,
        sector=vocab.sector_label,
        action=vocab.action_label,
        actor=vocab.actor_label,
        tier=vocab.tier_label,
        mark_terms=mark_terms,
        mark_snippet=mark_snippet,
        percent=percent,
    )
    return env


def render(request: web.Request, name: str, status: int = 200, **context: Any) -> web.Response:
    """A page from its template, with what every page shows (navigation, login state)."""
    app = console(request)
    session = app.guard.session(request)
    page = app.templates.get_template(name).render(
        path=request.path,
        writable=app.guard.enabled,
        logged_in=session is not None,
        csrf=session.csrf if session else "",
        sectors=vocab.sector_choices(),
        actions=vocab.action_choices(),
        tiers=vocab.tier_choices(),
        now=datetime.now().astimezone(),
        **context,
    )
    return web.Response(text=page, status=status, content_type="text/html", charset="utf-8")
