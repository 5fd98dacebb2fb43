"""Serves responses saved by `capwatch sources check --save-fixture` (manifest.json) at
/replay?url=<original URL>, for crawlers.replay.ReplayMiddleware."""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from crawlers.replay import MANIFEST


def replay_app(folder: Path) -> web.Application:
    manifest = json.loads((folder / MANIFEST).read_text("utf-8"))

    async def handle(request: web.Request) -> web.Response:
        entry = manifest.get(request.query.get("url", ""))
        if entry is None:
            return web.Response(status=404, text="not recorded")
        headers = {"Content-Type": entry["content_type"]} if entry["content_type"] else {}
        return web.Response(
            status=entry["status"], body=(folder / entry["file"]).read_bytes(), headers=headers
        )

    app = web.Application()
    app.router.add_get("/replay", handle)
    return app
