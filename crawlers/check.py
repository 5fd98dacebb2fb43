"""`capwatch sources check`: one live crawl of one source with nothing stored; returns what
would be stored and how it was found (HTTP status, encoding, selector hits, extraction)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawlers.extract.links import LinkSuggestion, suggest_link_selector
from crawlers.items import ArticleItem
from crawlers.sources import SourceConfig

DEFAULT_LINKS = "a[href]"


@dataclass
class CheckResult:
    items: list[ArticleItem] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    saved: list[Any] = field(default_factory=list)  # scrapy Responses, for --save-fixture
    finish_reason: str = ""
    stats: dict[str, Any] = field(default_factory=dict)
    # html sources still on the default `links = "a[href]"`: the article links' selector
    link_suggestion: LinkSuggestion | None = None


@dataclass(frozen=True)
class OfflineFile:
    """A saved list page, feed or article read instead of fetching (`--file`)."""

    path: str
    content_type: str | None = None


async def check_source(
    source: SourceConfig,
    timeout: int,
    keep_responses: bool = False,
    replay: str | None = None,
    offline: OfflineFile | None = None,
) -> CheckResult:
    """Crawl `source` once without the store pipeline (must run on the asyncio reactor);
    with `offline`, its first request is answered from the file and nothing is fetched."""
    from scrapy import signals
    from scrapy.crawler import AsyncCrawlerRunner
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    if not settings.get("BOT_NAME") or settings.get("BOT_NAME") == "scrapybot":
        settings.setmodule("crawlers.settings", priority="project")
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    settings.set("CLOSESPIDER_TIMEOUT", timeout, priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    if replay:
        middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
        middlewares["crawlers.replay.ReplayMiddleware"] = 10
        settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="cmdline")
        settings.set("CAPWATCH_REPLAY_URL", replay, priority="cmdline")
        settings.set("ROBOTSTXT_OBEY", False, priority="cmdline")
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
    if offline is not None:
        middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
        middlewares["crawlers.replay.FileAnswerMiddleware"] = 5
        settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="cmdline")
        settings.set("CAPWATCH_FILE_ANSWER", offline.path, priority="cmdline")
        settings.set("CAPWATCH_FILE_TYPE", offline.content_type, priority="cmdline")
        settings.set("ROBOTSTXT_OBEY", False, priority="cmdline")
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        settings.set("RETRY_ENABLED", False, priority="cmdline")
    result = CheckResult()
    runner = AsyncCrawlerRunner(settings)
    crawler = runner.create_crawler(runner.spider_loader.load(source.spider_name))

    def on_item(item: Any, response: Any = None) -> None:
        if isinstance(item, ArticleItem):
            result.items.append(item)

    def on_response(response: Any, request: Any) -> None:
        result.responses.append(
            {"url": response.url, "status": response.status, "bytes": len(response.body)}
        )
        if keep_responses and not response.url.endswith("/robots.txt"):
            result.saved.append(response)
        if (
            source.kind == "html"
            and source.options.get("links", DEFAULT_LINKS) == DEFAULT_LINKS
            and response.url == source.url
            and result.link_suggestion is None
            and hasattr(response, "text")
        ):
            result.link_suggestion = suggest_link_selector(response.text, response.url)

    def on_closed(spider: Any, reason: str) -> None:
        result.finish_reason = reason
        result.diagnostics = list(getattr(spider, "diagnostics", []))

    crawler.signals.connect(on_item, signal=signals.item_scraped)
    crawler.signals.connect(on_response, signal=signals.response_received)
    crawler.signals.connect(on_closed, signal=signals.spider_closed)
    await runner.crawl(crawler, source=source)
    result.stats = {k: v for k, v in (crawler.stats.get_stats() or {}).items()
                    if isinstance(v, int | float | str)}  # fmt: skip
    return result
