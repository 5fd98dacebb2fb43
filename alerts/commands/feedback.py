"""The buttons under every alert: an analyst says useful, not relevant, or wrong sector (then
picks the right sectors). The verdict is stored (db/feedback.py), acknowledged with an answer
to the press and a tick on the alert's buttons; "not relevant" also stops that event's updates
in this chat. Keyboards and callback data: alerts/feedback_keyboard.py."""

from __future__ import annotations

import logging

import psycopg
from telegram import Update
from telegram.ext import CallbackQueryHandler

from alerts.client import TelegramApp
from alerts.commands.common import Context, chat_id_of, ctx_of, show_buttons
from alerts.feedback_keyboard import PATTERN, Press, parse, picker_keyboard, verdict_keyboard
from db import feedback as fq
from db.feedback import Verdict

log = logging.getLogger("alerts.bot")

THANKS: dict[Verdict, str] = {
    "useful": "Thanks: marked useful.",
    "not_relevant": "Thanks: marked not relevant. No more updates about this event here.",
    "wrong_sector": "Thanks: sectors recorded.",
}


async def on_feedback(update: Update, context: Context) -> None:
    """A press on a feedback button (or in the sector picker)."""
    query = update.callback_query
    if query is None:
        return
    press = parse(query.data or "")
    if press is None:
        await query.answer("This button is no longer valid.")
        return
    ctx = ctx_of(context)
    if press.kind == "pick":
        async with ctx.pool.connection() as conn:
            current = await fq.event_sectors(conn, press.event_id)
        if current is None:
            await query.answer("This event no longer exists.")
            return
        await query.answer("Pick the sectors it is about, then Done.")
        await show_buttons(update, context, picker_keyboard(press.event_id, current))
        return
    if press.kind == "toggle":
        await query.answer()
        await show_buttons(update, context, picker_keyboard(press.event_id, press.chosen))
        return
    if press.kind == "cancel":
        async with ctx.pool.connection() as conn:
            given = await fq.latest_verdict(conn, press.event_id, chat_id_of(update))
        await query.answer()
        await show_buttons(update, context, verdict_keyboard(press.event_id, given))
        return
    if press.kind == "done" and not press.chosen:
        await query.answer("Pick at least one sector (or Back).", show_alert=True)
        return
    verdict: Verdict = "wrong_sector" if press.kind == "done" else _verdict(press)
    stored = await _store(update, context, press, verdict)
    if not stored:
        await query.answer("This event no longer exists.")
        return
    await query.answer(THANKS[verdict])
    await show_buttons(update, context, verdict_keyboard(press.event_id, verdict))


def _verdict(press: Press) -> Verdict:
    return "not_relevant" if press.verdict == "not_relevant" else "useful"


async def _store(update: Update, context: Context, press: Press, verdict: Verdict) -> bool:
    user = update.effective_user
    name = None
    if user is not None:
        name = f"@{user.username}" if user.username else user.full_name
    try:
        async with ctx_of(context).pool.connection() as conn:
            await fq.add_feedback(
                conn,
                press.event_id,
                verdict,
                sectors=press.chosen if verdict == "wrong_sector" else (),
                chat_id=chat_id_of(update),
                user_id=user.id if user is not None else None,
                user_name=name,
                origin="telegram",
            )
    except psycopg.errors.ForeignKeyViolation:
        log.info("feedback on unknown event %s ignored", press.event_id)
        return False
    log.info("feedback: %s on %s from chat %s", verdict, press.event_id, chat_id_of(update))
    return True


def register(app: TelegramApp) -> None:
    app.add_handler(CallbackQueryHandler(on_feedback, pattern=PATTERN))
