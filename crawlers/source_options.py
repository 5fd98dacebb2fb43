"""Options of the declarative kinds (rss, sitemap, html, json), checked when sources load.

Unknown option names are errors, so a typo in `[source.options]` is reported with the file,
the entry and the option instead of being ignored silently.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


def _check_css(value: str | None) -> str | None:
    if value:
        from parsel import Selector

        try:
            Selector(text="<html></html>").css(value)
        except Exception as exc:  # cssselect raises several error types
            raise ValueError(f"not a valid CSS selector: {value!r} ({exc})") from exc
    return value


def _check_regex(value: str | None) -> str | None:
    if value:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {value!r} ({exc})") from exc
    return value


class ArticleSelectors(BaseModel):
    """CSS selectors for article pages (`::text` and `::attr(name)` allowed). Fields left
    out are found by generic extraction."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str | None = None
    body: str | None = None
    time: str | None = None
    author: str | None = None
    remove: list[str] = Field(default_factory=list, description="dropped before extraction")

    _css = field_validator("title", "body", "time", "author")(_check_css)

    @field_validator("remove")
    @classmethod
    def _css_list(cls, value: list[str]) -> list[str]:
        for css in value:
            _check_css(css)
        return value


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    link_pattern: str | None = Field(None, description="regex an article URL must match")
    exclude_pattern: str | None = Field(None, description="regex of article URLs to skip")
    max_items: int = Field(200, gt=0, description="list entries read per crawl")

    _regex = field_validator("link_pattern", "exclude_pattern")(_check_regex)


class RssOptions(_Options):
    pass


class SitemapOptions(_Options):
    max_sitemaps: int = Field(3, gt=0, description="child sitemaps of an index read per crawl")
    max_age_hours: float | None = Field(None, gt=0, description="skip older entries")


class HtmlOptions(_Options):
    links: str = Field("a[href]", description="CSS selector of the article links on a list")
    list_urls: list[str] = Field(default_factory=list, description="more list pages")

    _css = field_validator("links")(_check_css)


class JsonOptions(_Options):
    items: str = Field("", description="dotted path to the list of items; empty: the top level")
    id: str | None = Field(None, description="field path of the item id")
    title: str = Field(description="field path of the title")
    url: str | None = Field(None, description="field path of the article URL")
    url_template: str | None = Field(None, description='e.g. "https://x.com/a/{code}.html"')
    body: str | None = Field(None, description="field path of the text (HTML is cleaned)")
    time: str | None = Field(None, description="field path of the publish time")
    author: str | None = Field(None, description="field path of the author")

    @field_validator("url_template")
    @classmethod
    def _template(cls, value: str | None) -> str | None:
        if value is not None and "{" not in value:
            raise ValueError("url_template needs a {field} placeholder")
        return value


KIND_OPTIONS: dict[str, type[_Options]] = {
    "rss": RssOptions,
    "sitemap": SitemapOptions,
    "html": HtmlOptions,
    "json": JsonOptions,
}


def validate_kind_options(kind: str | None, options: dict[str, Any]) -> dict[str, Any]:
    """The options of a declarative kind, with defaults filled in; other kinds pass through."""
    model = KIND_OPTIONS.get(kind or "")
    if model is None:
        return options
    try:
        parsed = model.model_validate(options)
    except ValidationError as exc:
        problems = "; ".join(
            f"options.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ValueError(problems) from None
    if isinstance(parsed, JsonOptions) and not (parsed.url or parsed.url_template):
        raise ValueError("options.url or options.url_template: one is needed for json sources")
    return parsed.model_dump()
