"""A small archive for the console: three events (one with a hostile headline and title),
their detections with evidence, deliveries, crawl runs, and a few plain articles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import psycopg
from psycopg.types.json import Jsonb

from core.tz import BEIJING
from db.models import QuoteBar
from market.calendar import Calendar
from market.moves import reference_day
from tests.db.search.seed import add_sources

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(2)> 水泥错峰生产 & "quotes"'


@dataclass
class Seeded:
    dsn: str
    events: dict[str, str] = field(default_factory=dict)  # name -> event id
    articles: dict[str, int] = field(default_factory=dict)
    quotes: list[QuoteBar] = field(default_factory=list)  # FG0 around the glass event


def _quotes(conn: psycopg.Connection, report: datetime, now: datetime) -> list[QuoteBar]:
    """Glass futures (FG0, the pv_glass sector's first contract) daily bars: 15 trading days
    before the glass event's report up to yesterday (Beijing), a +3% jump the day after the
    report; the days after yesterday have not traded yet, so +5 is always pending."""
    calendar = Calendar()
    ref = reference_day(report, calendar)
    yesterday = now.astimezone(BEIJING).date() - timedelta(days=1)
    days = [*calendar.previous_days(ref, 15), ref]
    while (following := calendar.next_days(days[-1], 1)[0]) <= yesterday:
        days.append(following)
    bars, close = [], 1200.0
    for day in days:
        close = round(close * (1.03 if day > ref and bars[-1].day == ref else 1.002), 2)
        bars.append(QuoteBar("FG0", day, close - 4, close + 6, close - 9, close, close, 900_000,
                             1_100_000, True))  # fmt: skip
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO quote_bars (symbol, day, open, high, low, close, settle, volume,"
            " open_interest, final) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [(b.symbol, b.day, b.open, b.high, b.low, b.close, b.settle, b.volume,
              b.open_interest, b.final) for b in bars],
        )  # fmt: skip
    return bars


def _article(
    conn: psycopg.Connection, key: str, source: str, title: str, body: str, when: datetime
) -> int:
    row = conn.execute(
        "INSERT INTO articles (source_key, external_id, url, title, body, lang, published_at,"
        " first_seen_at, detected_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (
            source,
            key,
            f"https://news.example/{key}",
            title,
            body,
            "en" if source == "reuters" else "zh",
            when,
            when,
            when,
        ),
    ).fetchone()
    assert row is not None
    return int(row[0])


def _detection(
    conn: psycopg.Connection,
    article_id: int,
    sectors: list[str],
    actions: list[str],
    evidence: list[dict[str, object]],
    actors: tuple[str, ...] = (),
    figures: tuple[str, ...] = (),
) -> None:
    conn.execute(
        "INSERT INTO detections (article_id, relevant, score, sectors, actions, actors, figures,"
        " evidence, detector_version) VALUES (%s, true, 0.9, %s, %s, %s, %s, %s, 'test')",
        (article_id, sectors, actions, list(actors), list(figures), Jsonb(evidence)),
    )


def _event(
    conn: psycopg.Connection,
    event_id: str,
    headline: str,
    ids: list[int],
    sectors: list[str],
    actions: list[str],
    first: datetime,
) -> None:
    conn.execute(
        "INSERT INTO events (id, sectors, actions, headline, first_article_id, first_seen_at,"
        " last_seen_at, report_count) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (event_id, sectors, actions, headline, ids[0], first, first + timedelta(hours=2), len(ids)),
    )
    for n, article_id in enumerate(ids):
        conn.execute(
            "INSERT INTO event_articles (event_id, article_id, reason) VALUES (%s, %s, %s)",
            (event_id, article_id, "new" if n == 0 else "near-duplicate"),
        )


def seed(dsn: str, now: datetime | None = None) -> Seeded:
    now = now or datetime.now(UTC)
    out = Seeded(dsn)
    with psycopg.connect(dsn) as conn:
        add_sources(conn)
        glass_at = now - timedelta(days=2)
        a1 = _article(
            conn,
            "glass1",
            "cls",
            "光伏玻璃龙头企业集体减产30%",
            "多家光伏玻璃企业宣布冷修窑炉，合计减产约30%。福莱特、信义光能参与。",
            glass_at,
        )
        a2 = _article(
            conn,
            "glass2",
            "cpia",
            "光伏玻璃減產潮蔓延 行業反內卷",
            "協會稱，光伏玻璃企業減產保價。",
            glass_at + timedelta(hours=1),
        )
        _detection(
            conn,
            a1,
            ["pv_glass"],
            ["production_cut"],
            [
                {
                    "field": "title",
                    "sentence": "光伏玻璃龙头企业集体减产30%",
                    "terms": ["光伏玻璃", "减产"],
                }
            ],
            ("福莱特", "信义光能"),
            ("30%",),
        )
        _detection(
            conn,
            a2,
            ["pv_glass"],
            ["production_cut"],
            [
                {
                    "field": "text",
                    "sentence": "協會稱，光伏玻璃企業減產保價。",
                    "terms": ["光伏玻璃", "减产"],
                }
            ],
        )
        _event(
            conn,
            "pv_glass-production_cut-test-1",
            "光伏玻璃龙头企业集体减产30%",
            [a1, a2],
            ["pv_glass"],
            ["production_cut"],
            glass_at,
        )
        steel_at = now - timedelta(days=9)
        a3 = _article(
            conn,
            "steel1",
            "miit",
            "工信部：钢铁行业产能退出方案出台",
            "工信部发布钢铁行业产能退出方案，压减粗钢产量。",
            steel_at,
        )
        _detection(
            conn,
            a3,
            ["steel"],
            ["capacity_exit"],
            [
                {
                    "field": "text",
                    "sentence": "工信部发布钢铁行业产能退出方案，压减粗钢产量。",
                    "terms": ["钢铁", "产能退出"],
                }
            ],
        )
        _event(
            conn,
            "steel-capacity_exit-test-2",
            "工信部：钢铁行业产能退出方案出台",
            [a3],
            ["steel"],
            ["capacity_exit"],
            steel_at,
        )
        bad_at = now - timedelta(days=20)
        a4 = _article(conn, "bad1", "reuters", HOSTILE, "Cement makers <b>cut</b> output.", bad_at)
        _detection(
            conn,
            a4,
            ["cement"],
            ["production_cut"],
            [{"field": "title", "sentence": HOSTILE, "terms": ["水泥", "错峰生产"]}],
        )
        _event(
            conn,
            "cement-production_cut-test-3",
            HOSTILE,
            [a4],
            ["cement"],
            ["production_cut"],
            bad_at,
        )
        for i in range(5):
            _article(
                conn,
                f"plain{i}",
                "cls",
                f"市场快讯 第{i}条",
                "A股收盘，沪指微涨。",
                now - timedelta(hours=5 * i + 1),
            )
        conn.execute(
            "INSERT INTO chats (chat_id, title, kind)"
            " VALUES (-1001, '分析群 Analysts', 'supergroup')"
        )
        conn.execute(
            "INSERT INTO outbox (event_id, chat_id, kind, payload, status, sent_at, created_at)"
            " VALUES (%s, -1001, 'alert', '{}', 'sent', %s, %s)",
            ("pv_glass-production_cut-test-1", glass_at + timedelta(minutes=1), glass_at),
        )
        for i in range(6):
            conn.execute(
                "INSERT INTO crawl_runs (source_key, status, started_at, finished_at, items,"
                " new_articles, errors, duration_s, finish_reason) VALUES"
                " (%s, 'finished', %s, %s, %s, %s, 0, 3.5, 'finished')",
                (
                    "cls",
                    now - timedelta(hours=6 * i),
                    now - timedelta(hours=6 * i) + timedelta(seconds=4),
                    20 + i,
                    2,
                ),
            )
        conn.execute(
            "INSERT INTO crawl_runs (source_key, status, started_at, finished_at, items, errors,"
            " finish_reason) VALUES ('miit', 'failed', %s, %s, 0, 3, 'http 503')",
            (now - timedelta(hours=1), now - timedelta(hours=1)),
        )
        out.quotes = _quotes(conn, glass_at, now)
        out.events = {
            "glass": "pv_glass-production_cut-test-1",
            "steel": "steel-capacity_exit-test-2",
            "hostile": "cement-production_cut-test-3",
        }
        out.articles = {"glass1": a1, "glass2": a2, "steel1": a3, "bad1": a4}
    return out
