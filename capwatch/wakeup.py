"""Wake the detector and the sender on PostgreSQL NOTIFY, with polling as the fallback.

A lost notification (or a dropped LISTEN connection) only delays work to the next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import psycopg

from db.channels import listen

log = logging.getLogger(__name__)


class Wakeups:
    def __init__(self, dsn: str, channels: list[str]) -> None:
        self.dsn = dsn
        self.events = {channel: asyncio.Event() for channel in channels}

    async def wait(self, channel: str, timeout: float) -> None:
        event = self.events[channel]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)
        event.clear()

    def poke(self, channel: str) -> None:
        self.events[channel].set()

    async def listen_forever(self) -> None:
        """Keeps a LISTEN connection open; reconnects after database restarts."""
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.dsn, autocommit=True) as conn:
                    for channel in self.events:
                        await listen(conn, channel)
                    for event in self.events.values():
                        event.set()  # catch up on anything that happened while disconnected
                    async for note in conn.notifies():
                        if note.channel in self.events:
                            self.events[note.channel].set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("LISTEN connection lost (%s); polling until it is back", exc)
                await asyncio.sleep(2.0)
