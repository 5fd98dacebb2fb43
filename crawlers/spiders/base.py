"""What every capwatch spider shares: resolving its source entry from a key or an object."""

from __future__ import annotations

from typing import Any

import scrapy

from crawlers.sources import SourceConfig, load_sources


def resolve_source(source: SourceConfig | str | None, default_key: str) -> SourceConfig:
    """The source entry: given directly (in-process), or looked up by key (`-a source=KEY`)."""
    if isinstance(source, SourceConfig):
        return source
    from capwatch.settings import Settings

    key = source or default_key
    sources = load_sources(Settings().sources_file)
    if key not in sources:
        raise ValueError(f"unknown source {key!r}; known: {', '.join(sorted(sources))}")
    return sources[key]


class SourceSpider(scrapy.Spider):
    """A spider bound to one source entry (its URL, options and tier come from the entry)."""

    def __init__(self, source: SourceConfig | str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = resolve_source(source, self.name)
