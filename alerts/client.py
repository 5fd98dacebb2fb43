"""The one python-telegram-bot `Application` of a capwatch process.

Everything that talks to Telegram uses its bot: the outbox (alerts, edits, digests, admin
reports) through `TelegramTransport`, and the command handlers (alerts/bot.py) that reply
through the same transport. Its rate limiter (`ChatRateLimiter`) therefore sees every message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, ContextTypes, ExtBot
from telegram.request import HTTPXRequest

from alerts.ratelimit import ChatRateLimiter, Limiter, SendLimits

# the Application as built here: default context, no PTB job queue (APScheduler runs capwatch)
TelegramApp = Application[
    ExtBot[None], ContextTypes.DEFAULT_TYPE, dict[Any, Any], dict[Any, Any], dict[Any, Any], None
]

LONG_POLL_SECONDS = 20  # how long Telegram holds a getUpdates call open when nothing happens


@dataclass(frozen=True)
class TelegramConfig:
    """How to reach the Bot API (plain values: the settings are read in capwatch/).

    `timeout` bounds every call except sends; `send_timeout` bounds sendMessage and edits and
    is longer on purpose: a send that times out may still have been delivered, and is sent
    again, so the longer the wait the rarer the duplicate."""

    token: str
    api_base: str  # in PTB's form, ending in /bot (e.g. https://api.telegram.org/bot)
    limits: SendLimits = field(default_factory=SendLimits)
    timeout: float = 20.0
    send_timeout: float = 60.0
    connect_timeout: float = 10.0


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
