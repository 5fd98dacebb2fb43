"""One plain GET for `capwatch sources check --article` (Scrapy is not needed for one page)."""

from __future__ import annotations

import urllib.request

from crawlers.settings import USER_AGENT


async def fetch_page(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, str]:
    """(status, body, charset from Content-Type) — run in a thread, never on the loop."""
    import asyncio

    def get() -> tuple[int, bytes, str]:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers.get_content_charset() or ""

    return await asyncio.to_thread(get)
