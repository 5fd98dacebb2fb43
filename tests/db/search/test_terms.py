"""Query words, snippets, dates and output formats: pure functions, no database."""

import io
from datetime import UTC, datetime

import pytest

from capwatch.cli_query import _query_text
from capwatch.query_format import parse_when, to_csv_value, write_csv, write_jsonl
from db.search import rank_of, recency
from db.search_terms import Snippet, like_pattern, make_snippet, parse_terms, script_variants


def test_words_phrases_full_width_and_duplicates():
    terms = parse_terms('光伏玻璃  ＳＯＬＡＲ "glass   makers" “反内卷 行动” 光伏玻璃')
    assert [t.text for t in terms] == ["光伏玻璃", "solar", "glass makers", "反内卷 行动"]
    assert parse_terms("   ") == []


def test_script_variants_cover_simplified_and_traditional():
    assert set(script_variants("减产")) >= {"减产", "減產"}
    assert set(script_variants("減產")) >= {"减产", "減產"}
    assert script_variants("Solar") == ("solar",)


def test_like_pattern_escapes_wildcards():
    assert like_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%"


def test_snippet_is_a_window_around_the_first_hit_with_every_hit_marked():
    body = "开头" * 100 + "光伏玻璃减产，光伏玻璃涨价" + "结尾" * 100
    snippet = make_snippet("标题", body, parse_terms("光伏玻璃"), width=60)
    assert snippet.text.startswith("…") and snippet.text.endswith("…")
    assert len(snippet.text) == 62
    assert snippet.marked().count("«光伏玻璃»") == 2


def test_snippet_falls_back_to_the_title_and_escapes_html():
    terms = parse_terms("a<b")
    snippet = make_snippet("x a<b & y", "nothing here", terms)
    assert snippet.text == "x a<b & y"
    assert snippet.html() == "x <b>a&lt;b</b> &amp; y"
    plain = make_snippet("title", "short body", parse_terms("missing"))
    assert plain == Snippet("short body", ())


def test_snippet_marks_traditional_spellings_of_the_query():
    snippet = make_snippet("t", "業界稱減產幅度或達三成", parse_terms("减产"))
    assert snippet.marked() == "業界稱«減產»幅度或達三成"


def test_dates():
    now = datetime(2026, 9, 1, 12, tzinfo=UTC)
    assert parse_when("2026-06-01") == datetime(2026, 5, 31, 16, tzinfo=UTC)
    assert parse_when("2026-06-01T09:30") == datetime(2026, 6, 1, 1, 30, tzinfo=UTC)
    assert parse_when("2026-06-01T09:30+00:00") == datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    assert parse_when("7d", now) == datetime(2026, 8, 25, 12, tzinfo=UTC)
    assert parse_when("12h", now) == datetime(2026, 9, 1, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="not a date"):
        parse_when("someday")


def test_machine_formats_are_exact():
    row = {
        "id": 1,
        "when": datetime(2026, 6, 1, 8, tzinfo=UTC),
        "tags": ["pv", "steel"],
        "ok": True,
        "none": None,
        "text": 'a "quoted", 逗号',
    }
    out = io.StringIO()
    write_jsonl([row], out)
    expected = (
        '{"id": 1, "when": "2026-06-01T08:00:00+00:00", "tags": ["pv", "steel"], "ok": true, '
        '"none": null, "text": "a \\"quoted\\", 逗号"}\n'
    )
    assert out.getvalue() == expected
    out = io.StringIO()
    write_csv([row], ["id", "tags", "ok", "none", "text"], out)
    assert out.getvalue() == 'id,tags,ok,none,text\r\n1,pv; steel,true,,"a ""quoted"", 逗号"\r\n'
    assert to_csv_value(0.5) == "0.5"


def test_shell_words_become_a_query():
    assert _query_text(["光伏玻璃", "glass makers"]) == '光伏玻璃 "glass makers"'


def test_rank_prefers_recent_scored_similar():
    now = datetime(2026, 9, 1, tzinfo=UTC)
    assert recency(now, now) == 1.0
    assert recency(datetime(2026, 8, 2, tzinfo=UTC), now) == pytest.approx(0.5)
    fresh = rank_of(now, 0.5, 0.5, now)
    assert rank_of(now, 0.9, 0.5, now) > fresh > rank_of(now, None, 0.5, now)
    assert rank_of(now, 0.5, 1.0, now) > fresh
    assert rank_of(datetime(2025, 9, 1, tzinfo=UTC), 0.5, 0.5, now) < fresh
