"""Everyday use of the archive commands (issue 13): filters are checked against the
vocabulary, an empty search is refused, `capwatch vocab` lists the slugs with their names."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from capwatch.cli import app
from detection import vocabulary

pytestmark = pytest.mark.integration


@pytest.fixture
def cli(database_url, tmp_path):
    runner = CliRunner()
    env = {"CAPWATCH_DATABASE_URL": database_url, "CAPWATCH_DATA_DIR": str(tmp_path)}

    def invoke(*args: str):
        return runner.invoke(app, list(args), env=env)

    return invoke


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("search", "减产", "--sector", "nonsense"), "unknown sector 'nonsense'"),
        (("search", "减产", "--action", "nocut"), "unknown action 'nocut'"),
        (("search", "减产", "--tier", "bogus"), "unknown tier 'bogus'"),
        (("search", "减产", "--lang", "fr"), "unknown language 'fr'"),
        (("search", "减产", "--source", "nosuchsource"), "unknown source 'nosuchsource'"),
        (("events", "--sector", "nosuch"), "unknown sector 'nosuch'"),
        (("events", "--action", "nosuch"), "unknown action 'nosuch'"),
        (("search", ""), "nothing to search for"),
        (("search", " ", '""'), "nothing to search for"),
    ],
)
def test_a_filter_outside_the_vocabulary_is_a_clear_error(cli, args, says):
    done = cli(*args)
    assert done.exit_code == 2, done.output
    assert says in done.output
    if "unknown sector" in says:
        assert "capwatch vocab" in done.output  # where to find the right words


def test_filters_take_names_as_well_as_slugs(cli):
    done = cli("events", "--sector", "钢铁", "--action", "Production cut")
    assert done.exit_code == 0, done.output


def test_vocab_lists_every_sector_and_action_with_both_names(cli):
    done = cli("vocab")
    assert done.exit_code == 0, done.output
    for term in (*vocabulary.sectors(), *vocabulary.actions()):
        line = next(line for line in done.output.splitlines() if line.split()[:1] == [term.slug])
        assert term.en in line and term.zh in line
    only = cli("vocab", "--kind", "action")
    assert "production_cut" in only.output and "pv_glass" not in only.output


# --- layouts that read at 80 columns and in pipes ------------------------------------------------


@pytest.fixture
def narrow(database_url, tmp_path):
    """The archive commands as a pipe sees them: not a terminal, 80 columns."""
    from tests.db.search.seed import seed

    archive = seed(database_url)
    runner = CliRunner()
    env = {
        "CAPWATCH_DATABASE_URL": archive.dsn,
        "CAPWATCH_DATA_DIR": str(tmp_path),
        "COLUMNS": "80",
    }

    def invoke(*args: str):
        done = runner.invoke(app, list(args), env=env)
        assert done.exit_code == 0, done.output
        return done.stdout

    return invoke


def test_search_at_80_columns_keeps_whole_titles_and_every_field(narrow):
    out = narrow("search", "光伏玻璃")
    assert "光伏玻璃龙头企业集体减产30%" in out  # whole, on one line
    assert "工信部召开光伏行业座谈会" in out
    assert "财联社 电报" in out and "pv_glass-production_cut-2026-08-abc123" in out
    assert "https://news.example/glass_cut" in out and "score 0." in out


def test_events_and_timeline_at_80_columns(narrow):
    out = narrow("events")
    assert "pv_glass-production_cut-2026-08-abc123" in out
    assert "财联社 电报, Reuters, 中国光伏行业协会" in out
    assert "3 reports" in out
    timeline = narrow("event", "pv_glass-production_cut-2026-08-abc123")
    assert "Reuters" in timeline and "joined by" in timeline
    assert "https://news.example/glass_cut" in timeline


def test_snippet_is_centred_on_the_hit():
    from db.search_terms import make_snippet, parse_terms

    body = "前" * 300 + "减产" + "后" * 300
    snippet = make_snippet("标题", body, parse_terms("减产"), width=120)
    (start, end), *_ = snippet.marks
    before = snippet.text[:start].lstrip("…")
    after = snippet.text[end:].rstrip("…")
    assert snippet.text[start:end] == "减产"
    assert abs(len(before) - len(after)) <= 1, (len(before), len(after))


def test_status_at_80_columns_names_every_source_whole(database_url, tmp_path):
    from crawlers.sources import builtin_sources

    env = {"CAPWATCH_DATABASE_URL": database_url, "CAPWATCH_DATA_DIR": str(tmp_path)}
    done = CliRunner().invoke(app, ["status"], env={**env, "COLUMNS": "80"})
    assert done.exit_code == 0, done.output
    starts = {line.split()[0] for line in done.stdout.splitlines() if line.strip()}
    assert set(builtin_sources()) <= starts  # each key whole at the start of its line
    assert "fails 0" in done.stdout and "alerts: none" in done.stdout
