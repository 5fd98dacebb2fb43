"""The Settings model: the only reader of the environment.

Every user-facing setting lives here, with its environment variable name and default, so the
README, the compose file and the code cannot drift apart (a test checks the compose file).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ChatIds = Annotated[list[int], NoDecode]


def _default_data_dir() -> Path:
    return platformdirs.user_data_path("capwatch")


class Settings(BaseSettings):
    """capwatch configuration, read from environment variables (names below)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    database_url: str | None = Field(None, validation_alias="CAPWATCH_DATABASE_URL")
    data_dir: Path = Field(default_factory=_default_data_dir, validation_alias="CAPWATCH_DATA_DIR")
    sources_file: Path | None = Field(None, validation_alias="CAPWATCH_SOURCES_FILE")
    log_level: str = Field("INFO", validation_alias="CAPWATCH_LOG_LEVEL")
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

    @field_validator("telegram_alert_chat_ids", "telegram_admin_chat_ids", mode="before")
    @classmethod
    def _split_chat_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
