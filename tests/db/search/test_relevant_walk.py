"""Relevant-only search walks the relevant detections by their own copy of the article time
(0011_relevant_time.sql) and stops at the matches it needs. Whichever way the plan goes (the
first walk, a longer one, the index lookup), the result must be the newest matching articles
by the articles' own time: the copy has to follow the article, and the early stop must not
skip a newer match."""

import random
from dataclasses import replace
from datetime import timedelta

import psycopg
import pytest

from db import search as search_sql
from db.search import SearchQuery, candidate_ids
from tests.db.search.seed import NOW, SOURCES, add_article, add_detection

WORDS = ["减产", "光伏", "钢铁", "反内卷"]


@pytest.fixture
def archive(database_url):
    """200 articles in random time order over 4 sources of 3 tiers; a third relevant; some
    undated; then times moved after detection, as a corrected date would."""
    rng = random.Random(14)
    with psycopg.connect(database_url) as conn:
        for key, name, tier in SOURCES:
            conn.execute(
                "INSERT INTO sources (key, name, kind, tier) VALUES (%s, %s, 'rss', %s)",
                (key, name, tier),
            )
        ids = []
        for n in range(200):
            words = rng.sample(WORDS, rng.randint(1, 3))
            article_id = add_article(
                conn,
                f"a{n}",
                f"{words[0]}新闻{n}",
                "，".join(words) + "。",
                source=rng.choice(SOURCES)[0],
                days_ago=rng.uniform(0, 30),
                published=rng.random() > 0.15,
            )
            ids.append(article_id)
            if rng.random() < 0.6:
                sector = rng.choice(["pv", "steel"])
                add_detection(conn, article_id, 0.5, [sector], relevant=rng.random() < 0.55)
        for article_id in rng.sample(ids, 25):  # a later date, an earlier one, or none
            conn.execute(
                "UPDATE articles SET published_at = %s WHERE id = %s",
                (rng.choice([None, NOW - timedelta(days=rng.uniform(0, 40))]), article_id),
            )
    return database_url


