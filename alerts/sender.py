"""The outbox sender: claim due rows, send each, record the outcome. Nothing is dropped.

Claiming marks rows 'sending' in their own committed transaction; a crash leaves at most the
claimed rows to be sent again after `release_inflight_outbox` at the next start.
"""

from __future__ import annotations

import logging

from psycopg_pool import AsyncConnectionPool

from alerts.render import render_alert_html, render_alert_plain
from alerts.transport import CONSOLE_CHAT, ConsoleTransport, SendResult, Transport
from db import queries
from db.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BATCH = 20


def backoff_seconds(attempts: int) -> float:
    return min(600.0, 5.0 * 2 ** max(0, attempts - 1))


class OutboxSender:
    def __init__(
        self,
        pool: AsyncConnectionPool,
        transport: Transport,
        console: Transport | None = None,
    ) -> None:
        self.pool = pool
        self.transport = transport
        self.console = console or ConsoleTransport()
        self.sent = 0

    async def recover(self) -> int:
        async with self.pool.connection() as conn:
            released = await queries.release_inflight_outbox(conn)
        if released:
            log.warning(
                "outbox: %d message(s) in flight at the last stop are queued again", released
            )
        return released

    async def drain(self) -> int:
        """Send every due message; returns how many were sent."""
        sent = 0
        while True:
            async with self.pool.connection() as conn:
                batch = await queries.claim_outbox(conn, BATCH)
            if not batch:
                return sent
            for message in batch:
                sent += await self._deliver(message)

    async def _deliver(self, message: OutboxMessage) -> int:
        transport = self.console if message.chat_id == CONSOLE_CHAT else self.transport
        payload = {**message.payload, "event_id": message.event_id}
        try:
            result = await transport.send(
                message.chat_id, render_alert_html(payload), render_alert_plain(payload)
            )
        except Exception as exc:  # a bug or an unexpected client error: keep the row, retry
            log.exception("outbox %d: unexpected error while sending", message.id)
            result = SendResult(
                ok=False,
                retry_after=backoff_seconds(message.attempts),
                error=f"{type(exc).__name__}: {exc}",
            )
        async with self.pool.connection() as conn:
            if result.ok:
                await queries.mark_outbox_sent(conn, message.id, result.message_id)
                log.info("alert sent: event %s to chat %s", message.event_id, message.chat_id)
                self.sent += 1
                return 1
            error = result.error or "unknown error"
            if result.retry_after is not None and message.attempts < MAX_ATTEMPTS:
                delay = max(result.retry_after, 0.0)
                await queries.mark_outbox_retry(conn, message.id, error, delay)
                log.warning("alert for chat %s delayed %.0fs: %s", message.chat_id, delay, error)
            else:
                await queries.mark_outbox_failed(conn, message.id, error)
                log.error("alert for chat %s failed: %s", message.chat_id, error)
        return 0
