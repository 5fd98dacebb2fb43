"""What the Telegram parts are configured with: plain values, built from the settings in
capwatch/telegram_setup.py (alerts/ never reads the Settings object)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from alerts.ratelimit import SendLimits
from db.outbox import DEFAULT_DIGEST_TIME


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


@dataclass(frozen=True)
class WebhookConfig:
    """Updates pushed by Telegram to `url` (the public HTTPS address of a reverse proxy) that
    forwards to `listen:port` path /telegram; `secret` proves a request comes from Telegram."""

    url: str
    secret: str
    listen: str = "127.0.0.1"
    port: int = 8443


@dataclass(frozen=True)
class BotConfig:
    """Who may use the bot and how it receives updates (plain values from the settings)."""

    admin_chat_ids: frozenset[int] = frozenset()
    alert_chat_ids: frozenset[int] = frozenset()
    allowed_chat_ids: frozenset[int] = frozenset()  # empty: every chat may use the bot
    digest_time: time = DEFAULT_DIGEST_TIME
    webhook: WebhookConfig | None = None  # None: long polling
    retry_max_seconds: float = 60.0  # longest wait between two start-up attempts

    def is_admin(self, chat_id: int) -> bool:
        return chat_id in self.admin_chat_ids

    def is_allowed(self, chat_id: int) -> bool:
        if not self.allowed_chat_ids:
            return True
        return chat_id in self.allowed_chat_ids | self.admin_chat_ids | self.alert_chat_ids