def truth(dsn: str, q: SearchQuery) -> list[int]:
    """Newest first by the articles' time, filtered and matched in Python."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT a.id, a.title || E'\\n' || a.body, s.tier, coalesce(d.relevant, false),"
            " coalesce(d.sectors, '{}') FROM articles a JOIN sources s ON s.key = a.source_key"
            " LEFT JOIN detections d ON d.article_id = a.id"
            " ORDER BY coalesce(a.published_at, a.first_seen_at) DESC, a.id DESC"
        ).fetchall()
    return [
        article_id
        for article_id, text, tier, relevant, sectors in rows
        if (relevant or not q.relevant_only)
        and (not q.tiers or tier in q.tiers)
        and (not q.sectors or set(sectors) & set(q.sectors))
        and all(any(v in text for v in term.variants) for term in q.terms)
    ]


QUERIES = [
    SearchQuery(text="减产", relevant_only=True),
    SearchQuery(text="减产", relevant_only=True, tiers=("official",)),
    SearchQuery(text="光伏 减产", relevant_only=True, tiers=("wire", "association")),
    SearchQuery(text="钢铁", relevant_only=True, sectors=("steel",)),
    SearchQuery(text="减产", tiers=("official",)),
]


@pytest.mark.parametrize("q", QUERIES, ids=lambda q: f"{q.text}-{'+'.join(q.tiers)}")
async def test_every_plan_returns_the_newest_matches_by_article_time(archive, monkeypatch, q):
    """A sample of 1 or 4 rows sends the search on to the longer walk or the lookup; 2,000
    covers the archive (the walk is complete)."""
    expected = truth(archive, q)
    assert len(expected) >= 4, "the archive must give each query several matches"
    async with await psycopg.AsyncConnection.connect(archive) as conn:
        for sample_rows in (1, 4, 2000):
            monkeypatch.setattr(search_sql, "SAMPLE_ROWS", sample_rows)
            for limit in (1, 3, len(expected) + 5):
                got = await candidate_ids(conn, replace(q, limit=limit, sort="newest"))
                assert got == expected[:limit], (limit, sample_rows)
        by_index = await search_sql._newest_by_index(conn, q, q.terms, 100)
        assert by_index == expected


async def test_the_sample_stops_at_the_matches_it_needs_and_counts_what_it_walked(archive):
    q = SearchQuery(text="减产", relevant_only=True)
    expected = truth(archive, q)
    async with await psycopg.AsyncConnection.connect(archive) as conn:
        early = await search_sql._sample(conn, q, q.terms, 2, 2000)
        whole = await search_sql._sample(conn, q, q.terms, 1000, 2000)
        short = await search_sql._sample(conn, q, q.terms, 1000, 5)
    assert early.ids == expected[:2] and not early.complete
    assert early.seen < whole.seen  # it stopped at the second match
    assert whole.ids == expected and whole.complete
    relevant = len(truth(archive, SearchQuery(relevant_only=True)))
    assert whole.seen == relevant  # the walk read the relevant articles only
    assert short.seen == 5 and not short.complete and short.ids == expected[: len(short.ids)]


async def test_a_detection_keeps_its_article_time_whatever_the_writer_says(archive):
    with psycopg.connect(archive) as conn:
        article_id = add_article(conn, "late", "减产", "减产", source="miit", days_ago=3)
        conn.execute(
            "INSERT INTO detections (article_id, relevant, score, detector_version,"
            " article_time) VALUES (%s, true, 0.9, 'test', '2001-01-01')",
            (article_id,),
        )
        conn.execute(
            "UPDATE articles SET published_at = published_at + interval '1 day' WHERE id = %s",
            (article_id,),
        )
        conn.execute(
            "UPDATE detections SET article_time = now() WHERE article_id = %s", (article_id,)
        )
        stale = conn.execute(
            "SELECT count(*) FROM detections d JOIN articles a ON a.id = d.article_id"
            " WHERE d.article_time <> coalesce(a.published_at, a.first_seen_at)"
        ).fetchone()
    assert stale == (0,)


async def test_a_lookup_confined_to_the_newest_rows_finds_the_same_matches(archive, monkeypatch):
    """Walking on is ruled out, so a sample that falls short ends in the index lookup, first
    confined to a window of the newest rows: when that holds enough matches they are the
    newest; when too narrow, the whole lookup follows. Both happen here."""
    monkeypatch.setattr(search_sql, "walk_rows", lambda *args: 0)
    windows = []
    lookup = search_sql._newest_by_index

    async def recorded(conn, query, terms, want, words=None):
        found = await lookup(conn, query, terms, want, words)
        if query.since is not None:
            windows.append(len(found) >= want)
        return found

    monkeypatch.setattr(search_sql, "_newest_by_index", recorded)
    async with await psycopg.AsyncConnection.connect(archive) as conn:
        for q in [*QUERIES, SearchQuery(text="光伏"), SearchQuery(text="光伏 减产")]:
            expected = truth(archive, q)
            for sample_rows in (12, 20, 30):
                monkeypatch.setattr(search_sql, "SAMPLE_ROWS", sample_rows)
                for limit in (2, 4, 8, 16, len(expected) + 5):
                    got = await candidate_ids(conn, replace(q, limit=limit, sort="newest"))
                    assert got == expected[:limit], (q.text, limit, sample_rows)
    assert True in windows and False in windows, windows


async def test_a_window_too_narrow_falls_back_to_the_whole_lookup(archive, monkeypatch):
    """A window holding fewer matches than wanted must not answer: older matches lie outside."""
    q = SearchQuery(text="减产", sort="newest", limit=4)
    expected = truth(archive, q)
    with psycopg.connect(archive) as conn:
        times = [
            conn.execute(
                "SELECT coalesce(published_at, first_seen_at) FROM articles WHERE id = %s", (i,)
            ).fetchone()[0]
            for i in expected[:8]
        ]
    monkeypatch.setattr(search_sql, "SAMPLE_ROWS", 1)
    monkeypatch.setattr(search_sql, "walk_rows", lambda *args: 0)
    windows = []
    lookup = search_sql._newest_by_index

    async def recorded(conn, query, terms, want, words=None):
        found = await lookup(conn, query, terms, want, words)
        if query.since is not None:
            windows.append(len(found))
        return found

    monkeypatch.setattr(search_sql, "_newest_by_index", recorded)
    async with await psycopg.AsyncConnection.connect(archive) as conn:
        for newest_k in (1, 2, 6):  # the window starts at the (k+1)th newest match
            monkeypatch.setattr(search_sql, "lookup_window", lambda *args, k=newest_k: times[k])
            assert await candidate_ids(conn, q) == expected[:4], newest_k
    assert windows == [2, 3, 4]
