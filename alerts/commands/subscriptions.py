"""/subscribe, /unsubscribe, /mysubs: which sectors and actions a chat receives.

With words (`/subscribe steel production_cut`, `/subscribe 光伏玻璃`) the subscription is
made at once; without, an inline keyboard walks through sector then action. Callback data
stays under Telegram's 64 bytes: `sub:s:SECTOR`, `sub:a:SECTOR:ACTION`, `uns:SECTOR:ACTION`.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from alerts.client import TelegramApp
from alerts.commands.common import (
    ANY,
    Context,
    args_of,
    chat_id_of,
    ctx_of,
    edit_pressed,
    reply,
    resolve_action,
    resolve_sector,
)
from alerts.labels import ACTIONS, SECTORS, action_label, sector_label
from alerts.render import esc
from db import chats as chats_db
from db.chats import get_prefs, subscriptions


def describe(sector: str, action: str) -> str:
    """A subscription in words, as HTML."""
    what = "all sectors" if sector == ANY else sector_label(sector)
    how = "any action" if action == ANY else action_label(action)
    return esc(f"{what} · {how}")


def _keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def sector_keyboard() -> InlineKeyboardMarkup:
    buttons = [(label, f"sub:s:{slug}") for slug, label in SECTORS.items()]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return _keyboard([[("All sectors", f"sub:s:{ANY}")], *rows])


def action_keyboard(sector: str) -> InlineKeyboardMarkup:
    rows = [[(label, f"sub:a:{sector}:{slug}")] for slug, label in ACTIONS.items()]
    return _keyboard([[("Any action", f"sub:a:{sector}:{ANY}")], *rows])


def parse_pair(args: list[str]) -> tuple[str, str] | str:
    """(sector, action) from the words after the command, or an error message."""
    sector = resolve_sector(args[0]) if args else ANY
    if sector is None:
        return f"Unknown sector “{esc(args[0], 60)}”. Sectors: " + ", ".join(SECTORS)
    action = resolve_action(args[1]) if len(args) > 1 else ANY
    if action is None:
        return f"Unknown action “{esc(args[1], 60)}”. Actions: " + ", ".join(ACTIONS)
    return sector, action


async def subscribe(update: Update, context: Context) -> None:
    ctx = ctx_of(context)
    args = args_of(context)
    if not args:
        await reply(update, context, "Which sector? (then: which action)", sector_keyboard())
        return
    parsed = parse_pair(args)
    if isinstance(parsed, str):
        await reply(update, context, parsed)
        return
    async with ctx.pool.connection() as conn:
        added = await chats_db.subscribe(conn, chat_id_of(update), *parsed)
    state = "Subscribed" if added else "Already subscribed"
    await reply(update, context, f"{state}: <b>{describe(*parsed)}</b>")


async def unsubscribe(update: Update, context: Context) -> None:
    ctx = ctx_of(context)
    chat_id = chat_id_of(update)
    args = args_of(context)
    async with ctx.pool.connection() as conn:
        if args and args[0].lower() == "all":
            removed = await chats_db.unsubscribe(conn, chat_id, None, None)
            await conn.commit()  # the change holds before the user sees the answer
            await reply(update, context, f"Removed {removed} subscription(s).")
            return
        if args:
            parsed = parse_pair(args)
            if isinstance(parsed, str):
                await reply(update, context, parsed)
                return
            removed = await chats_db.unsubscribe(conn, chat_id, *parsed)
            await conn.commit()  # the change holds before the user sees the answer
            text = "Unsubscribed" if removed else "There was no subscription"
            await reply(update, context, f"{text}: <b>{describe(*parsed)}</b>")
            return
        subs = await subscriptions(conn, chat_id)
    if not subs:
        await reply(update, context, "No subscriptions. /subscribe adds one.")
        return
    rows = [[(describe(s, a), f"uns:{s}:{a}")] for s, a in subs]
    await reply(
        update, context, "Remove which subscription?", _keyboard([*rows, [("All", "uns:all")]])
    )


async def mysubs(update: Update, context: Context) -> None:
    ctx = ctx_of(context)
    chat_id = chat_id_of(update)
    async with ctx.pool.connection() as conn:
        subs = await subscriptions(conn, chat_id)
        prefs = await get_prefs(conn, chat_id)
    lines = ["<b>Subscriptions</b>"] + [f"• {describe(s, a)}" for s, a in subs]
    if not subs:
        lines.append("none — /subscribe adds one")
    if chat_id in ctx.config.alert_chat_ids:
        lines.append("This chat also receives every alert (TELEGRAM_ALERT_CHAT_IDS).")
    digest = prefs.digest_time or ctx.config.digest_time
    daily = f"on, daily at {digest:%H:%M} Beijing"
    lines.append(f"Digest: {daily if prefs.digest else 'off (instant alerts)'}")
    if prefs.quiet_start and prefs.quiet_end:
        lines.append(
            f"Quiet hours: {prefs.quiet_start:%H:%M}–{prefs.quiet_end:%H:%M} Beijing"
            " (alerts arrive silently)"
        )
    await reply(update, context, "\n".join(lines))


async def on_button(update: Update, context: Context) -> None:
    ctx = ctx_of(context)
    query = update.callback_query
    if query is None:
        return
    data = query.data or ""
    chat_id = chat_id_of(update)
    parts = data.split(":")
    if parts[:2] == ["sub", "s"] and len(parts) == 3 and (parts[2] in SECTORS or parts[2] == ANY):
        await query.answer()
        await edit_pressed(
            update,
            context,
            f"{describe(parts[2], ANY).split(' · ')[0]}: which action?",
            action_keyboard(parts[2]),
        )
        return
    if parts[:2] == ["sub", "a"] and len(parts) == 4:
        sector, action = parts[2], parts[3]
        if (sector in SECTORS or sector == ANY) and (action in ACTIONS or action == ANY):
            async with ctx.pool.connection() as conn:
                await chats_db.subscribe(conn, chat_id, sector, action)
            await query.answer("Subscribed")
            await edit_pressed(update, context, f"Subscribed: {describe(sector, action)}")
            return
    if parts[0] == "uns" and len(parts) in (2, 3):
        async with ctx.pool.connection() as conn:
            if parts[1] == "all":
                removed = await chats_db.unsubscribe(conn, chat_id, None, None)
                text = f"Removed {removed} subscription(s)."
            else:
                await chats_db.unsubscribe(conn, chat_id, parts[1], parts[2])
                text = f"Unsubscribed: {describe(parts[1], parts[2])}"
        await query.answer("Done")
        await edit_pressed(update, context, text)
        return
    await query.answer("This button is no longer valid.")


def register(app: TelegramApp) -> None:
    app.add_handler(CommandHandler("subscribe", subscribe))
    app.add_handler(CommandHandler("unsubscribe", unsubscribe))
    app.add_handler(CommandHandler("mysubs", mysubs))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^(sub|uns):"))
