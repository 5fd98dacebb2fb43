"""What every capwatch spider shares: resolving its source entry from a key or an object."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.utils.misc import load_object

from crawlers.sources import SourceConfig, load_sources


def resolve_source(
    source: SourceConfig | str | None, default_key: str, sources_file: Path | None = None
) -> SourceConfig:
    """The source entry: given directly (in-process), or looked up by key (`-a source=KEY`)
    in `sources_file` (None: the built-in sources)."""
    if isinstance(source, SourceConfig):
        return source
    key = source or default_key
    sources = load_sources(sources_file)
    if key not in sources:
        raise ValueError(f"unknown source {key!r}; known: {', '.join(sorted(sources))}")
    return sources[key]


class SourceSpider(scrapy.Spider):
    """A spider bound to one source entry (its URL, options and tier come from the entry)."""

    def __init__(self, source: SourceConfig | str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = resolve_source(source, self.name)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """`scrapy crawl X -a source=KEY`: the key is looked up in the sources file the
        CAPWATCH_SOURCES_FILE_FUNCTION setting names (the user's, not only the built-ins)."""
        source = kwargs.get("source")
        name = crawler.settings.get("CAPWATCH_SOURCES_FILE_FUNCTION")
        if not isinstance(source, SourceConfig) and name:
            sources_file: Callable[[], Path | None] = load_object(name)
            kwargs["source"] = resolve_source(source, cls.name, sources_file())
        return super().from_crawler(crawler, *args, **kwargs)
