"""Events, timelines, views and the `capwatch search/events/event/export` commands."""

import csv
import io
import json
from datetime import timedelta

import psycopg
import pytest
from typer.testing import CliRunner

from capwatch.cli import app
from db.events import event_timeline, list_events, resolve_event_id
from tests.db.search.seed import NOW, seed

pytestmark = pytest.mark.integration
GLASS = "pv_glass-production_cut-2026-08-abc123"
LITHIUM = "lithium-price_discipline-2026-08-def456"


@pytest.fixture
def archive(database_url):
    return seed(database_url)


@pytest.fixture
def cli(archive, tmp_path):
    runner = CliRunner()
    env = {
        "CAPWATCH_DATABASE_URL": archive.dsn,
        "CAPWATCH_DATA_DIR": str(tmp_path),
        "COLUMNS": "200",
    }  # a wide terminal, so table cells are not wrapped mid-word

    def invoke(*args: str):
        return runner.invoke(app, list(args), env=env)

    return invoke


def test_v_events_counts_reports_and_orders_sources_by_first_report(archive):
    with psycopg.connect(archive.dsn) as conn:
        row = conn.execute(
            "SELECT reports, source_keys, source_names, first_source_name, first_url"
            " FROM v_events WHERE event_id = %s",
            (GLASS,),
        ).fetchone()
        timeline = conn.execute(
            "SELECT report_no, source_key FROM v_event_reports WHERE event_id = %s"
            " ORDER BY report_no",
            (GLASS,),
        ).fetchall()
        article = conn.execute(
            "SELECT source_name, source_tier, relevant, score, event_id FROM v_articles"
            " WHERE article_id = %s",
            (archive.ids["glass_trad"],),
        ).fetchone()
    # glass_cut (3 days ago, cls) reported first, then Reuters (2 days), then CPIA (1 day)
    assert row == (
        3,
        ["cls", "reuters", "cpia"],
        ["财联社 电报", "Reuters", "中国光伏行业协会"],
        "财联社 电报",
        "https://news.example/glass_cut",
    )
    assert timeline == [(1, "cls"), (2, "reuters"), (3, "cpia")]
    assert article == ("中国光伏行业协会", "association", True, pytest.approx(0.8), GLASS)


async def test_list_events_filters_and_timeline(archive):
    async with await psycopg.AsyncConnection.connect(archive.dsn) as conn:
        everything = await list_events(conn)
        glass = await list_events(conn, sectors=("pv_glass",))
        cuts = await list_events(conn, actions=("production_cut", "inspection"))
        recent = await list_events(conn, since=NOW - timedelta(days=5))
        timeline = await event_timeline(conn, GLASS)
        unknown = await event_timeline(conn, "nope")
        by_prefix = await resolve_event_id(conn, "pv_glass-")
        ambiguous = await resolve_event_id(conn, "")
    assert [e.event_id for e in everything] == [GLASS, LITHIUM]  # newest first
    assert [e.event_id for e in glass] == [e.event_id for e in cuts] == [GLASS]
    assert [e.event_id for e in recent] == [GLASS]
    assert [r.source_key for r in timeline.reports] == ["cls", "reuters", "cpia"]
    assert timeline.reports[0].event_reason == "new" and timeline.event.reports == 3
    assert unknown is None
    assert by_prefix == [GLASS] and len(ambiguous) == 2


def test_cli_search_json_is_exact(cli, archive):
    result = cli("search", "光伏玻璃", "减产", "--format", "json", "--sort", "newest")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["article_id"] for d in data] == [archive.ids["glass_trad"], archive.ids["glass_cut"]]
    first = data[1]
    assert first["title"] == "光伏玻璃龙头企业集体减产30%"
    assert first["source_name"] == "财联社 电报" and first["event_id"] == GLASS
    assert first["snippet"].count("«") >= 2 and "<b>" in first["snippet_html"]
    assert first["article_time"] == "2026-08-29T12:00:00+00:00"


def test_cli_search_csv_and_table(cli, archive):
    result = cli("search", "电池", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [int(r["article_id"]) for r in rows] == [archive.ids["battery"]]
    assert rows[0]["sectors"] == "lithium" and rows[0]["relevant"] == "true"
    table = cli("search", "solar", "--tier", "wire")
    assert table.exit_code == 0
    assert "«SOLAR»" in table.stdout and "<script>" in table.stdout  # text, not markup
    none = cli("search", "不存在的词")
    assert none.exit_code == 0 and "no matching articles" in none.stderr


def test_cli_events_and_event_timeline(cli):
    listing = cli("events", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(listing.stdout)))
    assert [r["event_id"] for r in rows] == [GLASS, LITHIUM]
    assert rows[0]["source_names"] == "财联社 电报; Reuters; 中国光伏行业协会"
    assert rows[0]["reports"] == "3"
    only = cli("events", "--sector", "lithium")
    assert "锂电池价格战降温" in only.stdout and "光伏玻璃" not in only.stdout
    timeline = cli("event", "pv_glass-production", "--format", "json")
    data = json.loads(timeline.stdout)[0]
    assert [r["source_key"] for r in data["timeline"]] == ["cls", "reuters", "cpia"]
    table = cli("event", GLASS)
    assert table.exit_code == 0 and "Reuters" in table.stdout
    missing = cli("event", "nope")
    assert missing.exit_code == 1 and "no event" in missing.stderr


def test_cli_export_jsonl_and_csv(cli, archive, tmp_path):
    events = cli("export", "--since", "2026-08-01")
    lines = [json.loads(line) for line in events.stdout.splitlines()]
    assert [e["event_id"] for e in lines] == [LITHIUM, GLASS]  # oldest first
    assert lines[1]["source_keys"] == ["cls", "reuters", "cpia"]
    out = tmp_path / "articles.csv"
    result = cli(
        "export",
        "--kind",
        "articles",
        "--since",
        "2026-01-01",
        "--format",
        "csv",
        "--relevant",
        "--with-body",
        "--output",
        str(out),
    )
    assert result.exit_code == 0 and "exported 4 articles" in result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {int(r["article_id"]) for r in rows} == {
        archive.ids[k] for k in ("glass_cut", "glass_trad", "solar_en", "battery")
    }
    assert all(r["body"] for r in rows)


def test_cli_rejects_a_bad_date(cli):
    result = cli("search", "光伏", "--since", "last tuesday")
    assert result.exit_code == 2 and "not a date" in result.output + result.stderr
