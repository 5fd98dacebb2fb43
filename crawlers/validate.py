"""Turn a spider's ArticleItem into a storable NewArticle, or say clearly why not."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from core.timeparse import as_beijing
from crawlers.items import ArticleItem
from db.models import NewArticle

MAX_TITLE = 500
MAX_BODY = 200_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class InvalidItem(ValueError):
    """An item that cannot be stored; the message is the logged reason."""


def _clean(text: str | None) -> str:
    return _CONTROL.sub("", text or "").strip()


def to_new_article(item: ArticleItem, now: datetime | None = None) -> NewArticle:
    """Validate and normalise one item (text is kept as found, minus control characters)."""
    if not item.url or not item.url.startswith(("http://", "https://")):
        raise InvalidItem(f"no usable URL: {item.url!r}")
    if not item.external_id:
        raise InvalidItem("no external id")
    title = _clean(item.title)
    body = _clean(item.body)
    if not title and not body:
        raise InvalidItem("neither title nor body")
    if not title:
        title = body[:120]
    published = item.published_at
    if published is not None:
        published = as_beijing(published).astimezone(UTC)
        now = now or datetime.now(UTC)
        if published > now + timedelta(days=1):
            published = None  # a clock or parsing error; first_seen_at still dates the item
    return NewArticle(
        source_key=item.source_key,
        external_id=str(item.external_id),
        url=item.url.strip(),
        title=title[:MAX_TITLE],
        body=body[:MAX_BODY],
        lang=item.lang,
        published_at=published,
        author=_clean(item.author)[:200] or None,
        raw=item.raw,
    )
