"""Events, newest first with filters in the query string; one event with everything about it."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from markupsafe import Markup

from db import events, feedback, outbox
from db.events import EventFilter
from db.models import EventReport, ReportEvidence
from db.sources import source_labels
from market.moves import HORIZONS
from market.study import ContractWindow, event_windows
from web import vocab
from web.charts import Close, closes_chart
from web.params import Params, with_params
from web.render import console, render

PER_PAGE = 50


async def events_page(request: web.Request) -> web.Response:
    app = console(request)
    p = Params(request.query)
    wanted = EventFilter(
        sectors=p.many("sector"),
        actions=p.many("action"),
        sources=p.many("source"),
        tiers=p.many("tier", dict(vocab.tier_choices())),
        since=p.when("since"),
        until=p.when("until", end_of_day=True),
    )
    page = p.number("page", 1, 1, 10_000)
    async with app.pool.connection() as conn:
        rows = await events.filter_events(
            conn, wanted, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE
        )
        sources = await source_labels(conn)
    return render(
        request,
        "events.html",
        title="Events",
        events=rows[:PER_PAGE],
        page=page,
        prev_url=f"?{with_params(request.query, page=page - 1)}" if page > 1 else None,
        next_url=f"?{with_params(request.query, page=page + 1)}" if len(rows) > PER_PAGE else None,
        wanted=wanted,
        form={k: p.text(k, 40) for k in ("since", "until")},
        sources=sources,
        problems=p.problems,
    )


@dataclass(frozen=True)
class ReportView:
    """A report of the timeline with what the detector found in it (None: not classified)."""

    report: EventReport
    found: ReportEvidence | None


async def event_page(request: web.Request) -> web.Response:
    app = console(request)
    given = request.match_info["event_id"]
    async with app.pool.connection() as conn:
        timeline = await events.event_timeline(conn, given)
        if timeline is None:
            matches = await events.resolve_event_id(conn, given)
            if len(matches) == 1:
                raise web.HTTPFound(f"/events/{matches[0]}")
            raise web.HTTPNotFound(text=f"no event {given!r}")
        found = {e.article_id: e for e in await events.event_evidence(conn, given)}
        deliveries = await outbox.event_deliveries(conn, given)
        verdicts = await feedback.event_feedback(conn, given)
        windows = await event_windows(
            conn, list(timeline.event.sectors), timeline.event.first_seen_at
        )
    actors = sorted({a for f in found.values() for a in f.actors} | set(timeline.event.actors))
    figures = list(dict.fromkeys(x for f in found.values() for x in f.figures))
    return render(
        request,
        "event.html",
        title=timeline.event.headline,
        event=timeline.event,
        reports=[ReportView(r, found.get(r.article_id)) for r in timeline.reports],
        actors=actors,
        figures=figures,
        deliveries=deliveries,
        verdicts=verdicts,
        verdict_names=VERDICT_NAMES,
        horizons=HORIZONS,
        markets=[MarketView(w, _chart(w)) for w in windows],
        saved=request.query.get("saved") == "1",
    )


@dataclass(frozen=True)
class MarketView:
    """A related contract around the first report: its closes as a chart, and its moves."""

    window: ContractWindow
    chart: Markup


def _chart(item: ContractWindow) -> Markup:
    points = [Close(bar.day, bar.close, bar.final) for bar in item.bars]
    return closes_chart(points, item.reference, f"{item.label} daily closes around the report")


VERDICT_NAMES = {
    "useful": "Useful 有用",
    "not_relevant": "Not relevant 无关",
    "wrong_sector": "Wrong sector 行业有误",
}
