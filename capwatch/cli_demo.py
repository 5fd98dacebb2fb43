"""`capwatch demo`: see the whole pipeline work in a minute, offline."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from core.errors import UserError


def demo(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="The demo's own data dir (its embedded PostgreSQL); "
            "default: the 'demo' folder inside CAPWATCH_DATA_DIR."
        ),
    ] = None,
    telegram: Annotated[
        bool,
        typer.Option(
            "--telegram", help="Send the demo's alerts to TELEGRAM_ALERT_CHAT_IDS (needs a token)."
        ),
    ] = False,
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds.")] = 120,
) -> None:
    """Try capwatch first: the whole service on a replayed sample day, offline, in a minute.

    Three local sites (a JSON wire, an RSS feed, an association's pages) serve a sample day;
    capwatch crawls, stores, detects, groups events and prints the alerts, then says how to
    watch the real sources. Its database is separate from the real archive."""
    from capwatch.cli_common import settings as load_config
    from capwatch.demo.run import DemoOptions, run_demo
    from capwatch.service import run_under_reactor

    settings = load_config()
    if telegram and not (settings.bot_token and settings.telegram_alert_chat_ids):
        raise UserError("--telegram needs TELEGRAM_BOT_TOKEN and TELEGRAM_ALERT_CHAT_IDS")
    options = DemoOptions(
        data_dir=(data_dir or settings.data_dir / "demo").expanduser().resolve(),
        telegram=telegram,
        timeout=timeout,
    )
    raise typer.Exit(run_under_reactor(lambda: run_demo(settings, options, sys.stdout)))


def register(app: typer.Typer) -> None:
    """Adds this concern's commands to the `capwatch` app."""
    app.command("demo")(demo)
