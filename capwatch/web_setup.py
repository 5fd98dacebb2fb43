"""The web console's plain configuration, built from the Settings model (web/ takes plain
values, like alerts/ with capwatch/telegram_setup.py)."""

from __future__ import annotations

from capwatch.settings import Settings
from crawlers.sources import SourceConfig
from web.config import DEFAULT_PORT, WebConfig


def web_config(
    settings: Settings,
    sources: dict[str, SourceConfig],
    host: str | None = None,
    port: int | None = None,
) -> WebConfig:
    """The console's configuration from the Settings model (CAPWATCH_WEB_*); `host`/`port`
    (command-line options) win."""
    if port is None:
        port = settings.web_port if settings.web_port is not None else DEFAULT_PORT
    return WebConfig(
        host=host or settings.web_host,
        port=port,
        token=settings.web_token.get_secret_value() if settings.web_token else None,
        failures_threshold=settings.health_failures,
        sources=sources,
        secure_cookies=settings.web_secure_cookies,
    )
