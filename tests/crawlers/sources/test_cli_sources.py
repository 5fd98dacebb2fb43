"""`capwatch sources check / new / list` through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psycopg
import pytest

from tests.conftest import REPO
from tests.crawlers.sources.conftest import local_sources_file
from tests.crawlers.sources.test_saved_fixtures import replay_check

pytestmark = pytest.mark.integration


def capwatch(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "capwatch", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env=env,
    )


def test_check_prints_items_and_diagnostics_stores_nothing_and_saves_a_replayable_fixture(
    fixture_server, database_url, tmp_path
):
    _, server = fixture_server
    sources = local_sources_file(tmp_path / "s.toml", server.url, ["cs_hg"])
    env = {
        **os.environ,
        "CAPWATCH_SOURCES_FILE": str(sources),
        "CAPWATCH_DATABASE_URL": database_url,
    }
    folder = tmp_path / "fixture"
    done = capwatch(
        "sources", "check", "cs_hg", "--save-fixture", "--fixture-dir", str(folder), env=env
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "水泥行业错峰生产方案出台" in out and "熟料生产线全部停窑" in out
    assert "status=200" in out and "encoding=gb18030" in out and "declared gb2312" in out
    assert "article.cont_article section (1 hits)" in out and "method=selectors" in out
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM crawl_runs").fetchone()[0] == 0
    expected = json.loads((folder / "expected.json").read_text("utf-8"))
    assert len(expected["items"]) == 2
    assert sorted(replay_check(folder, tmp_path), key=lambda i: i["url"]) == sorted(
        expected["items"], key=lambda i: i["url"]
    )


def test_check_of_a_broken_source_says_why(fixture_server, tmp_path):
    _, server = fixture_server
    sources = local_sources_file(tmp_path / "s.toml", server.url, ["nbd"])
    text = sources.read_text("utf-8").replace("/columns/3/", "/columns/404/")
    sources.write_text(text, "utf-8")
    env = {**os.environ, "CAPWATCH_SOURCES_FILE": str(sources)}
    done = capwatch("sources", "check", "nbd", env=env)
    assert done.returncode == 1
    assert "http_errors=1" in done.stdout and "no items" in done.stdout


def test_new_scaffolds_a_valid_entry_and_list_shows_it(tmp_path):
    target = tmp_path / "mine.toml"
    env = {**os.environ, "CAPWATCH_SOURCES_FILE": str(target)}
    done = capwatch(
        "sources",
        "new",
        "--key",
        "my_list",
        "--kind",
        "html",
        "--url",
        "https://example.com/news/",
        "--tier",
        "association",
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert 'links = "a[href]"' in target.read_text("utf-8")
    listed = capwatch("sources", "list", "--no-db", env=env)
    assert listed.returncode == 0 and "my_list" in listed.stdout and "association" in listed.stdout


def _new(key: str, target, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CAPWATCH_SOURCES_FILE": str(target)}
    args = ["--kind", "rss", "--url", "https://example.com/feed.xml", *extra]
    return capwatch("sources", "new", "--key", key, *args, env=env)


def test_new_with_an_existing_key_leaves_the_file_as_it_was(tmp_path):
    target = tmp_path / "mine.toml"
    assert _new("my_feed", target).returncode == 0
    before = target.read_bytes()
    again = _new("my_feed", target)
    assert again.returncode == 2
    assert "duplicate key 'my_feed'" in again.stderr and str(target) in again.stderr
    assert target.read_bytes() == before  # nothing appended: every command still works
    listed = capwatch(
        "sources", "list", "--no-db", env={**os.environ, "CAPWATCH_SOURCES_FILE": str(target)}
    )
    assert listed.returncode == 0 and "my_feed" in listed.stdout


def test_new_into_a_broken_file_writes_nothing_and_says_why(tmp_path):
    target = tmp_path / "mine.toml"
    target.write_text('[[source]]\nkey = "x"\nname = ', "utf-8")  # a half-edited file
    before = target.read_bytes()
    done = _new("other", target)
    assert done.returncode == 2 and "not valid TOML" in done.stderr
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["mine.toml"]  # no temporary file left


def test_new_overriding_a_built_in_key_says_so(tmp_path):
    target = tmp_path / "mine.toml"
    done = _new("scmp_business", target)
    assert done.returncode == 0, done.stderr
    assert "replaces the built-in source 'scmp_business'" in done.stdout


def test_a_bad_sources_file_names_file_entry_and_field(tmp_path):
    target = tmp_path / "bad.toml"
    target.write_text(
        '[[source]]\nkey = "x"\nname = "x"\nkind = "html"\nurl = "https://a/"\n'
        'interval = 5\n[source.options]\nlinkz = "a"\n',
        "utf-8",
    )
    done = capwatch(
        "sources", "list", "--no-db", env={**os.environ, "CAPWATCH_SOURCES_FILE": str(target)}
    )
    assert done.returncode == 2
    assert (
        str(target) in done.stderr and "key='x'" in done.stderr and "options.linkz" in done.stderr
    )


def test_list_shows_last_run_and_unhealthy_sources(database_url, tmp_path):
    stats = [  # newest last: three bad runs in a row for nbd, a good 304 run for scmp
        ("nbd", "finished", 3, '{"capwatch/found": 3}'),
        ("nbd", "finished", 0, "{}"),
        ("nbd", "failed", 0, "{}"),
        ("nbd", "finished", 0, '{"capwatch/http_errors": 4}'),
        ("scmp_business", "finished", 0, '{"capwatch/not_modified": 1}'),
    ]
    with psycopg.connect(database_url) as conn:
        for key, status, items, stat in stats:
            conn.execute(
                "INSERT INTO crawl_runs (source_key, status, items, stats, finished_at)"
                " VALUES (%s, %s, %s, %s, now())",
                (key, status, items, stat),
            )
    env = {**os.environ, "CAPWATCH_DATABASE_URL": database_url}
    env.pop("CAPWATCH_SOURCES_FILE", None)
    done = capwatch("sources", "list", env=env)
    assert done.returncode == 0, done.stderr
    nbd = next(line for line in done.stdout.splitlines() if "│ nbd " in line)
    scmp = next(line for line in done.stdout.splitlines() if "scmp_business" in line)
    assert "UNHEALTHY: 3 bad: 4 HTTP error(s)" in nbd
    assert " ok " in scmp


def test_check_reads_a_saved_feed_offline_and_says_title_only_items_fetch_pages(tmp_path):
    feed = (
        '<?xml version="1.0" encoding="gb2312"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>43岁马伊琍出席光伏玻璃减产座谈会</title><link>/a/1.html</link>"
        "<pubDate>2026-08-21 10:36:00</pubDate></item>"
        "<item><title>水泥行业错峰生产</title><link>/a/2.html</link>"
        "<description>水泥行业错峰生产</description></item></channel></rss>"
    )
    saved = tmp_path / "feed.xml"
    saved.write_bytes(feed.encode("gb18030"))
    sources = tmp_path / "s.toml"
    sources.write_text(
        '[[source]]\nkey = "offline_feed"\nname = "Offline"\nkind = "rss"\n'
        'url = "http://127.0.0.1:9/feed.xml"\nlang = "zh"\ninterval = 600\n',
        "utf-8",
    )
    env = {**os.environ, "CAPWATCH_SOURCES_FILE": str(sources)}
    done = capwatch(
        "sources", "check", "offline_feed", "--file", str(saved),
        "--content-type", "application/rss+xml; charset=gb2312", env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "43岁马伊琍出席光伏玻璃减产座谈会" in out and "http://127.0.0.1:9/a/1.html" in out
    assert "2026-08-21T10:36:00+08:00" in out
    assert "encoding=gb18030" in out and "title_only=2" in out
    assert "their article pages are fetched" in out
    missing = capwatch("sources", "check", "offline_feed", "--file", str(tmp_path / "no"), env=env)
    assert missing.returncode == 2 and "no such file" in missing.stderr
