"""What one outbox row becomes on Telegram, per kind.

alert   the rendered alert, split into parts if ever needed; delivered parts are recorded, so
        a retry continues with the next part instead of repeating the first
update  the first alert is edited to show the later sources ("+3 sources", newest first);
        when it cannot be edited, a reply under it carries them (and later updates edit
        that reply). Never a new top-level alert.
digest  all due digest rows of a chat as one message
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import Any

from psycopg_pool import AsyncConnectionPool

from alerts.feedback_keyboard import verdict_keyboard
from alerts.payload import AlertPayload
from alerts.render import render_alert_html, render_digest_html, render_update_reply
from alerts.split import TELEGRAM_LIMIT, split_html, utf16_len
from alerts.transport import SendResult, Transport
from core.tz import BEIJING
from db import feedback
from db.events import event_reports
from db.models import ChatPrefs, OutboxRow
from db.outbox import alert_message, mark_part_sent
from market.context import market_line

WAIT_FOR_ALERT_SECONDS = 2.0


@dataclass(frozen=True)
class Deferred:
    """Not sendable yet (an update whose alert is still queued): try again later."""

    seconds: float
    reason: str


@dataclass(frozen=True)
class Refused:
    """Will never be sendable; fail the row with this reason."""

    reason: str


def in_quiet_hours(prefs: ChatPrefs, now: datetime | None = None) -> bool:
    start, end = prefs.quiet_start, prefs.quiet_end
    if start is None or end is None or start == end:
        return False
    clock: time = (now or datetime.now(BEIJING)).astimezone(BEIJING).time()
    return start <= clock < end if start < end else clock >= start or clock < end


def alert_sectors(data: dict[str, Any]) -> tuple[str, ...]:
    return AlertPayload.from_json(data).sectors


def _payload(row: OutboxRow) -> AlertPayload:
    return AlertPayload.from_json(row.payload, row.event_id)


async def deliver_alert(
    pool: AsyncConnectionPool, transport: Transport, row: OutboxRow, silent: bool
) -> SendResult:
    payload = _payload(row)
    async with pool.connection() as conn:
        market = await market_line(conn, payload.sectors)
    parts = split_html(render_alert_html(payload, market=market))
    first_id = row.telegram_message_id
    for index in range(row.parts_sent, len(parts)):
        preview = (payload.url or True) if index == 0 else False
        # the feedback buttons sit under the first part: the one later reports edit
        buttons = verdict_keyboard(row.event_id) if index == 0 else None
        result = await transport.send(
            row.chat_id, parts[index], silent=silent, preview=preview, markup=buttons
        )
        if not result.ok:
            return result
        first_id = first_id or result.message_id
        if len(parts) > 1:
            async with pool.connection() as conn:
                await mark_part_sent(conn, row.id, index + 1, first_id)
    return SendResult(ok=True, message_id=first_id)


async def deliver_update(
    pool: AsyncConnectionPool, transport: Transport, row: OutboxRow
) -> SendResult | Deferred | Refused:
    async with pool.connection() as conn:
        alert = await alert_message(conn, row.event_id, row.chat_id)
        reports = await event_reports(conn, row.event_id, newest_first=True)
        given = await feedback.latest_verdict(conn, row.event_id, row.chat_id)
        sectors = alert_sectors(alert[2] if alert else row.payload)
        market = await market_line(conn, sectors)
    if alert is not None and alert[0] in ("pending", "sending"):
        return Deferred(WAIT_FOR_ALERT_SECONDS, "waiting for the first alert")
    if alert is not None and alert[0] == "failed":
        return Refused("the first alert of this event was not delivered")
    payload = AlertPayload.from_json(alert[2] if alert else row.payload, row.event_id)
    first_article = payload.article_id
    later = [r for r in reports if r.article_id != first_article]
    first_id = alert[1] if alert else None
    if row.telegram_message_id:  # we replied before: keep that reply current
        result = await transport.edit(
            row.chat_id,
            row.telegram_message_id,
            render_update_reply(payload, later),
            preview=False,
        )
        if not result.not_editable:
            return replace(result, message_id=None)  # the row keeps no id of its own
    elif first_id:
        text = render_alert_html(payload, later, market=market)
        if utf16_len(text) > TELEGRAM_LIMIT:
            text = split_html(text)[0]
        buttons = verdict_keyboard(row.event_id, given)  # an edit without them drops them
        result = await transport.edit(
            row.chat_id, first_id, text, preview=payload.url or True, markup=buttons
        )
        if result.ok:
            return SendResult(ok=True, message_id=None)  # the row keeps no id of its own
        if not result.not_editable:
            return result
    parts = split_html(render_update_reply(payload, later))
    reply_id = None
    for part in parts:
        result = await transport.send(
            row.chat_id, part, reply_to=first_id, silent=True, preview=False
        )
        if not result.ok:
            return result
        reply_id = reply_id or result.message_id
    return SendResult(ok=True, message_id=reply_id)


async def deliver_digest(
    pool: AsyncConnectionPool, transport: Transport, chat_id: int, rows: list[OutboxRow]
) -> SendResult:
    async with pool.connection() as conn:
        counts = {row.event_id: len(await event_reports(conn, row.event_id)) for row in rows}
    items = [(_payload(row), counts.get(row.event_id, 1)) for row in rows]
    first_id = None
    for part in split_html(render_digest_html(items)):
        result = await transport.send(chat_id, part, preview=False)
        if not result.ok:
            return result
        first_id = first_id or result.message_id
    return SendResult(ok=True, message_id=first_id)
