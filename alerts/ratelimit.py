"""Telegram's send limits, kept in-process for every message the bot sends.

Three limits hold at once: one message per `per_chat_interval` in a chat, `group_per_window`
messages per `group_window` in a group or channel (negative chat ids), and `global_per_second`
overall. Flood control (429) pauses only the chat it names. Sends to one chat are serialised
(FIFO), so a slow or paused chat never holds the others back.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


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
        self._last: dict[int, float] = {}
        self._group: dict[int, deque[float]] = {}
        self._global: deque[float] = deque()
        self._paused: dict[int, float] = {}
        self._chat_locks: dict[int, asyncio.Lock] = {}
        self._global_lock = asyncio.Lock()
        self.history: deque[tuple[float, int]] | None = None  # (time, chat) when recording

    def record(self, keep: int = 100_000) -> None:
        """Keep the grant times (for tests and the benchmark)."""
        self.history = deque(maxlen=keep)

    def pause(self, chat_id: int, seconds: float) -> None:
        """Flood control for one chat: nothing goes there for `seconds`."""
        until = self.clock() + max(seconds, 0.0)
        self._paused[chat_id] = max(until, self._paused.get(chat_id, 0.0))

    def delay_for(self, chat_id: int) -> float:
        """Seconds until this chat's own limits allow a message (0: now)."""
        now = self.clock()
        ready = max(
            self._paused.get(chat_id, 0.0),
            self._last.get(chat_id, -1e18) + self.limits.per_chat_interval,
        )
        window = self._group.get(chat_id)
        if chat_id < 0 and window:
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

    async def acquire(self, chat_id: int) -> None:
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
            if chat_id < 0:
                self._group.setdefault(chat_id, deque()).append(now)
            if self.history is not None:
                self.history.append((now, chat_id))
