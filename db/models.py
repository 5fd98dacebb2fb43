"""Typed rows that cross the database boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class NewArticle:
    """An article as a spider found it, before it is stored."""

    source_key: str
    external_id: str
    url: str
    title: str
    body: str
    lang: str | None
    published_at: datetime | None
    author: str | None = None
    raw: dict[str, Any] | None = None


@dataclass(frozen=True)
class StoredArticle:
    id: int
    source_key: str
    url: str
    title: str
    body: str
    lang: str | None
    published_at: datetime | None
    first_seen_at: datetime


@dataclass(frozen=True)
class CrawlRunResult:
    status: str  # finished | failed | timeout
    finish_reason: str
    requests: int
    items: int
    new_articles: int
    errors: int
    duration_s: float
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    event_id: str
    chat_id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
