"""The Telegram parts' configuration from the settings (alerts/ takes plain values only)."""

from __future__ import annotations

from alerts.config import BotConfig, TelegramConfig, WebhookConfig
from alerts.ratelimit import SendLimits
from capwatch.settings import Settings


def telegram_config(settings: Settings) -> TelegramConfig:
    assert settings.bot_token, "only called with TELEGRAM_BOT_TOKEN set"
    return TelegramConfig(
        token=settings.bot_token,
        api_base=settings.bot_api_base,
        limits=SendLimits(
            per_chat_interval=settings.telegram_chat_interval,
            group_per_window=settings.telegram_group_per_minute,
            global_per_second=settings.telegram_global_per_second,
        ),
        timeout=settings.telegram_timeout_seconds,
        send_timeout=max(settings.telegram_send_timeout_seconds, settings.telegram_timeout_seconds),
    )


def bot_config(settings: Settings) -> BotConfig:
    webhook = None
    if settings.telegram_webhook_url:
        secret = settings.telegram_webhook_secret
        webhook = WebhookConfig(
            url=settings.telegram_webhook_url,
            secret=secret.get_secret_value() if secret else "",
            listen=settings.telegram_webhook_listen,
            port=settings.telegram_webhook_port,
        )
    return BotConfig(
        admin_chat_ids=frozenset(settings.telegram_admin_chat_ids),
        alert_chat_ids=frozenset(settings.telegram_alert_chat_ids),
        allowed_chat_ids=frozenset(settings.telegram_allowed_chat_ids),
        digest_time=settings.digest_time,
        webhook=webhook,
    )
