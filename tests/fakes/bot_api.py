"""A fake Telegram Bot API that python-telegram-bot reaches through `base_url`.

It records every call and can be told to answer the next calls of a method with an error
(429 with retry_after, 400, 403, 5xx, or a slow answer), the way the real server does.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str
    at: float = field(default_factory=time.monotonic)


@dataclass
class Scripted:
    status: int
    description: str
    parameters: dict[str, Any] | None = None
    delay: float = 0.0


class FakeBotApi:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.script: dict[str, deque[Scripted]] = defaultdict(deque)
        self.message_ids = 100
        self.updates: deque[dict[str, Any]] = deque()
        self.app = web.Application()
        self.app.router.add_post("/bot{token}/{method}", self.handle)
        self.app.router.add_get("/bot{token}/{method}", self.handle)

    # --- test controls ----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to: int | None = None,
        delay: float = 0.0,
        times: int = 1,
    ) -> None:
        parameters: dict[str, Any] = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to is not None:
            parameters["migrate_to_chat_id"] = migrate_to
        for _ in range(times):
            self.script[method].append(Scripted(status, description, parameters or None, delay))

    def sent(self, method: str = "sendMessage") -> list[Call]:
        return [c for c in self.calls if c.method == method]

    # --- the API ----------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            text = value if isinstance(value, str) else str(value)
            try:
                params[key] = json.loads(text)
            except ValueError:
                params[key] = text
        return params

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        if self.script[method]:
            scripted = self.script[method].popleft()
            if scripted.delay:
                await asyncio.sleep(scripted.delay)
            if scripted.status != 200:
                self.calls.append(Call(method + "!failed", params, request.match_info["token"]))
                body: dict[str, Any] = {
                    "ok": False,
                    "error_code": scripted.status,
                    "description": scripted.description,
                }
                if scripted.parameters:
                    body["parameters"] = scripted.parameters
                return web.json_response(body, status=scripted.status)
        self.calls.append(Call(method, params, request.match_info["token"]))
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return web.json_response({"ok": True, "result": True})
        return web.json_response({"ok": True, "result": await handler(params)})

    async def _getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": 4242,
            "is_bot": True,
            "first_name": "capwatch-test",
            "username": "capwatch_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        self.message_ids += 1
        return {
            "message_id": self.message_ids,
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "text": params.get("text", ""),
        }

    async def _editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "message_id": int(params.get("message_id", 0)),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "text": params.get("text", ""),
        }

    async def _getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if not self.updates:
            await asyncio.sleep(min(float(params.get("timeout", 0) or 0), 0.5))
        out = list(self.updates)
        self.updates.clear()
        return out
