"""One scheduler per database: a PostgreSQL advisory lock held on a dedicated connection.

A second `capwatch run` against the same database waits as a standby, trying the lock every
CAPWATCH_STANDBY_RETRY_SECONDS. The lock belongs to the holder's session, so when the holder
dies (even by SIGKILL) PostgreSQL drops it with the connection and a standby takes over. TCP
keepalives on the lock connection bound how long a vanished machine can keep it.

If the lock connection breaks while leading (database restart), the leader tries to take the
lock again; only if another process got it first does it step down (`lost` is set).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from db.channels import ping
from db.locks import release_scheduler_lock, try_scheduler_lock

log = logging.getLogger("capwatch.leader")

KEEPALIVES: dict[str, Any] = {  # libpq connection options
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}


def holder_name() -> str:
    return f"capwatch-scheduler {socket.gethostname()} pid {os.getpid()}"[:63]


class SchedulerLock:
    def __init__(self, dsn: str, retry_seconds: float = 5.0, check_seconds: float = 2.0) -> None:
        self.dsn = dsn
        self.retry_seconds = retry_seconds
        self.check_seconds = check_seconds
        self.conn: psycopg.AsyncConnection | None = None
        self.lost = asyncio.Event()
        self._watch: asyncio.Task[None] | None = None

    async def _try_once(self) -> bool | None:
        """True: we hold the lock; False: another process does; None: database unreachable."""
        try:
            conninfo = make_conninfo(self.dsn, application_name=holder_name(), **KEEPALIVES)
            conn = await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
        except psycopg.Error as exc:
            log.debug("scheduler lock: cannot connect: %s", exc)
            return None
        try:
            if await try_scheduler_lock(conn):
                self.conn = conn
                return True
            await conn.close()
            return False
        except psycopg.Error:
            await conn.close()
            return None

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Waits (as a standby) until this process holds the lock; False if `stop` came first."""
        announced = False
        while not stop.is_set():
            got = await self._try_once()
            if got:
                self.lost.clear()
                self._watch = asyncio.create_task(self._watchdog(), name="scheduler-lock")
                log.info("this process is the scheduler (%s)", holder_name())
                return True
            if got is False and not announced:
                log.info(
                    "standby: another capwatch run schedules this database; "
                    "taking over when it stops (retry every %gs)",
                    self.retry_seconds,
                )
                announced = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.retry_seconds)
        return False

    async def _watchdog(self) -> None:
        while True:
            await asyncio.sleep(self.check_seconds)
            try:
                assert self.conn is not None
                await asyncio.wait_for(ping(self.conn), self.check_seconds * 5)
                continue
            except (psycopg.Error, TimeoutError, AssertionError, OSError) as exc:
                log.warning("scheduler lock connection lost (%s); taking the lock again", exc)
            await self._close_conn()
            while True:
                got = await self._try_once()
                if got:
                    log.info("scheduler lock taken again")
                    break
                if got is False:
                    log.warning("another capwatch run took the scheduler over; stepping down")
                    self.lost.set()
                    return
                await asyncio.sleep(1.0)

    async def _close_conn(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):
                await self.conn.close()
            self.conn = None

    async def release(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._watch
            self._watch = None
        if self.conn is not None:
            with contextlib.suppress(Exception):
                await release_scheduler_lock(self.conn)
        await self._close_conn()
