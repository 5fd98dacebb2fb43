"""Admin commands (TELEGRAM_ADMIN_CHAT_IDS only): /failed, /retry, /chats.

`register` adds them behind `filters.Chat(admin ids)`; the same commands from any other chat
reach `not_admin`, which says so.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from alerts.client import TelegramApp
from alerts.commands.common import Context, args_of, ctx_of, reply
from alerts.config import BotConfig
from alerts.render import esc
from db.chats import list_chats
from db.outbox import list_outbox, retry_failed

COMMANDS = ("failed", "retry", "chats")


async def failed(update: Update, context: Context) -> None:
    async with ctx_of(context).pool.connection() as conn:
        rows = await list_outbox(conn, "failed", None, 15)
    if not rows:
        await reply(update, context, "No failed deliveries.")
        return
    lines = [f"<b>{len(rows)} most recent failed deliveries</b>"]
    for r in rows:
        lines.append(
            f"#{r.id} chat <code>{r.chat_id}</code> · {esc(r.kind)} · {esc(r.headline, 60)}\n"
            f"  {esc(r.last_error, 200)}"
        )
    lines.append("Retry: /retry ID or /retry all")
    await reply(update, context, "\n".join(lines))


async def retry(update: Update, context: Context) -> None:
    args = args_of(context)
    if not args:
        await reply(update, context, "Usage: /retry ID [ID...] or /retry all")
        return
    ids = None if args[0].lower() == "all" else [int(a) for a in args if a.isdigit()]
    async with ctx_of(context).pool.connection() as conn:
        count = await retry_failed(conn, ids)
    await reply(
        update, context, f"{count} failed deliver{'y' if count == 1 else 'ies'} queued again."
    )


async def chats(update: Update, context: Context) -> None:
    async with ctx_of(context).pool.connection() as conn:
        rows = await list_chats(conn)
    lines = ["<b>Chats</b>"]
    for chat_id, title, kind, active, reason, migrated, digest, subs in rows:
        state = "active" if active else f"inactive ({esc(reason or '?', 80)})"
        moved = f" → {migrated}" if migrated else ""
        lines.append(
            f"<code>{chat_id}</code> {esc(title or '', 40)} [{esc(kind or '?')}] {state}{moved}"
            f" · {subs} subs{' · digest' if digest else ''}"
        )
    await reply(update, context, "\n".join(lines))


async def not_admin(update: Update, context: Context) -> None:
    await reply(update, context, "This command answers only the admin chats.")


def register(app: TelegramApp, config: BotConfig) -> None:
    admins = filters.Chat(chat_id=sorted(config.admin_chat_ids))
    app.add_handler(CommandHandler("failed", failed, filters=admins))
    app.add_handler(CommandHandler("retry", retry, filters=admins))
    app.add_handler(CommandHandler("chats", chats, filters=admins))
    app.add_handler(CommandHandler(list(COMMANDS), not_admin))
