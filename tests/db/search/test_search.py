"""search_articles on a real PostgreSQL: matching, script variants, filters, ranking."""

from datetime import timedelta

import psycopg
import pytest

from db import search as search_sql
from db.search import SearchQuery, search_articles
from tests.db.search.seed import NOW, seed

pytestmark = pytest.mark.integration


@pytest.fixture
def archive(database_url):
    return seed(database_url)


async def found(dsn: str, **query) -> list[int]:
    async with await psycopg.AsyncConnection.connect(dsn) as conn:
        hits = await search_articles(conn, SearchQuery(**query), now=NOW)
    return [h.article_id for h in hits]


def with_text(dsn: str, word: str) -> set[int]:
    """Ground truth: Python's own case-insensitive substring test over every article."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT id, title, body FROM articles").fetchall()
    return {i for i, t, b in rows if word.lower() in (t + "\n" + b).lower()}


@pytest.mark.parametrize("word", ["光伏玻璃", "电池", "钨", "30%", "solar", "50%"])
async def test_a_word_finds_exactly_the_articles_containing_it(archive, word):
    assert set(await found(archive.dsn, text=word, limit=100)) == with_text(archive.dsn, word)


async def test_short_words_match_inside_longer_ones(archive):
    assert await found(archive.dsn, text="电池") == [archive.ids["battery"]]  # 锂电池
    assert archive.ids["tungsten"] in await found(archive.dsn, text="钨")  # 钨价, 钨精矿


async def test_english_is_case_insensitive_both_ways(archive):
    for text in ("solar", "SOLAR", "Solar glass"):
        assert await found(archive.dsn, text=text) == [archive.ids["solar_en"]]


async def test_words_are_anded_and_quotes_keep_a_phrase(archive):
    both = await found(archive.dsn, text="光伏玻璃 减产", sort="newest")
    assert both == [archive.ids["glass_trad"], archive.ids["glass_cut"]]
    assert await found(archive.dsn, text='"glass producers"') == [archive.ids["solar_en"]]
    assert await found(archive.dsn, text='"glass makers cut" solar') == [archive.ids["solar_en"]]
    assert await found(archive.dsn, text='"producers glass"') == []


async def test_simplified_and_traditional_queries_find_each_other(archive):
    simplified = set(await found(archive.dsn, text="减产"))
    traditional = set(await found(archive.dsn, text="減產"))
    assert simplified == traditional == {archive.ids["glass_cut"], archive.ids["glass_trad"]}


async def test_like_wildcards_in_a_query_are_literal(archive):
    assert await found(archive.dsn, text="50%") == [archive.ids["percent"]]
    assert await found(archive.dsn, text="5_0") == []
    assert set(await found(archive.dsn, text="%")) == with_text(archive.dsn, "%")
    assert len(with_text(archive.dsn, "%")) == 3


async def test_filters(archive):
    ids, dsn = archive.ids, archive.dsn
    glass = {"text": "光伏玻璃", "limit": 50}
    assert set(await found(dsn, **glass, sectors=("pv_glass",))) == {
        ids["glass_cut"],
        ids["glass_trad"],
    }
    assert await found(dsn, **glass, actions=("policy_guideline",)) == [ids["glass_miit"]]
    assert await found(dsn, **glass, sources=("miit",)) == [ids["glass_miit"]]
    assert await found(dsn, **glass, tiers=("association",)) == [ids["glass_trad"]]
    assert await found(dsn, **glass, relevant_only=True, sort="newest") == [
        ids["glass_trad"],
        ids["glass_cut"],
    ]
    event = "pv_glass-production_cut-2026-08-abc123"
    assert set(await found(dsn, **glass, event_id=event)) == {ids["glass_cut"], ids["glass_trad"]}
    assert await found(dsn, text="glass", langs=("en",)) == [ids["solar_en"]]
    recent = await found(dsn, **glass, since=NOW - timedelta(days=2.5), sort="newest")
    assert recent == [ids["undated"], ids["glass_trad"], ids["glass_miit"]]
    old = await found(dsn, **glass, until=NOW - timedelta(days=30))
    assert old == [ids["old_glass"]]


async def test_no_words_lists_the_newest_articles_that_pass_the_filters(archive):
    assert await found(archive.dsn, sources=("cls",), sort="newest", limit=2) == [
        archive.ids["undated"],
        archive.ids["glass_cut"],
    ]


async def test_rank_weighs_recency_score_and_title_similarity(archive):
    ids = archive.ids
    ranked = await found(archive.dsn, text="光伏玻璃", limit=50)
    # scored 0.8-0.9, recent and in the title first; the unscored mention in a cement story and
    # the year-old review come last
    assert set(ranked[:2]) == {ids["glass_trad"], ids["glass_cut"]}
    assert ranked[-1] == ids["old_glass"]
    assert ranked.index(ids["glass_miit"]) > ranked.index(ids["glass_cut"])
    assert await found(archive.dsn, text="光伏玻璃", limit=2, offset=1) == ranked[1:3]


async def test_hits_carry_source_detection_event_and_a_marked_snippet(archive):
    async with await psycopg.AsyncConnection.connect(archive.dsn) as conn:
        hits = await search_articles(conn, SearchQuery(text="solar"), now=NOW)
    hit = hits[0]
    assert (hit.source_name, hit.source_tier, hit.lang) == ("Reuters", "wire", "en")
    assert hit.event_id == "pv_glass-production_cut-2026-08-abc123"
    assert hit.relevant and hit.score == pytest.approx(0.85)
    assert hit.snippet.marked().startswith("Chinese «SOLAR» glass")
    assert "<b>SOLAR</b>" in hit.snippet.html()
    assert "&lt;script&gt;" in hit.snippet.html() and "<script>" not in hit.snippet.html()
    data = hit.to_dict()
    assert data["article_time"].endswith("+00:00") and data["sectors"] == ["pv_glass"]


async def test_both_strategies_return_the_same_newest_matches(archive):
    """The newest-first walk and the index lookup must agree (the walk is only a shortcut)."""
    async with await psycopg.AsyncConnection.connect(archive.dsn) as conn:
        for text in ["光伏玻璃", "减产", "電池", "钨", "solar glass", "光伏玻璃 减产", "50%"]:
            q = SearchQuery(text=text)
            by_index = await search_sql._newest_by_index(conn, q, q.terms, 3)
            by_scan = await search_sql._newest_by_scan(conn, q, q.terms, 1, 1000)
            assert by_scan == by_index[:1], text


async def test_indexes_serve_long_and_short_words(archive):
    """With sequential scans made unattractive, the planner can answer from the indexes:
    the expression in the query matches the indexed expression."""
    with psycopg.connect(archive.dsn) as conn:
        conn.execute("SET enable_seqscan = off")
        plans = {}
        for word in ("光伏玻璃", "电池"):
            rows = conn.execute(
                "EXPLAIN SELECT article_id FROM v_articles WHERE article_contains(title, body, %s)",
                (word,),
            ).fetchall()
            plans[word] = "\n".join(r[0] for r in rows)
            got = conn.execute(
                "SELECT article_id FROM v_articles WHERE article_contains(title, body, %s)", (word,)
            ).fetchall()
            assert {r[0] for r in got} == with_text(archive.dsn, word)
    assert "articles_search_trgm" in plans["光伏玻璃"]
    assert "articles_search_grams" in plans["电池"]
