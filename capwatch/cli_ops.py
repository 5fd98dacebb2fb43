"""`capwatch status / backfill`: operations."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds this concern's commands to the `capwatch` app."""
