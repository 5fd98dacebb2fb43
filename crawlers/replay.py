"""Replaying saved responses: `capwatch sources check --save-fixture` records them, and the
contract tests serve them back from a local server through ReplayMiddleware (which sends
every request to that server and gives the spider the response under its real URL)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import quote

from scrapy.http import Request, Response

MANIFEST = "manifest.json"
EXPECTED = "expected.json"


def body_name(url: str) -> str:
    return hashlib.sha1(url.encode()).hexdigest()[:16] + ".body"


def save_responses(folder: Path, responses: list[Response]) -> None:
    """Write each response body and a manifest {url: {status, content_type, file}}."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for response in responses:
        name = body_name(response.url)
        (folder / name).write_bytes(response.body)
        manifest[response.url] = {
            "status": response.status,
            "content_type": response.headers.get(b"Content-Type", b"").decode("latin-1"),
            "file": name,
        }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), "utf-8")


class ReplayMiddleware:
    """Active when the CAPWATCH_REPLAY_URL Scrapy setting names a replay server."""

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("CAPWATCH_REPLAY_URL"))

    def __init__(self, server: str | None) -> None:
        self.server = server.rstrip("/") if server else None

    def process_request(self, request: Request):
        if not self.server or "replay_original" in request.meta:
            return None
        original = request.url
        target = f"{self.server}/replay?url={quote(original, safe='')}"
        request.meta["replay_original"] = original
        return request.replace(url=target, dont_filter=True)

    def process_response(self, request: Request, response: Response):
        original = request.meta.get("replay_original")
        if self.server and original:
            return response.replace(url=original)
        return response
