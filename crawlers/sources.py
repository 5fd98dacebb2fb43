"""The source list: crawlers/sources.toml merged with the file named by CAPWATCH_SOURCES_FILE.

Validated at start; an error names the file, the entry and the field, so a typo in a user's
sources file is found before the first crawl, not at 3 a.m.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from core.errors import UserError
from crawlers.source_options import ArticleSelectors, validate_kind_options

Kind = Literal["spider", "rss", "sitemap", "html", "json"]
Tier = Literal["official", "association", "wire", "media"]


class SourceError(UserError, ValueError):
    """A sources file that cannot be used; the message says where and why."""


class SourceConfig(BaseModel):
    """One source: where to crawl, how often, and how much to trust it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    name: str
    kind: Kind
    url: str = Field(pattern=r"^https?://")
    lang: Literal["zh", "en"] = "zh"
    tier: Tier = "media"
    interval: int | None = Field(None, gt=0, description="seconds between crawls")
    cron: str | None = None
    enabled: bool = True
    spider: str | None = None
    confidence: Literal["high", "medium-high", "medium", "low-medium", "low", "unclear"] = "medium"
    evidence_date: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    # Politeness and fetching (every kind; see crawlers/middlewares.py).
    headers: dict[str, str] = Field(
        default_factory=dict, description="extra request headers, e.g. Referer and Origin"
    )
    robots: bool = Field(True, description="obey robots.txt; false needs robots_reason")
    robots_reason: str | None = None
    encoding: str | None = Field(None, description="force this charset instead of detecting")
    download_delay: float | None = Field(None, ge=0, description="seconds between requests")
    concurrency: int | None = Field(None, gt=0, description="parallel requests to the site")
    # Declarative kinds: article pages and the kind's own options (crawlers/source_options.py).
    follow: bool | None = Field(
        None,
        description="fetch each new article page (html: always; rss: default only for items "
        "without a body; json/sitemap: default false)",
    )
    max_articles: int = Field(30, gt=0, description="new article pages fetched per crawl")
    selectors: ArticleSelectors | None = None
    executor: Literal["inprocess", "subprocess", "scrapyd"] | None = Field(
        None, description="how this source's crawls run; unset: CAPWATCH_EXECUTOR"
    )

    @model_validator(mode="after")
    def _schedule_and_spider(self) -> SourceConfig:
        if self.interval is None and self.cron is None:
            raise ValueError("set either interval (seconds) or cron")
        if self.interval is not None and self.cron is not None:
            raise ValueError("set interval or cron, not both")
        if not self.robots and not (self.robots_reason or "").strip():
            raise ValueError("robots = false needs robots_reason (why ignoring it is right)")
        return self

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        import codecs

        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError as exc:
                raise ValueError(f"unknown charset {value!r}") from exc
        return value

    @field_validator("options")
    @classmethod
    def _kind_options(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        return validate_kind_options(info.data.get("kind"), value)

    @property
    def fetches_articles(self) -> bool:
        """Whether list entries lead to article-page requests (html: always)."""
        return self.kind == "html" or bool(self.follow)

    @property
    def follow_policy(self) -> Literal["always", "title_only", "never"]:
        """When list entries lead to article-page requests: html and `follow = true` always;
        rss with `follow` unset only for items that carry no body; otherwise never."""
        if self.fetches_articles:
            return "always"
        if self.follow is None and self.kind == "rss":
            return "title_only"
        return "never"

    @property
    def spider_name(self) -> str:
        """The Scrapy spider that crawls this source."""
        if self.kind == "spider":
            return self.spider or self.key
        return self.kind  # declarative kinds have one generic spider each


def _read_entries(text: str, origin: str) -> list[dict[str, Any]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"{origin}: not valid TOML: {exc}") from exc
    entries = data.get("source", [])
    if not isinstance(entries, list):
        raise SourceError(f"{origin}: [[source]] entries expected")
    return entries


def _validate(entries: list[dict[str, Any]], origin: str) -> dict[str, SourceConfig]:
    found: dict[str, SourceConfig] = {}
    for index, entry in enumerate(entries, start=1):
        label = f"entry {index} (key={entry.get('key', '?')!r})"
        try:
            source = SourceConfig.model_validate(entry)
        except ValidationError as exc:
            problems = "; ".join(
                f"field {'.'.join(str(p) for p in err['loc']) or '(entry)'}: {err['msg']}"
                for err in exc.errors()
            )
            raise SourceError(f"{origin}: {label}: {problems}") from exc
        if source.key in found:
            raise SourceError(f"{origin}: {label}: duplicate key {source.key!r}")
        found[source.key] = source
    return found


def builtin_sources() -> dict[str, SourceConfig]:
    """crawlers/sources.toml plus crawlers/sources.d/*.toml (in name order); keys are unique."""
    package = resources.files("crawlers")
    files = [("crawlers/sources.toml", package / "sources.toml")]
    extra_dir = package / "sources.d"
    if extra_dir.is_dir():
        files += sorted(
            (f"crawlers/sources.d/{entry.name}", entry)
            for entry in extra_dir.iterdir()
            if entry.name.endswith(".toml")
        )
    sources: dict[str, SourceConfig] = {}
    for origin, entry in files:
        for key, source in _validate(
            _read_entries(entry.read_text("utf-8"), origin), origin
        ).items():
            if key in sources:
                raise SourceError(f"{origin}: key {key!r} is defined in another built-in file")
            sources[key] = source
    return sources


def load_sources(extra_file: Path | None = None) -> dict[str, SourceConfig]:
    """Built-in sources, with the entries of `extra_file` added or replacing same keys."""
    sources = builtin_sources()
    if extra_file is not None:
        path = Path(extra_file)
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise SourceError(f"{path}: cannot read the sources file: {exc}") from exc
        sources.update(_validate(_read_entries(text, str(path)), str(path)))
    return sources
