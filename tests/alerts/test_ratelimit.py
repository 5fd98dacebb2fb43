"""The limiter under concurrency: every grant respects all three limits; a pause is per chat."""

import asyncio
import itertools

from alerts.ratelimit import Limiter, SendLimits

LIMITS = SendLimits(
    per_chat_interval=0.05, group_per_window=5, group_window=0.4, global_per_second=40
)


def windows_ok(times, size, window):
    times = sorted(times)
    return all(times[i + size] - times[i] >= window - 1e-9 for i in range(len(times) - size))


async def test_grants_respect_chat_group_and_global_limits():
    limiter = Limiter(LIMITS)
    limiter.record()
    chats = [1] * 8 + [-100] * 12 + list(range(2, 60))
    await asyncio.gather(*(limiter.acquire(c) for c in chats))
    history = list(limiter.history)
    assert len(history) == len(chats)
    by_chat: dict[int, list[float]] = {}
    for at, chat in history:
        by_chat.setdefault(chat, []).append(at)
    for times in by_chat.values():
        assert all(b - a >= LIMITS.per_chat_interval - 1e-9 for a, b in itertools.pairwise(times))
    assert windows_ok(by_chat[-100], LIMITS.group_per_window, LIMITS.group_window)
    assert windows_ok([at for at, _ in history], LIMITS.global_per_second, 1.0)


async def test_flood_pause_holds_only_that_chat():
    limiter = Limiter(LIMITS)
    limiter.pause(7, 30.0)
    assert limiter.delay_for(7) > 29
    assert limiter.delay_for(8) == 0
    await asyncio.wait_for(limiter.acquire(8), 5)  # not held back by chat 7
