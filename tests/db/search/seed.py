"""A small archive written straight into the tables: sources, articles, detections, events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import psycopg

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
SOURCES = [
    ("cls", "财联社 电报", "wire"),
    ("miit", "工信部", "official"),
    ("cpia", "中国光伏行业协会", "association"),
    ("reuters", "Reuters", "wire"),
]


@dataclass
class Archive:
    dsn: str
    ids: dict[str, int] = field(default_factory=dict)


def add_sources(conn: psycopg.Connection) -> None:
    """The archive's four sources, one per tier (kept when already there)."""
    for key, name, tier in SOURCES:
        conn.execute(
            "INSERT INTO sources (key, name, kind, tier) VALUES (%s, %s, 'rss', %s)"
            " ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, tier = EXCLUDED.tier",
            (key, name, tier),
        )


def add_article(
    conn: psycopg.Connection,
    key: str,
    title: str,
    body: str,
    *,
    source: str = "cls",
    lang: str = "zh",
    days_ago: float = 1.0,
    published: bool = True,
) -> int:
    when = NOW - timedelta(days=days_ago)
    row = conn.execute(
        "INSERT INTO articles (source_key, external_id, url, title, body, lang, published_at,"
        " first_seen_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (
            source,
            key,
            f"https://news.example/{key}",
            title,
            body,
            lang,
            when if published else None,
            when,
        ),
    ).fetchone()
    return int(row[0])


def add_detection(conn, article_id: int, score: float, sectors=(), actions=(), relevant=True):
    conn.execute(
        "INSERT INTO detections (article_id, relevant, score, sectors, actions, detector_version)"
        " VALUES (%s, %s, %s, %s, %s, 'test')",
        (article_id, relevant, score, list(sectors), list(actions)),
    )


def add_event(conn, event_id: str, headline: str, article_ids: list[int], sectors, actions):
    first = conn.execute(
        "SELECT min(coalesce(published_at, first_seen_at)), max(coalesce(published_at,"
        " first_seen_at)) FROM articles WHERE id = ANY(%s)",
        (article_ids,),
    ).fetchone()
    conn.execute(
        "INSERT INTO events (id, sectors, actions, headline, first_article_id, first_seen_at,"
        " last_seen_at, report_count) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (
            event_id,
            list(sectors),
            list(actions),
            headline,
            article_ids[0],
            first[0],
            first[1],
            len(article_ids),
        ),
    )
    for n, article_id in enumerate(article_ids):
        conn.execute(
            "INSERT INTO event_articles (event_id, article_id, reason) VALUES (%s, %s, %s)",
            (event_id, article_id, "new" if n == 0 else "same keys"),
        )


def seed(dsn: str) -> Archive:
    """Articles chosen so each search rule has a case that passes and one that must not."""
    archive = Archive(dsn)
    ids = archive.ids
    with psycopg.connect(dsn) as conn:
        add_sources(conn)
        ids["glass_cut"] = add_article(
            conn,
            "glass_cut",
            "光伏玻璃龙头企业集体减产30%",
            "多家光伏玻璃企业宣布冷修窑炉，合计减产约30%。",
            source="cls",
            days_ago=3,
        )
        ids["glass_miit"] = add_article(
            conn,
            "glass_miit",
            "工信部召开光伏行业座谈会",
            "会议要求遏制低价竞争。与会企业表示将配合光伏玻璃行业自律。",
            source="miit",
            days_ago=2,
        )
        ids["glass_trad"] = add_article(
            conn,
            "glass_trad",
            "光伏玻璃減產潮蔓延",
            "業界人士稱，減產幅度或達三成。",
            source="cpia",
            days_ago=1,
        )
        ids["battery"] = add_article(
            conn,
            "battery",
            "锂电池价格战降温",
            "多家锂电池厂商表示不再低于成本价销售。",
            source="cls",
            days_ago=10,
        )
        ids["tungsten"] = add_article(
            conn, "tungsten", "钨价上涨", "钨精矿报价再创新高。", source="cls", days_ago=20
        )
        ids["solar_en"] = add_article(
            conn,
            "solar_en",
            "Solar Glass makers cut output",
            "Chinese SOLAR glass producers agreed to cut output by 30%. <script>alert(1)</script>",
            source="reuters",
            lang="en",
            days_ago=2,
        )
        ids["percent"] = add_article(
            conn, "percent", "产能利用率降至50%", "开工率50%附近，库存500万吨。", days_ago=5
        )
        ids["undated"] = add_article(
            conn,
            "undated",
            "水泥行业错峰生产",
            "多地水泥企业错峰生产，光伏玻璃未受影响。",
            days_ago=0.5,
            published=False,
        )
        ids["old_glass"] = add_article(
            conn, "old_glass", "光伏玻璃价格回顾", "去年光伏玻璃价格大幅下跌。", days_ago=400
        )
        add_detection(conn, ids["glass_cut"], 0.9, ["pv_glass"], ["production_cut"])
        add_detection(conn, ids["glass_trad"], 0.8, ["pv_glass"], ["production_cut"])
        add_detection(conn, ids["glass_miit"], 0.4, ["pv"], ["policy_guideline"], relevant=False)
        add_detection(conn, ids["solar_en"], 0.85, ["pv_glass"], ["production_cut"])
        add_detection(conn, ids["battery"], 0.7, ["lithium"], ["price_discipline"])
        add_event(
            conn,
            "pv_glass-production_cut-2026-08-abc123",
            "光伏玻璃龙头企业集体减产30%",
            [ids["glass_cut"], ids["solar_en"], ids["glass_trad"]],
            ["pv_glass"],
            ["production_cut"],
        )
        add_event(
            conn,
            "lithium-price_discipline-2026-08-def456",
            "锂电池价格战降温",
            [ids["battery"]],
            ["lithium"],
            ["price_discipline"],
        )
    return archive
