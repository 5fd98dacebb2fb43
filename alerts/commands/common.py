"""What every command shares: the context, access control, replies under the rate limits,
and reading sector/action words typed by users (slugs, English or Chinese labels)."""

from __future__ import annotations

import functools
import html
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from psycopg_pool import AsyncConnectionPool

from alerts.labels import ACTIONS, SECTORS
from alerts.ratelimit import Limiter
from alerts.split import split_html
from capwatch.logs import redact
from db import bot_queries as bq

log = logging.getLogger("alerts.bot")

REFUSAL_EVERY = 600.0  # a refused chat is answered at most once per 10 minutes
ANY = "*"


@dataclass
class BotContext:
    pool: AsyncConnectionPool
    settings: Any
    limiter: Limiter
    refused_at: dict[int, float] = field(default_factory=dict)

    def is_admin(self, chat_id: int) -> bool:
        return chat_id in self.settings.telegram_admin_chat_ids

    def is_allowed(self, chat_id: int) -> bool:
        s = self.settings
        if not s.telegram_allowed_chat_ids:
            return True
        return chat_id in {
            *s.telegram_allowed_chat_ids,
            *s.telegram_admin_chat_ids,
            *s.telegram_alert_chat_ids,
        }


def ctx_of(context: Any) -> BotContext:
    return context.application.bot_data["capwatch"]


async def reply(update: Any, context: Any, text: str, markup: Any = None) -> None:
    """Send HTML to the update's chat: split safely, rate-limited with the alerts."""
    from telegram import LinkPreviewOptions
    from telegram.constants import ParseMode
    from telegram.error import RetryAfter

    from alerts.transport import retry_seconds

    chat = update.effective_chat
    limiter = ctx_of(context).limiter
    parts = split_html(text)
    for index, part in enumerate(parts):
        await limiter.acquire(chat.id)
        try:
            await context.bot.send_message(
                chat.id,
                part,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                reply_markup=markup if index == len(parts) - 1 else None,
            )
        except RetryAfter as exc:
            limiter.pause(chat.id, retry_seconds(exc))
            log.warning("reply to chat %s hit flood control", chat.id)
            return


Handler = Callable[[Any, Any, BotContext], Awaitable[None]]


def command(*, admin: bool = False) -> Callable[[Handler], Callable[[Any, Any], Awaitable[None]]]:
    """Wraps a handler with access control: refused chats get one polite answer, admin
    commands answer only TELEGRAM_ADMIN_CHAT_IDS; the chat is remembered (and reactivated)."""

    def wrap(handler: Handler) -> Callable[[Any, Any], Awaitable[None]]:
        @functools.wraps(handler)
        async def guarded(update: Any, context: Any) -> None:
            ctx = ctx_of(context)
            chat = update.effective_chat
            if chat is None:
                return
            if not ctx.is_allowed(chat.id):
                await _refuse(update, context, ctx)
                return
            if admin and not ctx.is_admin(chat.id):
                await reply(update, context, "This command answers only the admin chats.")
                return
            async with ctx.pool.connection() as conn:
                await bq.touch_chat(conn, chat.id, chat.title or chat.full_name, chat.type)
            await handler(update, context, ctx)

        return guarded

    return wrap


async def _refuse(update: Any, context: Any, ctx: BotContext) -> None:
    chat_id = update.effective_chat.id
    log.info("refused chat %s (not in TELEGRAM_ALLOWED_CHAT_IDS)", chat_id)
    if update.callback_query is not None:
        await update.callback_query.answer("This bot is private.", show_alert=True)
        return
    now = time.monotonic()
    if now - ctx.refused_at.get(chat_id, -REFUSAL_EVERY) < REFUSAL_EVERY:
        return
    ctx.refused_at[chat_id] = now
    await reply(
        update,
        context,
        "Sorry, this capwatch bot is private and does not serve this chat.\n"
        f"If you should have access, give the operator this chat id: <code>{chat_id}</code>",
    )


def _words(label: str) -> set[str]:
    return {w.lower() for w in label.replace("&", " ").replace("/", " ").split() if w}


def resolve(word: str, table: dict[str, str]) -> str | None:
    """A slug from what a user typed: the slug, a word of its label, or 'all'/'*'/'any'."""
    word = word.strip().lower()
    if word in {"*", "all", "any", "全部"}:
        return ANY
    if word in table:
        return word
    for slug, label in table.items():
        if word in _words(label) or word == label.lower():
            return slug
    return None


def resolve_sector(word: str) -> str | None:
    return resolve(word, SECTORS)


def resolve_action(word: str) -> str | None:
    return resolve(word, ACTIONS)


def esc(text: Any) -> str:
    return html.escape(redact(str(text)))
