"""Telegram's send limits, kept in-process for every message the bot sends.

Three limits hold at once: one message per `per_chat_interval` in a chat, `group_per_window`
messages per `group_window` in a group or channel (negative chat ids, '@channel' names), and
`global_per_second` overall. Flood control (429) pauses only the chat it names. Sends to one
chat are serialised (FIFO), so a slow or paused chat never holds the others back.

`Limiter` is the bookkeeping; `ChatRateLimiter` plugs it into python-telegram-bot as the
Application's `BaseRateLimiter`, so no message can bypass it.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

ChatKey = int | str  # a numeric chat id, or a public '@channel' name


@dataclass(frozen=True)
class SendLimits:
    per_chat_interval: float = 1.0
    group_per_window: int = 20
    group_window: float = 60.0
    global_per_second: int = 30

    @classmethod
    def unlimited(cls) -> SendLimits:
        return cls(per_chat_interval=0.0, group_per_window=10**9, global_per_second=10**9)


class Limiter:
    def __init__(self, limits: SendLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._last: dict[ChatKey, float] = {}
        self._group: dict[ChatKey, deque[float]] = {}
        self._global: deque[float] = deque()
        self._paused: dict[ChatKey, float] = {}
        self._chat_locks: dict[ChatKey, asyncio.Lock] = {}
        self._global_lock = asyncio.Lock()
        self.history: deque[tuple[float, ChatKey]] | None = None  # (time, chat) when recording

    def record(self, keep: int = 100_000) -> None:
        """Keep the grant times (for tests and the benchmark)."""
        self.history = deque(maxlen=keep)

    def pause(self, chat_id: ChatKey, seconds: float) -> None:
        """Flood control for one chat: nothing goes there for `seconds`."""
        until = self.clock() + max(seconds, 0.0)
        self._paused[chat_id] = max(until, self._paused.get(chat_id, 0.0))

    def delay_for(self, chat_id: ChatKey) -> float:
        """Seconds until this chat's own limits allow a message (0: now)."""
        now = self.clock()
        ready = max(
            self._paused.get(chat_id, 0.0),
            self._last.get(chat_id, -1e18) + self.limits.per_chat_interval,
        )
        window = self._group.get(chat_id)
        if _is_group(chat_id) and window:
            while window and window[0] <= now - self.limits.group_window:
                window.popleft()
            if len(window) >= self.limits.group_per_window:
                ready = max(ready, window[0] + self.limits.group_window)
        return max(0.0, ready - now)

    def _global_delay(self) -> float:
        now = self.clock()
        while self._global and self._global[0] <= now - 1.0:
            self._global.popleft()
        if len(self._global) < self.limits.global_per_second:
            return 0.0
        return self._global[0] + 1.0 - now

    async def acquire(self, chat_id: ChatKey) -> None:
        """Wait until a message to `chat_id` is allowed, and count it as sent."""
        lock = self._chat_locks.setdefault(chat_id, asyncio.Lock())
        async with lock:
            while (wait := self.delay_for(chat_id)) > 0:
                await asyncio.sleep(wait)
            async with self._global_lock:
                while (wait := self._global_delay()) > 0:
                    await asyncio.sleep(wait)
                now = self.clock()
                self._global.append(now)
            self._last[chat_id] = now
            if _is_group(chat_id):
                self._group.setdefault(chat_id, deque()).append(now)
            if self.history is not None:
                self.history.append((now, chat_id))


def _is_group(chat_id: ChatKey) -> bool:
    return isinstance(chat_id, str) or chat_id < 0


class ChatRateLimiter(BaseRateLimiter[None]):
    """The `Limiter` plugged into python-telegram-bot: every message-sending call of the one
    `Application`'s bot (alerts, edits, digests, command replies) waits for its chat's turn.

    A 429 pauses only the chat it names and is re-raised: the caller decides whether to wait
    (a reply) or to reschedule (an outbox row). Calls that send nothing to a chat (getMe,
    setMyCommands, answerCallbackQuery) pass straight through; PTB never routes getUpdates here.
    """

    def __init__(self, limiter: Limiter) -> None:
        self.limiter = limiter

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = chat_key(endpoint, data)
        if chat_id is None:
            return await callback(*args, **kwargs)
        await self.limiter.acquire(chat_id)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            self.limiter.pause(chat_id, retry_seconds(exc))
            raise


_SENDING = ("send", "edit", "copy", "forward")


def chat_key(endpoint: str, data: dict[str, Any]) -> ChatKey | None:
    """The chat a call sends a message to (None: not a message, not limited).
    Numeric ids count as ints (negative: a group or channel); '@channel' names stay text."""
    chat = data.get("chat_id")
    if chat is None or not endpoint.startswith(_SENDING):
        return None
    if isinstance(chat, int):
        return chat
    text = str(chat)
    return int(text) if text.lstrip("-").isdigit() else text


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter's delay in seconds (PTB 22 warns that the attribute becomes a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        delay: float | timedelta = exc.retry_after
    return delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
