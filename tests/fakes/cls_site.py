"""A local CLS telegraph API: checks the signature like the real one and pages by last_time."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cls"


def expected_sign(query_pairs: list[tuple[str, str]]) -> str:
    ordered = sorted((k, v) for k, v in query_pairs if k != "sign")
    query = urlencode(ordered, safe=",")
    return hashlib.md5(hashlib.sha1(query.encode()).hexdigest().encode()).hexdigest()


class ClsSite:
    """Serves `roll_data` items newest first; records every request for assertions."""

    def __init__(self, items: list[dict[str, Any]] | None = None) -> None:
        if items is None:
            items = json.loads((FIXTURES / "roll_items.json").read_text("utf-8"))["roll_data"]
        self.items = sorted(items, key=lambda i: i["ctime"], reverse=True)
        self.requests: list[dict[str, Any]] = []
        self.raw_body: bytes | None = None  # when set, served instead of JSON (broken input)
        self.app = web.Application()
        self.app.router.add_get("/v1/roll/get_roll_list", self.roll_list)

    async def roll_list(self, request: web.Request) -> web.Response:
        pairs = list(request.query.items())
        self.requests.append({"query": dict(pairs), "headers": dict(request.headers)})
        if self.raw_body is not None:
            return web.Response(body=self.raw_body, content_type="application/json")
        if request.query.get("sign") != expected_sign(pairs):
            return web.json_response({"errno": 1, "msg": "sign error", "data": None})
        last_time = int(request.query.get("last_time") or 2**40)
        size = int(request.query.get("rn") or 20)
        page = [i for i in self.items if i["ctime"] < last_time][:size]
        return web.json_response(
            {"errno": 0, "data": {"roll_data": page, "update_num": len(page)}},
            dumps=lambda o: json.dumps(o, ensure_ascii=False),
        )
