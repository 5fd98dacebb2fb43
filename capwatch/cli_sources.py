"""`capwatch sources ...`: list, check and scaffold sources."""

from __future__ import annotations

import typer

sources_app = typer.Typer(help="The configured sources.", no_args_is_help=True)


def _settings():
    from capwatch.cli import _settings as settings

    return settings()


@sources_app.command("list")
def sources_list() -> None:
    """List the sources: key, kind, tier, schedule, confidence."""
    from rich.console import Console
    from rich.table import Table

    from crawlers.sources import load_sources

    settings = _settings()
    table = Table("key", "name", "kind", "tier", "schedule", "enabled", "confidence")
    for source in load_sources(settings.sources_file).values():
        schedule = f"every {source.interval}s" if source.interval else f"cron {source.cron}"
        table.add_row(
            source.key,
            source.name,
            source.kind,
            source.tier,
            schedule,
            "yes" if source.enabled else "no",
            source.confidence,
        )
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")
