"""Source health, from the same code as `capwatch status`, with each source's recent crawls."""

from __future__ import annotations

from aiohttp import web

from db import locks, runs
from scheduler.health import collect
from web.render import console, render

RECENT_RUNS = 8


async def sources_page(request: web.Request) -> web.Response:
    app = console(request)
    sources = app.config.sources
    async with app.pool.connection() as conn:
        health = await collect(conn, sources, app.config.failures_threshold)
        recent = await runs.recent_runs(conn, list(sources), per_source=RECENT_RUNS)
        holder = await locks.scheduler_holder(conn)
    order = {"failing": 0, "stale": 1, "degraded": 2, "ok": 3, "new": 4, "disabled": 5}
    health.sort(key=lambda h: (order.get(h.state, 9), h.key))
    counts: dict[str, int] = {}
    for h in health:
        counts[h.state] = counts.get(h.state, 0) + 1
    return render(
        request,
        "sources.html",
        title="Sources",
        health=health,
        runs=recent,
        holder=holder,
        counts=counts,
        tiers_of={key: s.tier for key, s in sources.items()},
    )
