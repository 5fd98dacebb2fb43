"""Configuration for crawls started outside the service (`scrapy crawl`, a Scrapyd job).

Such a crawl has no `capwatch run` above it to hand over a pool and a sources file, so the
Scrapy project names these functions by path (crawlers/settings.py); crawlers/ itself never
imports capwatch/.
"""

from __future__ import annotations

from pathlib import Path

from capwatch.settings import load_settings


def sources_file() -> Path | None:
    """CAPWATCH_SOURCES_FILE, or None for the built-in sources."""
    return load_settings().sources_file


def database_dsn() -> str:
    """The database of this configuration, migrated (the child may be the first to use it)."""
    from capwatch.database import open_database

    return open_database(load_settings()).dsn
