"""Issue 13: a user's mistake is one clear line on stderr and exit code 2 (1 when something
needed is unreachable), never a traceback; `--debug` brings the traceback back. Each case runs
the real `capwatch` command in a child process, as a user would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest


def capwatch(
    args: list[str], tmp_path: Path, timeout: float = 90, **env: str
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CAPWATCH_", "TELEGRAM_"))}
    clean |= {"CAPWATCH_DATA_DIR": str(tmp_path / "data"), **env}
    return subprocess.run(
        [sys.executable, "-m", "capwatch", *args],
        capture_output=True,
        text=True,
        env=clean,
        timeout=timeout,
        cwd=tmp_path,
    )


def one_line(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The error: exactly one line on stderr, starting `capwatch:`, and the exit code."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == code, result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("capwatch: ")
    assert "Traceback" not in result.stderr
    return lines[0]


def test_crawl_of_an_unknown_source(tmp_path: Path) -> None:
    line = one_line(capwatch(["crawl", "nosuchkey"], tmp_path))
    assert "unknown source(s): nosuchkey" in line and "cls" in line  # names the known ones


def test_run_only_an_unknown_source(tmp_path: Path) -> None:
    assert "nosuch" in one_line(capwatch(["run", "--only", "cls,nosuch"], tmp_path))


def test_scrapyd_executor_without_a_node(tmp_path: Path) -> None:
    line = one_line(capwatch(["crawl", "cls"], tmp_path, CAPWATCH_EXECUTOR="scrapyd"))
    assert "CAPWATCH_SCRAPYD_URL" in line


def test_a_scrapyd_url_that_is_no_url(tmp_path: Path) -> None:
    line = one_line(capwatch(["run"], tmp_path, CAPWATCH_SCRAPYD_URL="crawl1:6800"))
    assert "CAPWATCH_SCRAPYD_URL" in line


def test_missing_sources_file_at_run(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    line = one_line(capwatch(["run"], tmp_path, CAPWATCH_SOURCES_FILE=str(missing)))
    assert str(missing) in line


def test_invalid_sources_file_at_run(tmp_path: Path) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text('[[source]]\nkey = "x"\nkind = "rss"\n', "utf-8")  # no url, no interval
    line = one_line(capwatch(["run"], tmp_path, CAPWATCH_SOURCES_FILE=str(bad)))
    assert str(bad) in line


def test_bad_environment_variables_are_named(tmp_path: Path) -> None:
    line = one_line(
        capwatch(["status"], tmp_path, CAPWATCH_POLL_SECONDS="soon", TELEGRAM_ALERT_CHAT_IDS="x")
    )
    assert "CAPWATCH_POLL_SECONDS" in line and "TELEGRAM_ALERT_CHAT_IDS" in line


def test_unknown_log_level(tmp_path: Path) -> None:
    line = one_line(capwatch(["status"], tmp_path, CAPWATCH_LOG_LEVEL="verbose"))
    assert "CAPWATCH_LOG_LEVEL" in line and "DEBUG" in line


def test_log_level_in_lower_case_is_fine(tmp_path: Path) -> None:
    result = capwatch(["sources", "list", "--no-db"], tmp_path, CAPWATCH_LOG_LEVEL="warning")
    assert result.returncode == 0, result.stderr


def test_redetect_since_bogus(tmp_path: Path) -> None:
    assert "--since" in one_line(capwatch(["redetect", "--since", "bogus"], tmp_path))


def test_extract_with_an_unknown_source(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><h1>标题</h1><p>正文</p></body></html>", "utf-8")
    line = one_line(capwatch(["extract", str(page), "--source", "nosuch"], tmp_path))
    assert "unknown source 'nosuch'" in line


def test_mistyped_url_scheme_keeps_the_password_secret(tmp_path: Path) -> None:
    url = "postgresq://user:S3cret@127.0.0.1:5432/capwatch"
    result = capwatch(["status"], tmp_path, CAPWATCH_DATABASE_URL=url)
    line = one_line(result)
    assert "CAPWATCH_DATABASE_URL" in line and "postgresq" in line
    assert "S3cret" not in result.stderr + result.stdout
    debug = capwatch(["--debug", "status"], tmp_path, CAPWATCH_DATABASE_URL=url)
    assert "Traceback" in debug.stderr and "S3cret" not in debug.stderr + debug.stdout


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = capwatch(["--debug", "crawl", "nosuchkey"], tmp_path)
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "UserError" in result.stderr


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word (a hung database)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_database_that_never_answers_stops_start_up(tmp_path: Path, silent_server: int) -> None:
    url = f"postgresql://capwatch:S3cret@127.0.0.1:{silent_server}/capwatch"
    result = capwatch(
        ["db", "migrate"], tmp_path, timeout=60,
        CAPWATCH_DATABASE_URL=url, CAPWATCH_DB_CONNECT_TIMEOUT="1",
    )  # fmt: skip
    line = one_line(result, code=1)
    assert "database" in line and "timeout" in line
    assert "S3cret" not in result.stderr


def test_version(tmp_path: Path) -> None:
    from capwatch import __version__

    result = capwatch(["--version"], tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"capwatch {__version__}"


@pytest.mark.parametrize("args", [["search", "--help"], ["run", "--help"], ["--help"]])
def test_help_has_no_type_tags(tmp_path: Path, args: list[str]) -> None:
    result = capwatch(args, tmp_path, COLUMNS="100")
    assert result.returncode == 0
    for tag in ("<bool>", "<list[str]>", "<str>", "<int"):
        assert tag not in result.stdout
    if args[0] == "search":
        assert "INTEGER" in result.stdout and "[rank|newest]" in result.stdout
