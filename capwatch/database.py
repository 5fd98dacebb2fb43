"""The one way capwatch's commands and service reach the database.

Every command that opens the database goes through `open_database`: the embedded server is
started (or CAPWATCH_DATABASE_URL used), the migrations are applied, and every connection
gets the connect timeout, so a server that accepts connections but never answers stops
start-up with one clear line instead of hanging.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import psycopg
from psycopg_pool import AsyncConnectionPool

from capwatch.settings import Settings
from core.errors import UnavailableError, UserError
from core.redact import redact


@dataclass(frozen=True)
class Database:
    url: str  # as configured, or the embedded server's (what `capwatch db url` prints)
    dsn: str  # `url` with the connect timeout: what capwatch connects with
    applied: tuple[str, ...]  # migrations applied by this call


def open_database(settings: Settings, *, keep_running: bool = False) -> Database:
    """Resolve, reach and migrate the database. `keep_running` leaves an embedded server up
    after this process exits (for psql)."""
    from psycopg.conninfo import make_conninfo

    from db.embedded import resolve_dsn
    from db.migrate import migrate

    try:
        url = resolve_dsn(settings.database_url, settings.data_dir, keep_running=keep_running)
    except psycopg.Error as exc:
        raise UnavailableError(f"cannot use the database: {_first_line(exc)}") from exc
    try:
        dsn = make_conninfo(url, connect_timeout=settings.db_connect_timeout)
    except psycopg.ProgrammingError as exc:  # its message quotes the URL, password included
        raise UserError(
            "CAPWATCH_DATABASE_URL is not a valid PostgreSQL URL or connection string"
        ) from exc
    try:
        applied = migrate(dsn)
    except psycopg.OperationalError as exc:
        raise UnavailableError(f"cannot use the database: {_first_line(exc)}") from exc
    return Database(url, dsn, tuple(applied))


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return redact(text.splitlines()[0] if text else type(exc).__name__)


@asynccontextmanager
async def connect(
    settings: Settings, *, autocommit: bool = False
) -> AsyncIterator[psycopg.AsyncConnection]:
    """One connection to the migrated database, for a command's queries."""
    database = await asyncio.to_thread(open_database, settings)
    async with await psycopg.AsyncConnection.connect(database.dsn, autocommit=autocommit) as conn:
        yield conn


@asynccontextmanager
async def connection_pool(
    settings: Settings, *, max_size: int = 2
) -> AsyncIterator[AsyncConnectionPool]:
    """A small pool on the migrated database, for a command that runs queries side by side."""
    database = await asyncio.to_thread(open_database, settings)
    async with AsyncConnectionPool(database.dsn, min_size=1, max_size=max_size, open=False) as pool:
        yield pool
