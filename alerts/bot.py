"""The Telegram bot: handlers on the transport's Application, run on the service's event loop.

Handlers are registered in two groups: group -1 holds the allow-list gate (a `TypeHandler`
that sees every update first and stops the ones from chats that may not use the bot), group 0
the commands (alerts/commands/*), then the `/event_<id>` links, then one answer for unknown
commands. New handlers (e.g. a `CallbackQueryHandler` for more buttons) go to group 0 with a
`register(app, ...)` function like the modules in alerts/commands/.

Start-up is supervised: every step (getMe, setMyCommands, deleteWebhook or setWebhook) is
retried with backoff, one log line per failed attempt, and when the updates stop arriving
(the polling loop ended, or the start failed half-way) the bot is brought up again. The
service and the alerts run on meanwhile. Never `run_polling()`, which would own the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from psycopg_pool import AsyncConnectionPool
from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    Updater,
    filters,
)

from alerts.client import TelegramApp
from alerts.commands import admin, browse, feedback, prefs, subscriptions
from alerts.commands.common import BotContext, Context, HealthReader, chat_id_of, ctx_of, reply
from alerts.config import BotConfig, WebhookConfig
from alerts.render import esc
from alerts.transport import TelegramTransport
from core.redact import redact
from db.chats import deactivate_chat, touch_chat

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
    BotCommand("subscribe", "alerts for a sector/action"),
    BotCommand("unsubscribe", "stop alerts"),
    BotCommand("mysubs", "this chat's settings"),
    BotCommand("latest", "newest events"),
    BotCommand("event", "an event's timeline"),
    BotCommand("search", "search the archive"),
    BotCommand("sources", "source health"),
    BotCommand("digest", "daily digest on/off"),
    BotCommand("mute", "quiet hours"),
    BotCommand("help", "how to use this bot"),
]
UPDATES = ["message", "callback_query", "my_chat_member"]
REFUSAL_EVERY = 600.0  # a refused chat is answered at most once per 10 minutes
WATCH_EVERY = 1.0  # how often the supervisor checks that updates still arrive


class BotSetupError(Exception):
    """The bot cannot start with this configuration (the message says why)."""


# --- handlers ------------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    is_admin = ctx_of(context).config.is_admin(chat_id_of(update))
    await reply(update, context, HELP + (ADMIN_HELP if is_admin else ""))


async def gate(update: Update, context: Context) -> None:
    """Group -1, before every handler: refused chats get one polite answer and nothing else;
    a chat that sends a command or presses a button is remembered (and reactivated)."""
    chat = update.effective_chat
    if chat is None or (update.message is None and update.callback_query is None):
        return  # membership changes and the like: their handlers decide
    ctx = ctx_of(context)
    if not ctx.config.is_allowed(chat.id):
        await _refuse(update, context, ctx)
        raise ApplicationHandlerStop
    text = update.message.text if update.message is not None else None
    if update.callback_query is not None or (text or "").startswith("/"):
        async with ctx.pool.connection() as conn:
            await touch_chat(conn, chat.id, chat.title or chat.full_name, chat.type)


async def _refuse(update: Update, context: Context, ctx: BotContext) -> None:
    chat_id = chat_id_of(update)
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


async def unknown_command(update: Update, context: Context) -> None:
    """Last in group 0: a command no handler took. Commands meant for another bot in a group
    (`/start@otherbot`) are left alone."""
    text = update.message.text if update.message is not None else ""
    word = (text or "").split()[0] if text else ""
    name, _, addressee = word.partition("@")
    if addressee and addressee.lower() != (context.bot.username or "").lower():
        return
    await reply(
        update,
        context,
        f"Unknown command <code>{esc(name, 40)}</code>. /help lists what I can do.",
    )


async def on_membership(update: Update, context: Context) -> None:
    """Removed or blocked: stop sending there at once; added back: reachable again."""
    member = update.my_chat_member
    if member is None:
        return
    ctx = ctx_of(context)
    chat = member.chat
    status = member.new_chat_member.status
    async with ctx.pool.connection() as conn:
        if status in ("left", "kicked", "banned"):
            await deactivate_chat(conn, chat.id, f"bot {status}")
            log.warning("chat %s: bot %s; marked inactive", chat.id, status)
        elif status in ("member", "administrator", "creator"):
            await touch_chat(conn, chat.id, chat.title or chat.effective_name, chat.type)


async def on_error(update: object, context: Context) -> None:
    log.error("bot handler failed: %s", redact(repr(context.error)))


def register_handlers(app: TelegramApp, config: BotConfig) -> None:
    app.add_handler(TypeHandler(Update, gate), group=-1)
    app.add_handler(CommandHandler(["start", "help"], start))
    subscriptions.register(app)
    feedback.register(app)
    browse.register(app)
    prefs.register(app)
    admin.register(app, config)
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))  # keep last in group 0
    app.add_handler(ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_error_handler(on_error)


# --- quiet logs ----------------------------------------------------------------------------


class OneLine(logging.Filter):
    """python-telegram-bot logs a full traceback for every failed poll or start-up call (about
    28 lines each); keep its message and the error's one-line summary instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


