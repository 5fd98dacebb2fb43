"""What every command shares: the bot's configuration and context, replies through the one
send path (alerts/transport.py), and reading sector/action words typed by users (slugs,
English or Chinese labels).

Handlers are plain PTB callbacks, `async def h(update: Update, context: Context) -> None`;
access control is not their business: the allow-list gate (alerts/bot.py) runs before them in
an earlier handler group, and admin commands are registered with `filters.Chat(admin ids)`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from psycopg_pool import AsyncConnectionPool
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from alerts.config import BotConfig
from alerts.labels import ACTIONS, SECTORS
from alerts.split import split_html
from alerts.transport import Transport
from db.models import SourceHealth

log = logging.getLogger("alerts.bot")

Context = ContextTypes.DEFAULT_TYPE
ANY = "*"
FLOOD_WAIT_LIMIT = 30.0  # a reply waits out flood control up to this long, then is dropped
REPLY_TRIES = 3


HealthReader = Callable[[], Awaitable[list[SourceHealth]]]


@dataclass
class BotContext:
    """What handlers need beyond PTB's context; kept in `bot_data` under KEY."""

    pool: AsyncConnectionPool
    config: BotConfig
    transport: Transport
    refused_at: dict[int, float] = field(default_factory=dict)
    # every source's health as `capwatch status` computes it (the service passes its monitor's)
    source_health: HealthReader | None = None

    KEY = "capwatch"


def ctx_of(context: Context) -> BotContext:
    found = context.bot_data[BotContext.KEY]
    assert isinstance(found, BotContext)
    return found


def chat_id_of(update: Update) -> int:
    """The chat of an update that reached a handler (the gate lets none through without)."""
    chat = update.effective_chat
    assert chat is not None
    return chat.id


async def reply(
    update: Update, context: Context, text: str, markup: InlineKeyboardMarkup | None = None
) -> bool:
    """Send HTML to the update's chat through the one send path: split safely, rate-limited
    with the alerts, plain text when the HTML is refused; flood control is waited out when
    short. The buttons go under the last part. False when the answer could not be sent."""
    chat_id = chat_id_of(update)
    transport = ctx_of(context).transport
    parts = split_html(text)
    for index, part in enumerate(parts):
        buttons = markup if index == len(parts) - 1 else None
        for _ in range(REPLY_TRIES):
            result = await transport.send(chat_id, part, preview=False, markup=buttons)
            if result.ok:
                break
            wait = result.retry_after
            if not result.flood or wait is None or wait > FLOOD_WAIT_LIMIT:
                log.warning("reply to chat %s not sent: %s", chat_id, result.error)
                return False
            await asyncio.sleep(0)  # the limiter holds the chat until the pause is over
        else:
            log.warning("reply to chat %s not sent: still in flood control", chat_id)
            return False
    return True


def args_of(context: Context) -> list[str]:
    return list(context.args or [])


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


async def show_buttons(
    update: Update, context: Context, markup: InlineKeyboardMarkup | None
) -> bool:
    """Replace the buttons under the message whose button was pressed (its text stays),
    through the one send path."""
    query = update.callback_query
    message = query.message if query is not None else None
    if message is None:
        return False
    chat_id = chat_id_of(update)
    result = await ctx_of(context).transport.edit_buttons(chat_id, message.message_id, markup)
    if not result.ok:
        log.warning("buttons in chat %s not updated: %s", chat_id, result.error)
    return result.ok


async def edit_pressed(
    update: Update, context: Context, text: str, markup: InlineKeyboardMarkup | None = None
) -> bool:
    """Replace the message whose inline button was pressed (HTML, through the one send path);
    a new reply when it cannot be edited any more."""
    query = update.callback_query
    message = query.message if query is not None else None
    if message is None:
        return await reply(update, context, text, markup)
    transport = ctx_of(context).transport
    chat_id = chat_id_of(update)
    result = await transport.edit(chat_id, message.message_id, text, preview=False, markup=markup)
    if result.not_editable:
        return await reply(update, context, text, markup)
    if not result.ok:
        log.warning("edit in chat %s not made: %s", chat_id, result.error)
    return result.ok
