"""The Telegram bot: python-telegram-bot's Application on the service's event loop.

Started with `async with app` + `app.start()` + `app.updater.start_polling()` (never
`run_polling()`, which would own the loop), stopped in reverse order. If Telegram cannot be
reached at start, the bot keeps trying in the background; the service runs on meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from psycopg_pool import AsyncConnectionPool

from alerts.commands import admin, browse, prefs, subscriptions
from alerts.commands.common import BotContext, command, ctx_of, reply
from alerts.ratelimit import Limiter
from capwatch.logs import redact
from db import alert_queries as aq
from db import bot_queries as bq

log = logging.getLogger("alerts.bot")

HELP = """<b>capwatch</b> sends an alert when Chinese or English news reports a capacity cut or an \
"anti-involution" (反内卷) action, one per real-world event.

/subscribe [sector] [action] — get alerts for a sector/action (buttons without words)
/unsubscribe [sector action | all] — stop them
/mysubs — this chat's subscriptions, digest and quiet hours
/latest [sector] — the newest events
/event ID — one event's timeline (all its reports)
/search WORDS — articles in the archive (中文 or English)
/sources — how the sources are doing
/digest on [HH:MM] | off — one daily message instead of instant alerts
/mute HH:MM-HH:MM | off — quiet hours: alerts arrive silently
Times are Beijing time."""

ADMIN_HELP = (
    "\n<b>Admin</b>: /failed — failed deliveries · /retry ID|all — send them again"
    " · /chats — known chats"
)

COMMANDS = [
    ("subscribe", "alerts for a sector/action"),
    ("unsubscribe", "stop alerts"),
    ("mysubs", "this chat's settings"),
    ("latest", "newest events"),
    ("event", "an event's timeline"),
    ("search", "search the archive"),
    ("sources", "source health"),
    ("digest", "daily digest on/off"),
    ("mute", "quiet hours"),
    ("help", "how to use this bot"),
]


@command()
async def start(update: Any, context: Any, ctx: BotContext) -> None:
    await reply(
        update, context, HELP + (ADMIN_HELP if ctx.is_admin(update.effective_chat.id) else "")
    )


help_command = start


async def on_membership(update: Any, context: Any) -> None:
    """Removed or blocked: stop sending there at once; added back: reachable again."""
    member = update.my_chat_member
    if member is None:
        return
    ctx = ctx_of(context)
    chat = member.chat
    status = member.new_chat_member.status
    async with ctx.pool.connection() as conn:
        if status in ("left", "kicked", "banned"):
            await aq.deactivate_chat(conn, chat.id, f"bot {status}")
            log.warning("chat %s: bot %s; marked inactive", chat.id, status)
        elif status in ("member", "administrator", "creator"):
            await bq.touch_chat(conn, chat.id, chat.title or chat.effective_name, chat.type)


async def on_error(update: object, context: Any) -> None:
    log.error("bot handler failed: %s", redact(repr(context.error)))


def build_application(settings: Any, pool: AsyncConnectionPool, limiter: Limiter | None = None):
    from telegram.ext import Application, ChatMemberHandler, CommandHandler
    from telegram.request import HTTPXRequest

    timeout = settings.telegram_timeout_seconds
    app = (
        Application.builder()
        .token(settings.bot_token)
        .base_url(settings.bot_api_base)
        .request(HTTPXRequest(connection_pool_size=8, read_timeout=timeout, pool_timeout=timeout))
        .get_updates_request(HTTPXRequest(read_timeout=timeout + 30))
        .build()
    )
    app.bot_data["capwatch"] = BotContext(pool, settings, limiter or Limiter(settings.send_limits))
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    for module in (subscriptions, browse, prefs, admin):
        module.register(app)
    app.add_handler(ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_error_handler(on_error)
    return app


@dataclass
class BotHandle:
    app: Any
    stack: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack)
    task: asyncio.Task | None = None
    running: asyncio.Event = field(default_factory=asyncio.Event)


async def _bring_up(handle: BotHandle, settings: Any, retry_every: float) -> None:
    app = handle.app
    while True:
        try:
            await handle.stack.enter_async_context(app)  # initialize() ... shutdown()
            break
        except Exception as exc:
            log.warning(
                "Telegram bot not reachable (%s); retrying in %.0fs", redact(str(exc)), retry_every
            )
            await asyncio.sleep(retry_every)
    with contextlib.suppress(Exception):
        await app.bot.set_my_commands(COMMANDS)
    await app.start()
    if settings.telegram_webhook_url:
        secret = settings.telegram_webhook_secret
        await app.updater.start_webhook(
            listen="0.0.0.0",
            port=settings.telegram_webhook_port,
            url_path="telegram",
            webhook_url=settings.telegram_webhook_url,
            secret_token=secret.get_secret_value() if secret else None,
            allowed_updates=["message", "callback_query", "my_chat_member"],
        )
    else:
        await app.updater.start_polling(
            poll_interval=0.0,
            timeout=20,
            allowed_updates=["message", "callback_query", "my_chat_member"],
        )
    handle.running.set()
    log.info(
        "Telegram bot answering commands (%s)",
        "webhook" if settings.telegram_webhook_url else "long polling",
    )


async def start_bot(
    settings: Any, pool: AsyncConnectionPool, transport: Any = None, retry_every: float = 60.0
) -> BotHandle | None:
    """Start the command bot (no token or TELEGRAM_BOT_COMMANDS=false: None). Shares the
    alert transport's rate limiter, so replies and alerts count against the same limits."""
    if not settings.bot_token or not settings.telegram_bot_commands:
        return None
    app = build_application(settings, pool, getattr(transport, "limiter", None))
    handle = BotHandle(app)
    handle.task = asyncio.create_task(_bring_up(handle, settings, retry_every), name="bot")
    return handle


async def stop_bot(handle: BotHandle | None) -> None:
    """Stop in reverse order: updater, application, then shutdown (leaving `async with`)."""
    if handle is None:
        return
    if handle.task is not None and not handle.task.done():
        handle.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await handle.task
    app = handle.app
    with contextlib.suppress(Exception):
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
    with contextlib.suppress(Exception):
        if app.running:
            await app.stop()
    with contextlib.suppress(Exception):
        await handle.stack.aclose()
