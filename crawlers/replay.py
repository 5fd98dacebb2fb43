"""Replaying saved responses: `capwatch sources check --save-fixture` records them, and the
contract tests serve them back from a local server through ReplayMiddleware (which sends
every request to that server and gives the spider the response under its real URL)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import quote

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.responsetypes import responsetypes

MANIFEST = "manifest.json"
EXPECTED = "expected.json"


def body_name(url: str) -> str:
    return hashlib.sha1(url.encode()).hexdigest()[:16] + ".body"


def save_responses(folder: Path, responses: list[Response]) -> None:
    """Write each response body and a manifest {url: {status, content_type, file}}."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict[str, str | int]] = {}
    for response in responses:
        name = body_name(response.url)
        (folder / name).write_bytes(response.body)
        manifest[response.url] = {
            "status": response.status,
            "content_type": (response.headers.get(b"Content-Type") or b"").decode("latin-1"),
            "file": name,
        }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), "utf-8")


class ReplayMiddleware:
    """Active when the CAPWATCH_REPLAY_URL Scrapy setting names a replay server."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        return cls(crawler.settings.get("CAPWATCH_REPLAY_URL"))

    def __init__(self, server: str | None) -> None:
        self.server = server.rstrip("/") if server else None

    def process_request(self, request: Request) -> Request | None:
        if not self.server or "replay_original" in request.meta:
            return None
        original = request.url
        target = f"{self.server}/replay?url={quote(original, safe='')}"
        request.meta["replay_original"] = original
        return request.replace(url=target, dont_filter=True)

    def process_response(self, request: Request, response: Response) -> Response:
        original = request.meta.get("replay_original")
        if self.server and original:
            return response.replace(url=original)
        return response


class FileAnswerMiddleware:
    """`capwatch sources check --file PATH`: the first request (the source's list page, feed,
    or the article of `--article`) is answered with the saved file under its real URL; every
    other request is not sent (an offline preview fetches nothing)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FileAnswerMiddleware:
        settings = crawler.settings
        return cls(settings.get("CAPWATCH_FILE_ANSWER"), settings.get("CAPWATCH_FILE_TYPE"))

    def __init__(self, path: str | None, content_type: str | None) -> None:
        self.path = Path(path) if path else None
        self.content_type = content_type or ""
        self.answered = False

    def process_request(self, request: Request) -> Response | None:
        if self.path is None:
            return None
        if self.answered:
            raise IgnoreRequest(f"not fetched: offline preview of {self.path.name}")
        self.answered = True
        body = self.path.read_bytes()
        headers = {b"Content-Type": self.content_type.encode()} if self.content_type else {}
        cls = responsetypes.from_args(
            headers=headers or None, url=request.url, filename=str(self.path), body=body
        )
        return cls(url=request.url, status=200, headers=headers, body=body, request=request)
