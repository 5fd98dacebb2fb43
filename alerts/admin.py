"""Reports to the admin chats (TELEGRAM_ADMIN_CHAT_IDS).

`notify_admins` is the one entry point for any part of capwatch that must tell the operators
something (source health, failed deliveries): text is escaped, redacted, split and rate-limited
like every other message. Without admin chats (or without a bot) the report is logged instead.
"""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Sequence

from psycopg_pool import AsyncConnectionPool

from alerts.render import clean
from alerts.split import split_html
from alerts.transport import Transport
from core.redact import redact
from db.models import OutboxListing
from db.outbox import mark_reported, unreported_failures

log = logging.getLogger(__name__)

REPORT_BATCH = 30
RETRY_REPORT_AFTER = 60.0
_next_report_at = 0.0


async def notify_admins(
    transport: Transport, admin_chat_ids: Sequence[int], text: str, *, title: str = "capwatch"
) -> int:
    """Send `text` (plain text; it is escaped here) to every admin chat. Returns how many
    chats received it; 0 means it was only logged (no admin chat, or every send failed)."""
    body = f"⚠️ <b>{html.escape(title)}</b>\n{html.escape(redact(text))}"
    if not admin_chat_ids:
        log.warning("admin report (no TELEGRAM_ADMIN_CHAT_IDS): %s", redact(text))
        return 0
    reached = 0
    for chat_id in admin_chat_ids:
        ok = True
        for part in split_html(body):
            result = await transport.send(chat_id, part, preview=False)
            if not result.ok:
                log.error("admin report to chat %s failed: %s", chat_id, redact(result.error or ""))
                ok = False
                break
        reached += ok
    return reached


def failure_report(rows: list[OutboxListing]) -> str:
    lines = [f"{len(rows)} alert deliver{'y' if len(rows) == 1 else 'ies'} failed:"]
    for row in rows:
        lines.append(
            f"#{row.id} chat {row.chat_id} · {row.kind} · event {row.event_id}\n"
            f"  {clean(row.headline, 80)}\n  reason: {clean(row.last_error, 200)}"
        )
    lines.append("List them: capwatch alerts list --failed · retry: capwatch alerts retry")
    return "\n".join(lines)


async def report_failures(
    pool: AsyncConnectionPool, transport: Transport, admin_chat_ids: Sequence[int]
) -> int:
    """Report failed rows not yet reported, in one message per batch; a row counts as reported
    once an admin chat has it (or, without admin chats, once it has been logged)."""
    global _next_report_at
    if time.monotonic() < _next_report_at:
        return 0
    async with pool.connection() as conn:
        rows = await unreported_failures(conn, REPORT_BATCH)
    if not rows:
        return 0
    reached = await notify_admins(
        transport, admin_chat_ids, failure_report(rows), title="capwatch: delivery failed"
    )
    if admin_chat_ids and not reached:
        _next_report_at = time.monotonic() + RETRY_REPORT_AFTER
        return 0
    async with pool.connection() as conn:
        await mark_reported(conn, [row.id for row in rows])
    return len(rows)
