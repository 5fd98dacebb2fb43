"""/digest and /mute: how and when a chat receives alerts. Times are Beijing time.

Digest mode collects a chat's alerts and sends them as one daily message at the chosen time.
Quiet hours deliver alerts silently (no notification sound) rather than holding them back, so
nothing arrives late; an analyst sees them on opening the chat.
"""

from __future__ import annotations

import re
from datetime import time

from telegram import Update
from telegram.ext import CommandHandler

from alerts.client import TelegramApp
from alerts.commands.common import Context, args_of, chat_id_of, ctx_of, reply
from db.chats import get_prefs, set_digest, set_quiet

_TIME = re.compile(r"^([01]?\d|2[0-3])[:：.]?([0-5]\d)$")


def parse_time(text: str) -> time | None:
    match = _TIME.match(text.strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


async def digest(update: Update, context: Context) -> None:
    ctx = ctx_of(context)
    chat_id = chat_id_of(update)
    args = [a.lower() for a in args_of(context)]
    async with ctx.pool.connection() as conn:
        prefs = await get_prefs(conn, chat_id)
        if not args:
            at = prefs.digest_time or ctx.config.digest_time
            state = f"on, daily at {at:%H:%M} Beijing" if prefs.digest else "off (instant alerts)"
            await reply(
                update, context, f"Digest is {state}.\nUse /digest on [HH:MM] or /digest off"
            )
            return
        if args[0] == "off":
            await set_digest(conn, chat_id, False, None)
            await conn.commit()  # the change holds before the user sees the answer
            await reply(
                update,
                context,
                "Digest off: alerts arrive instantly again (anything collected comes now).",
            )
            return
        if args[0] != "on":
            await reply(update, context, "Use /digest on [HH:MM] or /digest off")
            return
        chosen = (
            parse_time(args[1]) if len(args) > 1 else prefs.digest_time or ctx.config.digest_time
        )
        if chosen is None:
            await reply(update, context, "Give the time as HH:MM (Beijing), e.g. /digest on 08:30")
            return
        await set_digest(conn, chat_id, True, chosen)
    await reply(
        update,
        context,
        f"Digest on: one message a day at {chosen:%H:%M} Beijing instead of instant alerts.",
    )


async def mute(update: Update, context: Context) -> None:
    ctx = ctx_of(context)
    chat_id = chat_id_of(update)
    args = " ".join(args_of(context)).strip().lower()
    async with ctx.pool.connection() as conn:
        if not args:
            prefs = await get_prefs(conn, chat_id)
            if prefs.quiet_start and prefs.quiet_end:
                text = f"Quiet hours: {prefs.quiet_start:%H:%M}–{prefs.quiet_end:%H:%M} Beijing."
            else:
                text = "No quiet hours."
            await reply(update, context, text + "\nUse /mute 22:00-07:30 or /mute off")
            return
        if args == "off":
            await set_quiet(conn, chat_id, None, None)
            await conn.commit()  # the change holds before the user sees the answer
            await reply(update, context, "Quiet hours off.")
            return
        pieces = re.split(r"\s*[-–~到至]\s*|\s+", args)
        times = [parse_time(p) for p in pieces if p]
        if len(times) != 2 or None in times or times[0] == times[1]:
            await reply(
                update, context, "Give quiet hours as HH:MM-HH:MM (Beijing), e.g. /mute 22:00-07:30"
            )
            return
        await set_quiet(conn, chat_id, times[0], times[1])
    await reply(
        update,
        context,
        f"Quiet hours {times[0]:%H:%M}–{times[1]:%H:%M} Beijing: alerts then arrive silently.",
    )


def register(app: TelegramApp) -> None:
    app.add_handler(CommandHandler("digest", digest))
    app.add_handler(CommandHandler("mute", mute))
