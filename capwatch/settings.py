"""The Settings model: the only reader of the environment.

Every user-facing setting lives here, with its environment variable name and default, so the
README, the compose file and the code cannot drift apart (a test checks the compose file).
"""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Literal

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from core.errors import UserError
from core.redact import register_secret
from db.outbox import DEFAULT_DIGEST_TIME

ChatIds = Annotated[list[int], NoDecode]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
_URL_SCHEMES = ("postgresql://", "postgres://")


def _default_data_dir() -> Path:
    return platformdirs.user_data_path("capwatch")


class Settings(BaseSettings):
    """capwatch configuration, read from environment variables (names below)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    database_url: str | None = Field(
        None,
        validation_alias="CAPWATCH_DATABASE_URL",
        description="PostgreSQL URL (postgresql://user:password@host:port/db); unset: the "
        "embedded server in CAPWATCH_DATA_DIR.",
    )
    db_connect_timeout: int = Field(
        10,
        gt=0,
        validation_alias="CAPWATCH_DB_CONNECT_TIMEOUT",
        description="Seconds to wait for the database to answer a new connection.",
    )
    data_dir: Path = Field(default_factory=_default_data_dir, validation_alias="CAPWATCH_DATA_DIR")
    sources_file: Path | None = Field(None, validation_alias="CAPWATCH_SOURCES_FILE")
    log_level: LogLevel = Field("INFO", validation_alias="CAPWATCH_LOG_LEVEL")
    poll_seconds: float = Field(
        5.0,
        gt=0,
        validation_alias="CAPWATCH_POLL_SECONDS",
        description="Fallback polling period of the detector and sender when no NOTIFY arrives.",
    )
    crawl_timeout_seconds: int = Field(
        300,
        gt=0,
        validation_alias="CAPWATCH_CRAWL_TIMEOUT",
        description="A crawl running longer than this is closed (Scrapy CLOSESPIDER_TIMEOUT).",
    )
    alert_max_age_hours: float = Field(
        72,
        ge=0,
        validation_alias="CAPWATCH_ALERT_MAX_AGE_HOURS",
        description="A new event whose first report is older than this is stored without an "
        "alert (backfills, first crawls of archives). 0 alerts events of any age.",
    )
    # --- the service: executors, scale-out, health (scheduler/) ---
    executor: Literal["inprocess", "subprocess", "scrapyd"] | None = Field(
        None,
        validation_alias="CAPWATCH_EXECUTOR",
        description="How crawls run; unset: scrapyd when CAPWATCH_SCRAPYD_URL is set, else "
        "inprocess. A source's own `executor` field wins.",
    )
    scrapyd_url: str | None = Field(
        None,
        validation_alias="CAPWATCH_SCRAPYD_URL",
        description="Scrapyd node(s), comma-separated, e.g. http://user:pw@crawl1:6800",
    )
    scrapyd_project: str = Field("capwatch", validation_alias="CAPWATCH_SCRAPYD_PROJECT")
    max_concurrent_crawls: int = Field(4, gt=0, validation_alias="CAPWATCH_MAX_CONCURRENT_CRAWLS")
    health_port: int | None = Field(
        None,
        ge=0,
        le=65535,
        validation_alias="CAPWATCH_HEALTH_PORT",
        description="Serve GET /health and /status (JSON) on this port; unset: no endpoint.",
    )
    health_host: str = Field("127.0.0.1", validation_alias="CAPWATCH_HEALTH_HOST")
    health_failures: int = Field(
        3,
        gt=0,
        validation_alias="CAPWATCH_HEALTH_FAILURES",
        description="Consecutive failed crawls after which a source is reported as failing.",
    )
    standby_retry_seconds: float = Field(
        5.0,
        gt=0,
        validation_alias="CAPWATCH_STANDBY_RETRY_SECONDS",
        description="How often a standby `capwatch run` tries to take over the scheduler lock.",
    )
    # --- market context (market/) ---
    quotes_enabled: bool = Field(
        True,
        validation_alias="CAPWATCH_QUOTES",
        description="Fetch the sectors' futures quotes on a schedule (alerts show the move).",
    )
    quotes_interval_minutes: int = Field(
        30,
        gt=0,
        validation_alias="CAPWATCH_QUOTES_INTERVAL_MINUTES",
        description="Minutes between quote fetches during trading hours (a fetch at 15:10 "
        "Beijing stores the close and edits the day's alerts).",
    )
    quotes_intraday: bool = Field(
        True,
        validation_alias="CAPWATCH_QUOTES_INTRADAY",
        description="Also fetch one-minute bars with each quote fetch, so an alert shows the "
        "move at the minute it is sent (else the daily bar's day so far).",
    )
    quotes_minute_days: int = Field(
        10,
        gt=0,
        validation_alias="CAPWATCH_QUOTES_MINUTE_DAYS",
        description="Days of one-minute bars kept (older ones are dropped after each fetch).",
    )
    quotes_base_url: str | None = Field(
        None,
        validation_alias="CAPWATCH_QUOTES_BASE_URL",
        description="Another host for the quote endpoint (a mirror or a local replay); unset: "
        "Sina Finance.",
    )
    # --- the web console (web/) ---
    web_port: int | None = Field(
        None,
        ge=0,
        le=65535,
        validation_alias="CAPWATCH_WEB_PORT",
        description="Serve the web console from `capwatch run` on this port; unset: no console "
        "(`capwatch web` serves it alone, on this port or 8090).",
    )
    web_host: str = Field(
        "127.0.0.1",
        validation_alias="CAPWATCH_WEB_HOST",
        description="The address the web console listens on (loopback unless you put it behind "
        "a proxy).",
    )
    web_token: SecretStr | None = Field(
        None,
        validation_alias="CAPWATCH_WEB_TOKEN",
        description="The operator's secret for writes in the console (analyst verdicts); "
        "unset: the console is read-only.",
    )
    web_secure_cookies: bool = Field(
        False,
        validation_alias="CAPWATCH_WEB_SECURE_COOKIES",
        description="Mark the console's login cookie Secure (when it is served over HTTPS).",
    )

    embedded_check_seconds: float = Field(
        5.0,
        gt=0,
        validation_alias="CAPWATCH_EMBEDDED_CHECK_SECONDS",
        description="How often `capwatch run` checks that its embedded PostgreSQL still runs "
        "(restarted with backoff when it stopped or crashed).",
    )

    telegram_bot_token: SecretStr | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(
        "https://api.telegram.org", validation_alias="TELEGRAM_API_BASE_URL"
    )
    telegram_alert_chat_ids: ChatIds = Field(
        default_factory=list, validation_alias="TELEGRAM_ALERT_CHAT_IDS"
    )
    telegram_admin_chat_ids: ChatIds = Field(
        default_factory=list, validation_alias="TELEGRAM_ADMIN_CHAT_IDS"
    )
    # --- alerts and the bot (alerts/) ---
    telegram_allowed_chat_ids: ChatIds = Field(
        default_factory=list,
        validation_alias="TELEGRAM_ALLOWED_CHAT_IDS",
        description="When set, only these chats (and the alert and admin chats) may use the "
        "bot; other chats are refused politely.",
    )
    telegram_bot_commands: bool = Field(
        True,
        validation_alias="TELEGRAM_BOT_COMMANDS",
        description="Answer bot commands (long polling, or the webhook). Off: alerts only.",
    )
    telegram_webhook_url: str | None = Field(
        None,
        validation_alias="TELEGRAM_WEBHOOK_URL",
        description="Public HTTPS URL (of a reverse proxy) for updates instead of long polling "
        "(needs the capwatch[webhooks] extra and TELEGRAM_WEBHOOK_SECRET).",
    )
    telegram_webhook_listen: str = Field(
        "127.0.0.1",
        validation_alias="TELEGRAM_WEBHOOK_LISTEN",
        description="Address the webhook server listens on, behind the reverse proxy that "
        "terminates HTTPS (0.0.0.0 only in a container whose port is not published).",
    )
    telegram_webhook_port: int = Field(8443, validation_alias="TELEGRAM_WEBHOOK_PORT")
    telegram_webhook_secret: SecretStr | None = Field(
        None, validation_alias="TELEGRAM_WEBHOOK_SECRET"
    )
    telegram_timeout_seconds: float = Field(20.0, gt=0, validation_alias="TELEGRAM_TIMEOUT")
    telegram_send_timeout_seconds: float = Field(
        60.0,
        gt=0,
        validation_alias="TELEGRAM_SEND_TIMEOUT",
        description="Seconds a message send or edit may take. A send that times out may still "
        "have been delivered and is sent again, so this is longer than TELEGRAM_TIMEOUT.",
    )
    telegram_chat_interval: float = Field(1.0, ge=0, validation_alias="TELEGRAM_RATE_CHAT_SECONDS")
    telegram_group_per_minute: int = Field(
        20, gt=0, validation_alias="TELEGRAM_RATE_GROUP_PER_MINUTE"
    )
    telegram_global_per_second: int = Field(
        30, gt=0, validation_alias="TELEGRAM_RATE_GLOBAL_PER_SECOND"
    )
    digest_time: time = Field(
        DEFAULT_DIGEST_TIME,
        validation_alias="CAPWATCH_DIGEST_TIME",
        description="Default time (Beijing, HH:MM) of the daily digest for chats in digest mode.",
    )

    @field_validator(
        "telegram_alert_chat_ids",
        "telegram_admin_chat_ids",
        "telegram_allowed_chat_ids",
        mode="before",
    )
    @classmethod
    def _split_chat_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator(
        "telegram_bot_token",
        "executor",
        "scrapyd_url",
        "health_port",
        "web_port",
        "web_token",
        "quotes_base_url",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        "database_url",
        "sources_file",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """`NAME=` in an env file means unset."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        """A URL must be PostgreSQL's; its password is redacted from every log from now on.
        (The error names the scheme only: the URL holds the password.)"""
        if value is None:
            return None
        if "://" in value:
            if not value.startswith(_URL_SCHEMES):
                scheme = value.split("://", 1)[0][:20]
                raise ValueError(f"the URL scheme {scheme!r} is not postgresql:// (or postgres://)")
            from urllib.parse import urlsplit

            register_secret(urlsplit(value).password)
        return value

    @field_validator("scrapyd_url")
    @classmethod
    def _http_nodes(cls, value: str | None) -> str | None:
        for node in (value or "").split(","):
            if node.strip() and not node.strip().startswith(("http://", "https://")):
                raise ValueError("each Scrapyd node must be an http:// or https:// URL")
        return value

    @property
    def scrapyd_nodes(self) -> list[str]:
        return [u.strip().rstrip("/") for u in (self.scrapyd_url or "").split(",") if u.strip()]

    @property
    def default_executor(self) -> str:
        return self.executor or ("scrapyd" if self.scrapyd_nodes else "inprocess")

    @property
    def alert_max_age(self) -> timedelta | None:
        return timedelta(hours=self.alert_max_age_hours) if self.alert_max_age_hours else None

    @property
    def bot_token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

    @property
    def bot_api_base(self) -> str:
        """Base URL in python-telegram-bot's form (`.../bot`), from the server root users set."""
        base = self.telegram_api_base_url.rstrip("/")
        return base if base.endswith("/bot") else f"{base}/bot"

    @property
    def alert_targets(self) -> list[int]:
        """Chats every alert goes to; chat 0 is the console when no bot token is set."""
        if self.bot_token and self.telegram_alert_chat_ids:
            return list(self.telegram_alert_chat_ids)
        return [0] if not self.bot_token else []


def load_settings() -> Settings:
    """The configuration from the environment; its secrets are redacted from every log.

    A bad value raises a UserError naming each variable and what is wrong, never the value
    itself (it may be a password)."""
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(_describe(error) for error in exc.errors())
        raise UserError(f"bad configuration: {problems}") from None
    except SettingsError as exc:  # a value pydantic-settings could not even decode
        raise UserError(f"bad configuration: {exc}") from None
    register_secret(settings.bot_token)
    if settings.telegram_webhook_secret:
        register_secret(settings.telegram_webhook_secret.get_secret_value())
    return settings


def _describe(error: ErrorDetails) -> str:
    name = ".".join(str(part) for part in error["loc"]) or "settings"
    return f"{name}: {error['msg'].removeprefix('Value error, ')}"
