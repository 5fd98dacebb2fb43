"""The one python-telegram-bot `Application` of a capwatch process.

Everything that talks to Telegram uses its bot: the outbox (alerts, edits, digests, admin
reports) through `TelegramTransport`, and the command handlers (alerts/bot.py) that reply
through the same transport. Its rate limiter (`ChatRateLimiter`) therefore sees every message.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, ContextTypes, ExtBot
from telegram.request import HTTPXRequest

from alerts.config import TelegramConfig
from alerts.ratelimit import ChatRateLimiter, Limiter

# the Application as built here: default context, no PTB job queue (APScheduler runs capwatch)
TelegramApp = Application[
    ExtBot[None], ContextTypes.DEFAULT_TYPE, dict[Any, Any], dict[Any, Any], dict[Any, Any], None
]

LONG_POLL_SECONDS = 20  # how long Telegram holds a getUpdates call open when nothing happens


def build_application(config: TelegramConfig) -> tuple[TelegramApp, Limiter]:
    """The Application with capwatch's rate limiter; returns it with the limiter's bookkeeping
    (the sender and tests read it)."""
    limiter = Limiter(config.limits)
    general = HTTPXRequest(
        connection_pool_size=16,
        connect_timeout=config.connect_timeout,
        read_timeout=config.timeout,
        write_timeout=config.timeout,
        pool_timeout=config.send_timeout,
    )
    polling = HTTPXRequest(
        connect_timeout=config.connect_timeout,
        read_timeout=LONG_POLL_SECONDS + config.timeout,
        write_timeout=config.timeout,
        pool_timeout=config.timeout,
    )
    app = (
        Application.builder()
        .token(config.token)
        .base_url(config.api_base)
        .request(general)
        .get_updates_request(polling)
        .rate_limiter(ChatRateLimiter(limiter))
        .job_queue(None)
        .build()
    )
    return app, limiter
