"""`capwatch web`: the web console alone, on the same database as the service."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("web")(web)


def web(
    host: Annotated[
        str | None, typer.Option(help="Listen on this address (default CAPWATCH_WEB_HOST).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Listen on this port (default CAPWATCH_WEB_PORT or 8090).")
    ] = None,
) -> None:
    """Serve the web console (events, search, sources, charts) until Ctrl-C."""
    import asyncio

    from capwatch.cli_common import settings
    from capwatch.database import open_database
    from capwatch.web_setup import web_config
    from crawlers.sources import load_sources
    from web.server import serve_forever

    loaded = settings()
    database = open_database(loaded)
    config = web_config(loaded, load_sources(loaded.sources_file), host, port)
    raise typer.Exit(asyncio.run(serve_forever(database.dsn, config)))
