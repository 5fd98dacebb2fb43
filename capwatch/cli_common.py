"""What every `capwatch` command shares: the settings, the database connection, key lists.

The cli_* modules import from here (never from capwatch/cli.py, which imports them).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import psycopg
import typer

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


def when_option(value: str | None) -> datetime | None:
    """A --since/--until value (YYYY-MM-DD[THH:MM], 7d, 2h…) as a moment; a bad one is the
    option's error."""
    from core.timeparse import parse_when

    if not value:
        return None
    try:
        return parse_when(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
