"""The item every spider yields: one article (or one flash item) as found on the site."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class ArticleItem:
    source_key: str
    external_id: str
    url: str
    title: str
    body: str = ""
    lang: str | None = None
    published_at: datetime | None = None
    author: str | None = None
    raw: dict[str, Any] | None = field(default=None, repr=False)
