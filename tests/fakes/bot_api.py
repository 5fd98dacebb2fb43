"""A fake Telegram Bot API that python-telegram-bot reaches through `base_url`.

It records every call and can be told to answer the next calls of a method with an error
(429 with retry_after, 400, 403, 5xx, or a slow answer), the way the real server does, for any
chat or for one chat. Like the real server it refuses HTML it cannot parse and texts over 4096
UTF-16 units, keeps the messages so edits can be checked, and serves queued updates (commands,
button presses) to a polling bot.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
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
    chat_id: int | None = None  # only for this chat (None: the next call of any chat)


_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}
_TOKEN = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>|&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);|[<>&]"
)


def parse_html(text: str) -> tuple[str | None, str]:
    """Telegram's HTML check, simplified: (error or None, the visible text)."""
    stack: list[str] = []
    visible: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        visible.append(text[pos : match.start()])
        pos = match.end()
        token = match.group(0)
        if token in "<>&":
            return f"can't parse entities: unexpected {token!r} at byte offset {match.start()}", ""
        if token.startswith("&"):
            visible.append(html.unescape(token))
            continue
        closing, name = match.group(1), match.group(2).lower()
        if name not in _TAGS:
            return f'can\'t parse entities: unsupported start tag "{name}"', ""
        if closing:
            if not stack or stack[-1] != name:
                return f"can't parse entities: can't find end tag corresponding to \"{name}\"", ""
            stack.pop()
        else:
            stack.append(name)
    visible.append(text[pos:])
    if stack:
        return f"can't parse entities: can't find end tag corresponding to \"{stack[-1]}\"", ""
    return None, "".join(visible)


class FakeBotApi:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.script: dict[str, deque[Scripted]] = defaultdict(deque)
        self.message_ids = 100
        self.updates: deque[dict[str, Any]] = deque()
        self.messages: dict[tuple[int, int], str] = {}  # (chat, message id) -> current text
        self.markups: dict[tuple[int, int], Any] = {}  # (chat, message id) -> inline keyboard
        self.migrated: dict[int, int] = {}  # old chat -> new chat: sends answer "migrated"
        self.blocked: set[int] = set()  # chats that answer 403
        self._update_ids = itertools.count(1)
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
        chat_id: int | None = None,
    ) -> None:
        parameters: dict[str, Any] = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to is not None:
            parameters["migrate_to_chat_id"] = migrate_to
        for _ in range(times):
            self.script[method].append(
                Scripted(status, description, parameters or None, delay, chat_id)
            )

    def sent(self, method: str = "sendMessage") -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def texts(self, chat_id: int) -> list[str]:
        """What a chat received (sendMessage texts, in order)."""
        return [c.params["text"] for c in self.sent() if int(c.params["chat_id"]) == chat_id]

    def push_command(self, chat_id: int, text: str, chat_type: str | None = None) -> None:
        """A user typed `text` (e.g. "/search 光伏") in `chat_id`."""
        command = text.split()[0] if text.startswith("/") else ""
        entities = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.updates.append(
            {
                "update_id": next(self._update_ids),
                "message": {
                    "message_id": next(self._update_ids) + 10_000,
                    "date": int(time.time()),
                    "chat": self._chat(chat_id, chat_type),
                    "from": {"id": abs(chat_id), "is_bot": False, "first_name": "Analyst"},
                    "text": text,
                    "entities": entities if command else [],
                },
            }
        )

    def push_button(self, chat_id: int, data: str, message_id: int = 1) -> None:
        """A user pressed an inline button carrying callback `data`."""
        self.updates.append(
            {
                "update_id": next(self._update_ids),
                "callback_query": {
                    "id": str(next(self._update_ids)),
                    "from": {"id": abs(chat_id), "is_bot": False, "first_name": "Analyst"},
                    "chat_instance": "1",
                    "data": data,
                    "message": {
                        "message_id": message_id,
                        "date": int(time.time()),
                        "chat": self._chat(chat_id, None),
                        "text": "buttons",
                    },
                },
            }
        )

    @staticmethod
    def _chat(chat_id: int, chat_type: str | None) -> dict[str, Any]:
        kind = chat_type or ("supergroup" if chat_id < 0 else "private")
        chat: dict[str, Any] = {"id": chat_id, "type": kind}
        if kind == "private":
            chat["first_name"] = "Analyst"
        else:
            chat["title"] = f"group {chat_id}"
        return chat

    def _refusal(self, method: str, params: dict[str, Any]) -> tuple[int, str, dict] | None:
        """The server's own refusals: blocked chats, migrated groups, bad HTML, long text."""
        if method not in ("sendMessage", "editMessageText"):
            return None
        chat_id = int(params.get("chat_id", 0))
        if chat_id in self.blocked:
            return 403, "Forbidden: bot was blocked by the user", {}
        if chat_id in self.migrated:
            return (
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated[chat_id]},
            )
        text = str(params.get("text", ""))
        visible = text
        if params.get("parse_mode") == "HTML":
            error, visible = parse_html(text)
            if error:
                return 400, f"Bad Request: {error}", {}
        if len(visible.encode("utf-16-le")) // 2 > 4096:
            return 400, "Bad Request: message is too long", {}
        if method == "editMessageText":
            key = (chat_id, int(params.get("message_id", 0)))
            if key not in self.messages:
                return 400, "Bad Request: message to edit not found", {}
            if self.messages[key] == text:
                return 400, "Bad Request: message is not modified", {}
        return None

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
        scripted = self._scripted(method, params)
        if scripted is not None:
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
        refusal = self._refusal(method, params)
        if refusal is not None:
            status, description, parameters = refusal
            self.calls.append(Call(method + "!failed", params, request.match_info["token"]))
            body = {"ok": False, "error_code": status, "description": description}
            if parameters:
                body["parameters"] = parameters
            return web.json_response(body, status=status)
        self.calls.append(Call(method, params, request.match_info["token"]))
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return web.json_response({"ok": True, "result": True})
        return web.json_response({"ok": True, "result": await handler(params)})

    def _scripted(self, method: str, params: dict[str, Any]) -> Scripted | None:
        queue = self.script[method]
        chat = params.get("chat_id")
        for index, scripted in enumerate(queue):
            if scripted.chat_id is None or (chat is not None and int(chat) == scripted.chat_id):
                del queue[index]
                return scripted
        return None

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
        self.messages[(int(params["chat_id"]), self.message_ids)] = params.get("text", "")
        self.markups[(int(params["chat_id"]), self.message_ids)] = params.get("reply_markup")
        return {
            "message_id": self.message_ids,
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "text": params.get("text", ""),
        }

    async def _editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params.get("message_id", 0)))
        self.messages[key] = params.get("text", "")
        self.markups[key] = params.get("reply_markup")  # an edit without one removes it
        return {
            "message_id": int(params.get("message_id", 0)),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "text": params.get("text", ""),
        }

    async def _editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params.get("message_id", 0)))
        self.markups[key] = params.get("reply_markup")
        return {
            "message_id": key[1],
            "date": int(time.time()),
            "chat": {"id": key[0], "type": "private"},
            "text": self.messages.get(key, ""),
        }

    async def _getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if not self.updates:
            await asyncio.sleep(min(float(params.get("timeout", 0) or 0), 0.5))
        out = list(self.updates)
        self.updates.clear()
        return out
