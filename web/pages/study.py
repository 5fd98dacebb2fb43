"""The event study: how each kind of action's events moved the sector's main contract 1, 3 and
5 trading days after the first report, against the same horizons over all days (the baseline).
The same numbers as `capwatch study`; sector and action filters live in the query string."""

from __future__ import annotations

from aiohttp import web

from market.moves import HORIZONS
from market.study import event_study
from web import vocab
from web.params import Params
from web.render import console, render


async def study_page(request: web.Request) -> web.Response:
    app = console(request)
    p = Params(request.query)
    sector = _one(p, "sector", dict(vocab.sector_choices()))
    action = _one(p, "action", dict(vocab.action_choices()))
    async with app.pool.connection() as conn:
        rows = await event_study(conn, sector, action)
    return render(
        request,
        "study.html",
        title="Event study",
        rows=rows,
        horizons=HORIZONS,
        chosen_sector=sector or "",
        chosen_action=action or "",
        problems=p.problems,
    )


def _one(p: Params, name: str, allowed: dict[str, str]) -> str | None:
    """One filter value (the study groups by one sector's contract): the first one given."""
    values = p.many(name, allowed)
    if len(values) > 1:
        p.ignore(name, ",".join(values[1:]), "the study takes one value")
    return values[0] if values else None
