"""Charts: actions per week by sector, reports per source, crawl items per source per day."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from aiohttp import web
from markupsafe import Markup

from core.tz import BEIJING
from crawlers.sources import SourceConfig
from db import trends
from db.models import SectorWeek, SourceDay
from web import charts, vocab
from web.params import Params
from web.render import console, render

TOP_SECTORS = 9  # the rest are drawn as one "other" stack


async def charts_page(request: web.Request) -> web.Response:
    app = console(request)
    p = Params(request.query)
    weeks = p.number("weeks", 12, 1, 104)
    today = datetime.now(BEIJING).date()
    first_week = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    since = datetime.combine(first_week, datetime.min.time(), BEIJING).astimezone(UTC)
    days = min(weeks * 7, 60)
    first_day = today - timedelta(days=days - 1)
    keys = sorted(app.config.sources)
    async with app.pool.connection() as conn:
        per_week = await trends.events_per_week_by_sector(conn, since)
        per_source = await trends.reports_per_source(conn, first_week)
        per_day = await trends.crawl_items_per_day(conn, keys, first_day)
    week_list = [first_week + timedelta(weeks=i) for i in range(weeks)]
    day_list = [first_day + timedelta(days=i) for i in range(days)]
    return render(
        request,
        "charts.html",
        title="Charts",
        weeks=weeks,
        days=days,
        sector_chart=_sector_chart(week_list, per_week),
        source_chart=charts.horizontal_bars(
            [
                (
                    r.source_name,
                    r.reports,
                    f"{r.source_name}: {r.reports} reports",
                )
                for r in per_source[:40]
            ],
            "reports per source",
        ),
        crawl_charts=_crawl_charts(day_list, per_day, app.config.sources),
        problems=p.problems,
    )


def _sector_chart(weeks: list[date], rows: list[SectorWeek]) -> Markup:
    totals: dict[str, int] = defaultdict(int)
    cells: dict[tuple[str, date], int] = {}
    for row in rows:
        totals[row.sector] += row.events
        cells[(row.sector, row.week)] = row.events
    ranked = sorted(totals, key=lambda s: (-totals[s], s))
    shown, rest = ranked[:TOP_SECTORS], ranked[TOP_SECTORS:]
    series = [
        charts.Series(
            vocab.sector_label(s),
            tuple(cells.get((s, w), 0) for w in weeks),
            charts.PALETTE[i % len(charts.PALETTE)],
        )
        for i, s in enumerate(shown)
    ]
    if rest:
        series.append(
            charts.Series(
                f"{len(rest)} more sectors",
                tuple(sum(cells.get((s, w), 0) for s in rest) for w in weeks),
                charts.PALETTE[-1],
            )
        )
    return charts.stacked_columns(weeks, series, "events per week by sector")


def _crawl_charts(
    days: list[date], rows: list[SourceDay], sources: dict[str, SourceConfig]
) -> list[tuple[str, str, int, Markup]]:
    """(key, name, items in the window, sparkline) per source with crawls, busiest first."""
    items: dict[str, dict[date, int]] = defaultdict(dict)
    for row in rows:
        items[row.source_key][row.day] = row.items
    out = []
    for key, by_day in items.items():
        values = [by_day.get(d, 0) for d in days]
        source = sources.get(key)
        name = source.name if source else key
        out.append(
            (key, name, sum(values), charts.sparkline(days, values, f"{name} items per day"))
        )
    out.sort(key=lambda c: (-c[2], c[0]))
    return out
