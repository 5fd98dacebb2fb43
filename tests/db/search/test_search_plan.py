"""The adaptive search plan: sample, walk or index lookup driven by the rare words only.

Whatever the plan, the result must be the newest matches (the plan only changes the cost)."""

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from db import search as search_sql
from db.search import SearchQuery, candidate_ids
from db.search_plan import Lookup, Sample, lookup_window, lookup_words, walk_rows
from tests.db.search.seed import seed


def sample(seen=2000, ids=(), word_rows=(10, 10), all_rows=0) -> Sample:
    return Sample(seen, list(ids), tuple(word_rows), all_rows)


LONG2, LONG3 = (False, False), (False, False, False)


def test_the_rare_word_drives_the_lookup_and_a_frequent_one_is_tested_on_its_rows():
    assert lookup_words(sample(word_rows=(700, 0)), (True, True)).words == {1}  # 价格 锑锭
    assert lookup_words(sample(word_rows=(3, 900, 1200)), LONG3).words == {0}


def test_two_mid_frequency_words_are_intersected_in_the_index():
    # 宁德时代 反内卷: each ~6%, together 0.4%: the second posting list pays for itself
    both = lookup_words(sample(word_rows=(121, 133), all_rows=8), LONG2)
    assert both.words == {0, 1} and both.share == 8 / 2000
    # together as frequent as apart: the second list removes nothing
    assert lookup_words(sample(word_rows=(121, 1500), all_rows=121), LONG2).words == {0}


def test_a_short_word_never_joins_a_trigram_lookup():
    # 水泥 错峰生产: 水泥 would be rechecked as a row test anyway; the lookup rechecks 3.5%
    plan = lookup_words(sample(word_rows=(621, 71), all_rows=29), (True, False))
    assert plan.words == {1} and plan.share == 71 / 2000


def test_the_walk_goes_on_when_that_is_cheaper_than_the_lookup():
    # 水泥 错峰生产: 29 matches in 2,000 rows; the lookup would recheck 3.5% of 1M rows
    assert walk_rows(29, 2000, 100, 1e6, Lookup({1}, 0.035, 0.035)) > 10_000
    # 宁德时代 反内卷: 17 matches, the lookup rechecks ~0.85%: too close to risk the walk
    assert walk_rows(17, 2000, 100, 1e6, Lookup({0, 1}, 0.0085, 0.127)) == 0
    assert walk_rows(6, 2000, 100, 1e6, Lookup({0}, 0.5, 0.5)) > 0  # a costly lookup
    assert walk_rows(0, 2000, 100, 1e6, Lookup({0}, 0.5, 0.5)) == 0  # no rate to go by


def test_a_lookup_is_confined_to_the_newest_rows_that_should_hold_the_matches():
    newest = datetime(2026, 9, 1, tzinfo=UTC)
    seen = Sample(2000, list(range(17)), (121, 133), 17, False, newest, newest - timedelta(days=2))
    # 17 matches in 2,000 rows over 2 days: 100 need ~29,500 rows at the pessimistic rate
    since = lookup_window(seen, 100, 1e6)
    assert since is not None and newest - timedelta(days=31) < since < newest - timedelta(days=29)
    assert lookup_window(seen, 100, 100_000) is None  # most of what there is: the whole lookup
    few = Sample(2000, [1, 2, 3, 4, 5], (5,), 5, False, newest, newest - timedelta(days=2))
    assert lookup_window(few, 100, 1e6) is None  # no rate to trust
    assert lookup_window(Sample(2000, list(range(17)), (17,), 17), 100, 1e6) is None  # no times


@pytest.fixture
def archive(database_url):
    return seed(database_url)


def truth(dsn: str, text: str) -> list[int]:
    """Newest first: every article containing every word in one of its spellings (Python's
    own substring test)."""
    terms = SearchQuery(text=text).terms
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT id, lower(title || E'\\n' || body) FROM articles"
            " ORDER BY coalesce(published_at, first_seen_at) DESC, id DESC"
        ).fetchall()
    return [i for i, t in rows if all(any(v in t for v in term.variants) for term in terms)]


QUERIES = ["光伏玻璃 减产", "电池 锂电池", "solar glass", "光伏玻璃 50%", "钨 钨精矿", "光伏玻璃"]


@pytest.mark.parametrize("text", QUERIES)
async def test_every_lookup_choice_finds_the_same_newest_matches(archive, text):
    q = SearchQuery(text=text)
    terms = q.terms
    expected = truth(archive.dsn, text)
    async with await psycopg.AsyncConnection.connect(archive.dsn) as conn:
        for lookup in [None, *({i} for i in range(len(terms)))]:
            got = await search_sql._newest_by_index(conn, q, terms, 50, lookup)
            assert got == expected, (text, lookup)


@pytest.mark.parametrize("text", QUERIES)
async def test_a_sample_too_small_to_decide_still_finds_the_newest_matches(
    archive, monkeypatch, text
):
    """A 1-row sample of an archive sends the search on to the walk or the lookup."""
    monkeypatch.setattr(search_sql, "SAMPLE_ROWS", 1)
    q = SearchQuery(text=text, sort="newest", limit=3)
    expected = truth(archive.dsn, text)[:3]
    async with await psycopg.AsyncConnection.connect(archive.dsn) as conn:
        got = await candidate_ids(conn, q)
        sampled = await search_sql._sample(conn, q, q.terms, 3, 1)
    assert got == expected
    assert sampled.seen == 1 and len(sampled.word_rows) == len(q.terms)


async def test_the_sample_counts_each_word_and_applies_the_filters(archive):
    q = SearchQuery(text="光伏玻璃 减产", sources=("cpia",))
    async with await psycopg.AsyncConnection.connect(archive.dsn) as conn:
        got = await search_sql._sample(conn, q, q.terms, 100, 2000)
    assert got.word_rows[0] == len(truth(archive.dsn, "光伏玻璃")) == 5
    assert got.word_rows[1] == len(truth(archive.dsn, "减产")) == 2  # 减产 and 減產
    assert got.all_rows == 2  # glass_cut, glass_trad: the source filter is not counted
    assert got.ids == [archive.ids["glass_trad"]]  # but it is applied to the matches