_PTB_LOGGERS = (
    "telegram",
    "telegram.ext",
    "telegram.ext.Updater",
    "telegram.ext.Application",
    "telegram.Bot",
    "telegram.ext.ExtBot",
)


def quiet_ptb_logs() -> None:
    for name in _PTB_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, OneLine) for f in logger.filters):
            logger.addFilter(OneLine())


# --- start-up and supervision --------------------------------------------------------------


@dataclass
class BotHandle:
    app: TelegramApp
    task: asyncio.Task[None] | None = None
    running: asyncio.Event = field(default_factory=asyncio.Event)
    starts: int = 0  # how many times updates started to arrive (more than 1: restarted)


def check_webhook(webhook: WebhookConfig | None) -> None:
    """Webhook mode needs python-telegram-bot's `webhooks` extra and a secret: say so at once
    rather than run a bot that never receives an update."""
    if webhook is None:
        return
    if importlib.util.find_spec("tornado") is None:
        raise BotSetupError(
            "TELEGRAM_WEBHOOK_URL is set but python-telegram-bot's webhook server is not "
            "installed: pip install 'capwatch[webhooks]' (or unset TELEGRAM_WEBHOOK_URL to poll)"
        )
    if not webhook.secret:
        raise BotSetupError(
            "TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET (1-256 characters A-Z a-z 0-9 _ -)"
        )
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", webhook.secret):
        raise BotSetupError(
            "TELEGRAM_WEBHOOK_SECRET may hold only 1-256 characters A-Z a-z 0-9 _ - "
            "(Telegram refuses any other)"
        )


async def start_bot(
    config: BotConfig,
    pool: AsyncConnectionPool,
    transport: TelegramTransport,
    source_health: HealthReader | None = None,
) -> BotHandle:
    """Register the handlers on the transport's Application and bring the bot up in the
    background (supervised). Raises BotSetupError at once for a configuration that cannot work.
    `source_health` is what /sources shows: the service passes its health monitor's reader,
    so /sources says what `capwatch status` says."""
    check_webhook(config.webhook)
    quiet_ptb_logs()
    app = transport.app
    first = BotContext.KEY not in app.bot_data  # started again after a standby took over
    app.bot_data[BotContext.KEY] = BotContext(pool, config, transport, source_health=source_health)
    if first:
        register_handlers(app, config)
    handle = BotHandle(app)
    handle.task = asyncio.create_task(_supervise(handle, config, transport), name="bot")
    return handle


