"""The embedded PostgreSQL's life through the real CLI: `db psql`, `db stop` that never claims
a stop it did not check, dead handles left by `kill -9`, the supervisor in `capwatch run`, and
root's parent-folder permissions."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.integration


def capwatch(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAPWATCH_", "TELEGRAM_"))}
    env["CAPWATCH_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "capwatch", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env=env,
    )


def server_pid(data_dir: Path) -> int | None:
    """The postmaster's PID when it runs (postmaster.pid names a live process)."""
    pidfile = data_dir / "pgdata" / "postmaster.pid"
    if not pidfile.exists():
        return None
    first = pidfile.read_text().split()[0]
    if not first.isdigit():  # initdb's single-user backend writes a negative PID
        return None
    pid = int(first)
    try:
        alive = psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return None
    return pid if alive else None


def wait_gone(pid: int, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            return True
        time.sleep(0.2)
    return False


HOLDER = """
import sys, time
from pathlib import Path
from db.embedded import embedded_dsn
embedded_dsn(Path(sys.argv[1]))
print("ready", flush=True)
time.sleep(120)
"""


def start_holder(data_dir: Path) -> subprocess.Popen[str]:
    """Another capwatch process using the embedded server (as `capwatch run` does)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


@pytest.fixture
def data_dir():
    """Outside pytest's own temporary root: a concurrent pytest session resets that root to
    0700, which would lock the server's `embedded_postgres` user (under root) out mid-test."""
    top = Path(tempfile.mkdtemp(prefix="capwatch-embedded-"))
    folder = top / "data"
    yield folder
    pid = server_pid(folder)
    if pid is not None:  # never leak a server from a failed test
        with contextlib.suppress(psutil.Error):
            psutil.Process(pid).terminate()
        wait_gone(pid)
    shutil.rmtree(top, ignore_errors=True)


def test_psql_then_stop_stops_for_real_and_a_second_stop_says_not_running(data_dir):
    assert capwatch(data_dir, "db", "url").returncode == 0
    running = server_pid(data_dir)
    assert running is not None
    session = capwatch(data_dir, "db", "psql", stdin="SELECT 40 + 2 AS answer;\n")
    assert session.returncode == 0, session.stderr
    assert "42" in session.stdout
    assert server_pid(data_dir) == running  # psql leaves the server as it found it
    stopped = capwatch(data_dir, "db", "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert "stopped" in stopped.stdout
    assert wait_gone(running, 1), "db stop said stopped while the server still runs"
    again = capwatch(data_dir, "db", "stop")
    assert again.returncode == 0 and "not running" in again.stdout


def test_psql_on_a_stopped_server_stops_it_again_afterwards(data_dir):
    session = capwatch(data_dir, "db", "psql", stdin="SELECT 1;\n")
    assert session.returncode == 0, session.stderr
    assert server_pid(data_dir) is None


def test_stop_refuses_while_a_live_process_uses_the_server(data_dir):
    holder = start_holder(data_dir)
    try:
        pid = server_pid(data_dir)
        assert pid is not None
        refused = capwatch(data_dir, "db", "stop")
        assert refused.returncode == 1
        assert f"PID {holder.pid}" in refused.stderr and "in use" in refused.stderr
        assert server_pid(data_dir) == pid  # told the truth: still running
        forced = capwatch(data_dir, "db", "stop", "--force")
        assert forced.returncode == 0 and "stopped" in forced.stdout, forced.stderr
        assert wait_gone(pid, 1)
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_process_neither_blocks_stop_nor_leaks_the_server(data_dir):
    holder = start_holder(data_dir)
    holder.send_signal(signal.SIGKILL)  # its PID stays registered with the server
    holder.wait()
    pid = server_pid(data_dir)
    assert pid is not None
    # the next ordinary command forgets the dead handle, so its own exit stops the server
    migrated = capwatch(data_dir, "db", "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert wait_gone(pid), "the server leaked after kill -9 of its user"
    # and `db stop` is not fooled by a dead handle either
    holder = start_holder(data_dir)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    pid = server_pid(data_dir)
    assert pid is not None
    stopped = capwatch(data_dir, "db", "stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout, stopped.stderr
    assert wait_gone(pid, 1)


def test_run_restarts_its_embedded_server_when_it_dies(data_dir, tmp_path):
    from capwatch.demo.replay import ReplayServer, load_sample_day
    from capwatch.demo.run import demo_sources

    replay = ReplayServer(load_sample_day(), replay_seconds=0.0).start()
    sources = tmp_path / "sources.toml"
    sources.write_text(demo_sources(replay.base_url), "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAPWATCH_", "TELEGRAM_"))}
    env |= {
        "CAPWATCH_DATA_DIR": str(data_dir),
        "CAPWATCH_SOURCES_FILE": str(sources),
        "CAPWATCH_EMBEDDED_CHECK_SECONDS": "1",
        "CAPWATCH_POLL_SECONDS": "1",
    }
    log = tmp_path / "run.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "capwatch", "run", "--only", "demo_wire"],
            stdout=subprocess.DEVNULL,
            stderr=err,
            cwd=REPO,
            env=env,
        )
    try:
        assert _wait_for(log, "crawl finished: demo_wire status=finished", 60)
        first = server_pid(data_dir)
        assert first is not None
        os.kill(first, signal.SIGKILL)
        assert _wait_for(log, "embedded PostgreSQL is back", 60), log.read_text()[-3000:]
        second = server_pid(data_dir)
        assert second is not None and second != first, log.read_text()[-3000:]
        text = log.read_text()
        assert "embedded PostgreSQL is not running" in text and "attempt 1" in text
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
        assert wait_gone(second), "capwatch run left its embedded server running"
    finally:
        if proc.poll() is None:
            proc.kill()
        replay.stop()


def _wait_for(log: Path, text: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in log.read_text():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.skipif(os.geteuid() != 0, reason="only root makes embedded-postgres widen folders")
def test_as_root_parents_of_the_data_folder_get_traverse_only(data_dir, caplog):
    from db.embedded import embedded_dsn, stop_embedded

    private = data_dir / "private"
    private.mkdir(mode=0o700, parents=True)
    private.chmod(0o700)
    data = private / "capwatch"
    with caplog.at_level("WARNING"):
        embedded_dsn(data)
    try:
        mode = stat.S_IMODE(private.stat().st_mode)
        assert mode == 0o711, oct(mode)  # others may pass through, not list or read
        assert f"{private} (0700 -> 0711)" in caplog.text
    finally:
        stop_embedded(data)


def test_without_the_embedded_extra_a_missing_database_url_is_one_clear_line(tmp_path):
    blocked = (
        "import sys; sys.modules['embedded_postgres'] = None; "  # as if the extra were absent
        "sys.argv = ['capwatch', 'db', 'url']; from capwatch.cli import main; main()"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAPWATCH_", "TELEGRAM_"))}
    env["CAPWATCH_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", blocked], capture_output=True, text=True, env=env, cwd=REPO
    )
    assert done.returncode == 2, done.stderr
    assert "pip install 'capwatch[embedded]'" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
