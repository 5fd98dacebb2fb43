"""The console's market context over HTTP: the event page's price chart of the related
contracts with the report marked and the +1/+3/+5 moves (pending, never 0%), and the event
study page with its filters; plus the closes chart as a pure function."""

from __future__ import annotations

import re
from datetime import date

import aiohttp
import psycopg
import pytest

from market.calendar import Calendar
from market.moves import move_after
from tests.web.conftest import Running
from web.charts import Close, closes_chart

pytestmark = pytest.mark.integration


async def _get(running: Running, path: str) -> str:
    async with aiohttp.ClientSession() as http, http.get(running.url + path) as response:
        assert response.status == 200, path
        return await response.text()


async def test_the_event_page_charts_the_contracts_and_their_moves(web_console: Running) -> None:
    seeded = web_console.seeded
    page = await _get(web_console, f"/events/{seeded.events['glass']}")
    market = page[page.index('id="market"') : page.index("Evidence 依据")]
    assert "<code>FG0</code>" in market and "SA0" not in market  # only series with bars
    # one dot per bar of the window, each with its close in a tooltip; the report is marked
    bars = seeded.quotes
    with psycopg.connect(seeded.dsn) as conn:
        row = conn.execute(
            "SELECT first_seen_at FROM events WHERE id = %s", (seeded.events["glass"],)
        ).fetchone()
    assert row is not None
    calendar = Calendar(b.day for b in bars)
    moves = [move_after("FG0", "FG", bars, row[0], n, calendar) for n in (1, 3, 5)]
    reference = moves[0].since
    assert reference is not None
    before = [b for b in bars if b.day <= reference][-11:]
    assert market.count("<circle") == len(before) + len([b for b in bars if b.day > reference])
    assert f"last close before the report: {reference.isoformat()}" in market
    assert f"{before[-1].day.isoformat()} close {before[-1].close:,.2f}" in market
    shown = re.findall(r'<td class="num move[^"]*"[^>]*>([^<]+)</td>', market)
    assert shown == [m.figure() for m in moves]
    assert shown[-1] == "pending"  # the fifth trading day after has not come yet
    assert "0.0%" not in shown
    known = [m for m in moves if m.change is not None]
    for move in known:  # the seeded jump: +3% the day after the report
        assert move.change is not None and move.change > 0.029


async def test_an_event_without_a_listed_future_says_so(web_console: Running) -> None:
    page = await _get(web_console, f"/events/{web_console.seeded.events['hostile']}")
    assert "No quotes stored for this event" in page and "<circle" not in page


async def test_the_study_page_and_its_filters(web_console: Running) -> None:
    page = await _get(web_console, "/study")
    assert 'href="/study" class="here"' in page
    rows = re.findall(r"<tr>\s*<td>([^<]+)</td>\s*<td><code>(\w+)</code></td>", page)
    assert rows == [("Production cut 减产", "FG0")], rows
    assert "pending" in page
    steel = await _get(web_console, "/study?sector=steel")
    assert "No event with a listed future and stored quotes for these filters" in steel
    chosen = await _get(web_console, "/study?sector=pv_glass&action=production_cut")
    assert "<code>FG0</code>" in chosen and 'value="pv_glass" selected' in chosen
    bad = await _get(web_console, "/study?sector=nonsense")
    assert "ignored sector=&#39;nonsense&#39;: unknown value" in bad
    assert "<code>FG0</code>" in bad  # the bad filter is dropped, the study still shown


def test_the_closes_chart_marks_the_reference_and_escapes_its_label() -> None:
    days = [date(2026, 8, d) for d in (17, 18, 19, 20, 21, 24)]
    points = [Close(d, 100.0 + i, final=i < 5) for i, d in enumerate(days)]
    svg = str(closes_chart(points, date(2026, 8, 20), "<b>FG</b>"))
    assert "&lt;b&gt;FG&lt;/b&gt;" in svg and "<b>" not in svg
    assert svg.count("<circle") == 6 and svg.count('fill="#fff"') == 1  # the provisional one
    mark = re.search(r'<line class="report" x1="([\d.]+)"', svg)
    dot = re.search(r'<circle cx="([\d.]+)"[^>]*><title>2026-08-20 close', svg)
    assert mark and dot and mark.group(1) == dot.group(1)
    # a reference day the series lacks: the mark falls between its neighbours
    gap = str(closes_chart([p for p in points if p.day != date(2026, 8, 20)], days[3], "FG"))
    assert '<line class="report"' in gap
