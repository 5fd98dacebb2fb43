"""Writes: an analyst's verdict on an event, and the operator-token login that allows it."""

from __future__ import annotations

import logging

from aiohttp import web

from db import feedback
from db.events import get_event
from db.feedback import VERDICTS
from web import vocab
from web.render import console, render

log = logging.getLogger(__name__)


async def add_verdict(request: web.Request) -> web.StreamResponse:
    """POST /events/{id}/feedback: verdict (+ the right sectors for wrong_sector)."""
    app = console(request)
    form = await request.post()
    app.guard.check_write(request, str(form.get("csrf", "")))
    event_id = request.match_info["event_id"]
    verdict = str(form.get("verdict", ""))
    if verdict not in VERDICTS:
        raise web.HTTPBadRequest(text=f"unknown verdict {verdict!r}")
    known = dict(vocab.sector_choices())
    sectors = [str(s) for s in form.getall("sector", []) if str(s) in known]
    if verdict == "wrong_sector" and not sectors:
        raise web.HTTPBadRequest(text="wrong sector: pick the right sector(s)")
    name = " ".join(str(form.get("analyst", "")).split())[:80] or None
    async with app.pool.connection() as conn:
        if await get_event(conn, event_id) is None:
            raise web.HTTPNotFound(text=f"no event {event_id!r}")
        await feedback.add_feedback(
            conn,
            event_id,
            verdict,
            sectors=sectors if verdict == "wrong_sector" else (),
            user_name=name,
            origin="web",
        )
    log.info("web: verdict %s on event %s", verdict, event_id)
    raise web.HTTPSeeOther(f"/events/{event_id}?saved=1#verdicts")


async def login_page(request: web.Request) -> web.Response:
    app = console(request)
    if not app.guard.enabled:
        raise web.HTTPNotFound(text="read-only console: the operator has set no CAPWATCH_WEB_TOKEN")
    return render(request, "login.html", title="Log in", failed=False, next=_next(request))


async def login(request: web.Request) -> web.StreamResponse:
    app = console(request)
    if not app.guard.enabled:
        raise web.HTTPForbidden(text="read-only console: set CAPWATCH_WEB_TOKEN to write")
    if not app.guard.same_origin(request):
        raise web.HTTPForbidden(text="cross-site request refused")
    form = await request.post()
    target = _next(request, str(form.get("next", "/")))
    if not app.guard.token_matches(str(form.get("token", ""))):
        log.warning("web: failed login from %s", request.remote)
        return render(request, "login.html", status=403, title="Log in", failed=True, next=target)
    response = web.HTTPSeeOther(target)
    app.guard.set_cookie(response, app.guard.new_session())
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    app = console(request)
    session = app.guard.session(request)
    form = await request.post()
    if session is not None:
        app.guard.check_write(request, str(form.get("csrf", "")))
    response = web.HTTPSeeOther("/")
    response.del_cookie("capwatch_session", path="/")
    raise response


def _next(request: web.Request, given: str | None = None) -> str:
    """Where to go after logging in: a path on this console only (no open redirect)."""
    target = given if given is not None else request.query.get("next", "/")
    local_path = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if local_path else "/"
