"""The live detector and `capwatch redetect` run one detection stage: on every labelled example
they store the same detection (relevance, sectors, actions, figures, month) and put each report
in the same event. Before they shared `detect_and_assign`, redetect classified without the
report's time and 14 of these examples got another month or other figures."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from psycopg_pool import AsyncConnectionPool

from capwatch.detector import Detector
from capwatch.redetect import Redetector
from db import articles as articles_db
from db.models import NewArticle
from detection.pipeline import parse_published

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).with_name("labelled_examples.jsonl")
COMPARED = ("relevant", "sectors", "actions", "figures", "month", "month_hint")


def examples() -> list[NewArticle]:
    """The labelled examples as stored articles, inserted in report order (so the live
    detector's id order and redetect's report-time order are the same order)."""
    records = [json.loads(line) for line in EXAMPLES.read_text("utf-8").splitlines() if line]
    dated = [(parse_published(r["published"]), n, r) for n, r in enumerate(records)]
    dated.sort(key=lambda item: (item[0], item[1]))
    return [
        NewArticle("cls", r["id"], r["url"], r["title"], r["text"], r.get("lang"), when)
        for when, _, r in dated
    ]


async def rows(pool: AsyncConnectionPool, sql: str) -> list[tuple[Any, ...]]:
    async with pool.connection() as conn:
        cur = await conn.execute(sql)
        return list(await cur.fetchall())


async def test_live_and_redetect_store_the_same_detection_and_events(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved: dict[int, dict[str, Any]] = {}
    original = articles_db.save_detection

    async def recording(conn: Any, article_id: int, data: dict[str, Any], version: str) -> None:
        saved[article_id] = data
        await original(conn, article_id, data, version)

    monkeypatch.setattr(articles_db, "save_detection", recording)
    articles = examples()
    async with AsyncConnectionPool(database_url, open=False) as pool:
        async with pool.connection() as conn:
            assert await articles_db.insert_articles(conn, None, articles) == len(articles)
        detector = Detector(pool, {}, [])
        await detector.drain()
        live = dict(saved)
        live_events = dict(await rows(pool, "SELECT article_id, event_id FROM event_articles"))

        # forget everything detection wrote; redetect must rebuild it on its own
        async with pool.connection() as conn:
            for table in ("outbox", "event_articles", "events", "detections"):
                await conn.execute(f"DELETE FROM {table}")
        saved.clear()
        report = await Redetector(pool, detector, now=datetime.now(UTC)).run(None)
        again_events = dict(await rows(pool, "SELECT article_id, event_id FROM event_articles"))

    assert len(live) == len(articles) and set(saved) == set(live)
    assert sum(d["relevant"] for d in live.values()) == len(live_events) > 20
    assert any(d["month"] for d in live.values())  # the month matters on these examples
    for article_id, first in live.items():
        for key in COMPARED:
            assert saved[article_id][key] == first[key], (article_id, key)
    assert again_events == live_events
    assert sorted(report.became_relevant) == sorted(live_events)
    assert len(set(live_events.values())) < len(live_events)  # some reports grouped
