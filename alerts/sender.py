"""The outbox sender: claim due rows, send them chat by chat, record every outcome.

Each chat with due rows gets one worker that sends its rows in order under the rate limits
(alerts/ratelimit.py), so a chat in flood control or a slow group never delays the others;
while workers run, the sender keeps claiming due rows for the other chats. Claimed rows are
'sending' in their own committed transaction; after a crash `recover()` puts them back, and
since delivered parts are recorded, at most the message in flight is sent twice. Nothing is
dropped: a row ends 'sent' or 'failed' with its reason, and failures go to the admin chats.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from psycopg_pool import AsyncConnectionPool

from alerts import delivery
from alerts.admin import report_failures
from alerts.transport import CONSOLE_CHAT, ConsoleTransport, SendResult, Transport
from core.redact import redact
from db.chats import chat_prefs, deactivate_chat, migrate_chat
from db.models import ChatPrefs, OutboxRow
from db.outbox import claim_due, defer_chat, mark_failed, mark_retry, mark_sent, release_inflight

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BATCH = 200


def backoff_seconds(attempts: int, base: float = 5.0) -> float:
    return float(min(600.0, base * 2 ** max(0, attempts - 1)))


class OutboxSender:
    def __init__(
        self,
        pool: AsyncConnectionPool,
        transport: Transport,
        console: Transport | None = None,
        *,
        admin_chat_ids: Sequence[int] = (),
        backoff_base: float = 5.0,
        max_attempts: int = MAX_ATTEMPTS,
        claim_every: float = 1.0,
    ) -> None:
        self.pool = pool
        self.transport = transport
        self.console = console or ConsoleTransport()
        self.admin_chat_ids = list(admin_chat_ids)
        self.backoff_base = backoff_base
        self.max_attempts = max_attempts
        self.claim_every = claim_every
        self.sent = 0

    async def recover(self) -> int:
        async with self.pool.connection() as conn:
            released = await release_inflight(conn)
        if released:
            log.warning(
                "outbox: %d message(s) in flight at the last stop are queued again", released
            )
        return released

    async def drain(self) -> int:
        """Send everything due (including what becomes due meanwhile for idle chats); returns
        how many rows were sent. Rows deferred by flood control or backoff stay queued."""
        before = self.sent
        workers: dict[int, asyncio.Task[None]] = {}
        try:
            while True:
                async with self.pool.connection() as conn:
                    rows = await claim_due(conn, BATCH, list(workers))
                    by_chat: dict[int, list[OutboxRow]] = {}
                    for row in rows:
                        by_chat.setdefault(row.chat_id, []).append(row)
                    prefs = await chat_prefs(conn, list(by_chat)) if by_chat else {}
                for chat_id, chat_rows in by_chat.items():
                    workers[chat_id] = asyncio.create_task(
                        self._serve_chat(chat_id, chat_rows, prefs[chat_id])
                    )
                if not workers:
                    break
                await asyncio.wait(
                    workers.values(), timeout=self.claim_every, return_when=asyncio.FIRST_COMPLETED
                )
                for chat_id, task in list(workers.items()):
                    if task.done():
                        del workers[chat_id]
                        if not task.cancelled() and task.exception():
                            log.error(
                                "outbox worker for chat %s crashed: %s",
                                chat_id,
                                redact(repr(task.exception())),
                            )
        finally:
            for task in workers.values():
                task.cancel()
            for task in workers.values():
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        await report_failures(self.pool, self.transport, self.admin_chat_ids)
        return self.sent - before

    async def _serve_chat(self, chat_id: int, rows: list[OutboxRow], prefs: ChatPrefs) -> None:
        transport = self.console if chat_id == CONSOLE_CHAT else self.transport
        remaining = list(rows)
        try:
            if not prefs.active:
                await self._fail(remaining, f"chat inactive: {prefs.inactive_reason or 'unknown'}")
                remaining = []
            digests = [row for row in remaining if row.kind == "digest"]
            if digests:
                result = await delivery.deliver_digest(self.pool, transport, chat_id, digests)
                remaining = [row for row in remaining if row.kind != "digest"]
                if not await self._record(digests, result, remaining):
                    remaining = []
            while remaining:
                row = remaining.pop(0)
                if not await self._one(transport, row, prefs, remaining):
                    remaining = []
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug: keep the rows, retry them later, never lose them
            log.exception("outbox: unexpected error for chat %s", chat_id)
            async with self.pool.connection() as conn:  # only rows still 'sending' change
                error = redact(f"{type(exc).__name__}: {exc}")
                await mark_retry(conn, [row.id for row in rows], error, 60.0)

    async def _one(
        self, transport: Transport, row: OutboxRow, prefs: ChatPrefs, remaining: list[OutboxRow]
    ) -> bool:
        """Deliver one row; False when the rest of this chat's rows must wait."""
        outcome: SendResult | delivery.Deferred | delivery.Refused
        if row.kind == "alert":
            silent = delivery.in_quiet_hours(prefs)
            outcome = await delivery.deliver_alert(self.pool, transport, row, silent)
        else:
            outcome = await delivery.deliver_update(self.pool, transport, row)
        async with self.pool.connection() as conn:
            if isinstance(outcome, delivery.Deferred):
                await mark_retry(conn, [row.id], None, outcome.seconds, count_attempt=False)
                return True
            if isinstance(outcome, delivery.Refused):
                await mark_failed(conn, [row.id], outcome.reason)
                log.error("outbox %d for chat %s failed: %s", row.id, row.chat_id, outcome.reason)
                return True
        return await self._record([row], outcome, remaining)

    async def _record(
        self, rows: list[OutboxRow], result: SendResult, remaining: list[OutboxRow]
    ) -> bool:
        """Store the outcome of sending `rows`; False when the chat's other rows must wait."""
        ids = [row.id for row in rows]
        chat_id = rows[0].chat_id
        error = redact(result.error or "unknown error")
        async with self.pool.connection() as conn:
            if result.ok:
                for row in rows:
                    await mark_sent(conn, row.id, row.revision, result.message_id)
                    log.info(
                        "alert sent: event %s to chat %s (%s)", row.event_id, chat_id, row.kind
                    )
                self.sent += len(rows)
                return True
            rest = [row.id for row in remaining]
            if result.flood:
                delay = max(result.retry_after or 0.0, 0.0)
                await mark_retry(conn, ids + rest, error, delay, count_attempt=False)
                await defer_chat(conn, chat_id, delay)
                log.warning("chat %s in flood control for %.0fs", chat_id, delay)
                return False
            if result.migrated_to is not None:
                await migrate_chat(conn, chat_id, result.migrated_to)
                await mark_retry(conn, ids + rest, error, 0.0, count_attempt=False)
                log.warning(
                    "chat %s migrated to %s; queued messages follow", chat_id, result.migrated_to
                )
                return False
            if result.gone:
                await mark_failed(conn, ids + rest, error)
                await deactivate_chat(conn, chat_id, error)
                log.error("chat %s is unreachable, marked inactive: %s", chat_id, error)
                return False
            if result.retry_after is not None and max(r.attempts for r in rows) < self.max_attempts:
                delay = max(
                    result.retry_after, backoff_seconds(rows[0].attempts, self.backoff_base)
                )
                await mark_retry(conn, ids, error, delay)
                await mark_retry(conn, rest, None, delay, count_attempt=False)
                log.warning("alert for chat %s delayed %.1fs: %s", chat_id, delay, error)
                return False
            await mark_failed(conn, ids, error)
            log.error("alert for chat %s failed: %s", chat_id, error)
            return True

    async def _fail(self, rows: list[OutboxRow], reason: str) -> None:
        async with self.pool.connection() as conn:
            await mark_failed(conn, [row.id for row in rows], reason)
