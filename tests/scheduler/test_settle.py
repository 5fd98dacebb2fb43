"""Stopping a crawl waits for it whatever it ends with, but never swallows the cancellation
of the task doing the waiting (issue 10.8: `suppress(BaseException)` did)."""

from __future__ import annotations

import asyncio

import pytest

from scheduler.executors import _settle


async def test_a_crawl_that_ends_cancelled_or_failing_is_settled_quietly() -> None:
    cancelled = asyncio.create_task(asyncio.sleep(10))
    cancelled.cancel()
    await _settle(cancelled)

    async def boom() -> None:
        raise RuntimeError("spider broke while closing")

    await _settle(boom())
    await _settle(asyncio.wait_for(asyncio.sleep(10), 0.01))  # timed out


async def test_the_waiters_own_cancellation_goes_through() -> None:
    never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    waiter = asyncio.create_task(_settle(never))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert waiter.cancelled()
