"""A backfill stores a story newest first (it walks back in time); the event must still be
told from its earliest report: first seen, headline, first article, the month in its id, and
"new event" on report 1 of its timeline (issue 13)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from psycopg_pool import AsyncConnectionPool

from capwatch.detector import Detector
from core.tz import BEIJING
from db import articles as articles_db
from db.events import event_timeline
from db.models import NewArticle

pytestmark = pytest.mark.integration

EARLIEST = datetime(2026, 8, 28, 9, 0, tzinfo=BEIJING)
REPORTS = [  # (days after the earliest, title, text) — one action, reported three times
    (
        0,
        "多晶硅企业联合减产 开工率降至五成",
        "国内多晶硅头部企业联合减产，开工率压降至50%，落实反内卷要求。",
    ),
    (
        6,
        "多晶硅龙头集体减产 开工率将压降至50%",
        "多晶硅行业主要企业达成联合减产安排，开工率压降至五成左右。",
    ),
    (
        12,
        "多晶硅减产持续 企业开工率维持五成",
        "多晶硅企业联合减产持续推进，开工率维持在50%左右，反内卷成效显现。",
    ),
]


def backfilled(order: list[int]) -> list[NewArticle]:
    return [
        NewArticle(
            "cls", f"r{n}", f"https://news.example/r{n}", REPORTS[n][1], REPORTS[n][2], "zh",
            EARLIEST + timedelta(days=REPORTS[n][0]),
        )
        for n in order
    ]  # fmt: skip


async def _check(pool: AsyncConnectionPool, id_month: str) -> None:
    async with pool.connection() as conn:
        rows = await (
            await conn.execute("SELECT id, headline, first_seen_at FROM events")
        ).fetchall()
        assert len(rows) == 1, rows
        event_id, headline, first_seen = rows[0]
        first_article = await (
            await conn.execute(
                "SELECT a.external_id FROM events e JOIN articles a ON a.id = e.first_article_id"
            )
        ).fetchone()
        timeline = await event_timeline(conn, event_id)
    assert headline == REPORTS[0][1]
    assert first_seen == EARLIEST
    assert first_article == ("r0",)
    assert f"-{id_month}-" in event_id, event_id
    assert timeline is not None
    reasons = [r.event_reason for r in timeline.reports]
    assert reasons[0] == "new event" and "new event" not in reasons[1:], reasons


async def test_a_backfill_stored_newest_first_in_one_go(database_url: str) -> None:
    async with AsyncConnectionPool(database_url, open=False) as pool:
        async with pool.connection() as conn:
            await articles_db.insert_articles(conn, None, backfilled([2, 1, 0]))
        await Detector(pool, {}, []).drain()
        await _check(pool, "2026-08")


async def test_a_backfill_detected_page_by_page_while_it_runs(database_url: str) -> None:
    async with AsyncConnectionPool(database_url, open=False) as pool:
        detector = Detector(pool, {}, [])
        for n in (2, 1, 0):  # each older page is detected before the next arrives
            async with pool.connection() as conn:
                await articles_db.insert_articles(conn, None, backfilled([n]))
            await detector.drain()
        # an id never changes once made (alerts, links and feedback point at it): it keeps
        # the month of the report that opened it; everything else follows the earliest report
        await _check(pool, "2026-09")
