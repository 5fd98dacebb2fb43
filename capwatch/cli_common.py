"""What every `capwatch` command shares: the settings, the database connection, key lists.

The cli_* modules import from here (never from capwatch/cli.py, which imports them).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import psycopg

from capwatch.database import connect
from capwatch.settings import Settings, load_settings

T = TypeVar("T")


def settings() -> Settings:
    """The configuration from the environment, with logging set up at its level."""
    from core.logs import configure_logging

    loaded = load_settings()
    configure_logging(loaded.log_level)
    return loaded


def with_connection(
    work: Callable[[psycopg.AsyncConnection], Awaitable[T]],
    *,
    autocommit: bool = False,
) -> T:
    """Run `work(conn)` on one connection to the migrated database."""

    async def main() -> T:
        async with connect(settings(), autocommit=autocommit) as conn:
            return await work(conn)

    if sys.platform == "win32":  # psycopg's async mode needs the selector loop there
        asyncio.set_event_loop_policy(asyncio.WindowsSelectorEventLoopPolicy())
    return asyncio.run(main())


def split_keys(value: str | None) -> list[str] | None:
    """`a,b, c` -> ["a", "b", "c"]; blank -> None."""
    if not value:
        return None
    return [key.strip() for key in value.split(",") if key.strip()]