async def _supervise(handle: BotHandle, config: BotConfig, transport: TelegramTransport) -> None:
    """Bring the bot up; whenever updates stop arriving, take it down and up again."""
    app = handle.app
    while True:
        try:
            await _bring_up(app, config, transport)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # not a Telegram error: a bug or a broken environment
            log.error("Telegram bot start failed: %s; trying again", redact(repr(exc)))
            await _take_down(app)
            await asyncio.sleep(config.retry_max_seconds)
            continue
        handle.starts += 1
        handle.running.set()
        log.info(
            "Telegram bot answering commands (%s)", "webhook" if config.webhook else "long polling"
        )
        while _receiving(app):
            await asyncio.sleep(WATCH_EVERY)
        handle.running.clear()
        log.warning("Telegram updates stopped arriving; restarting the bot")
        await _take_down(app)
        await _fresh_updater(app)


async def _bring_up(app: TelegramApp, config: BotConfig, transport: TelegramTransport) -> None:
    retry = config.retry_max_seconds
    await _retrying("connect (getMe)", transport.ensure_ready, retry)
    await _retrying("setMyCommands", lambda: app.bot.set_my_commands(COMMANDS), retry)
    if not app.running:
        await app.start()
    assert app.updater is not None
    updater = app.updater
    webhook = config.webhook
    if webhook is not None:
        secret = webhook.secret

        async def listen() -> object:
            return await updater.start_webhook(
                listen=webhook.listen,
                port=webhook.port,
                url_path="telegram",
                webhook_url=webhook.url,
                secret_token=secret,
                allowed_updates=UPDATES,
            )

        await _retrying("setWebhook", listen, retry)
    else:

        async def poll() -> object:
            return await updater.start_polling(
                poll_interval=0.0,
                timeout=20,
                allowed_updates=UPDATES,
                error_callback=_poll_failed,
            )

        await _retrying("deleteWebhook", poll, retry)


async def _retrying(step: str, call: Callable[[], Awaitable[object]], longest: float) -> None:
    """`call` until it succeeds: Telegram errors (a 502, a timeout, flood control, even a
    refused token that may be fixed) are retried with backoff, one log line each."""
    delay = min(1.0, longest)
    while True:
        try:
            await call()
            return
        except TelegramError as exc:
            log.warning(
                "Telegram bot start-up: %s failed (%s: %s); retrying in %.0fs",
                step,
                type(exc).__name__,
                redact(str(exc)),
                delay,
            )
        await asyncio.sleep(delay)
        delay = min(delay * 2, longest)


def _poll_failed(error: TelegramError) -> None:
    """One line per failed getUpdates (PTB retries it by itself)."""
    log.warning(
        "Telegram polling failed (%s: %s); retrying", type(error).__name__, redact(str(error))
    )


def _receiving(app: TelegramApp) -> bool:
    """Whether updates can still arrive: the updater runs and (when polling) its polling task
    is alive. PTB ends that task for good on a refused token; the supervisor then restarts."""
    updater = app.updater
    if updater is None or not updater.running:
        return False
    task = getattr(updater, "_Updater__polling_task", None)  # PTB 22's private polling task
    return not (isinstance(task, asyncio.Task) and task.done())


async def _take_down(app: TelegramApp) -> None:
    """Stop what runs, in reverse order (keeping the Application initialised for the alerts)."""
    with contextlib.suppress(Exception):
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
    with contextlib.suppress(Exception):
        if app.running:
            await app.stop()


async def _fresh_updater(app: TelegramApp) -> None:
    """A new Updater for the Application: one whose polling loop ended keeps state that
    would end the next loop at once."""
    updater = Updater(bot=app.bot, update_queue=app.update_queue)
    await updater.initialize()
    app.updater = updater


async def stop_bot(handle: BotHandle | None) -> None:
    """Stop the supervisor, then the updater and the Application; the transport shuts the
    Application down when it closes."""
    if handle is None:
        return
    if handle.task is not None and not handle.task.done():
        handle.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await handle.task
    await _take_down(handle.app)
    handle.running.clear()
