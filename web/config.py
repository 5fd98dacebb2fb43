"""What the console needs to run, as plain values (built from Settings by the caller)."""

from __future__ import annotations

from dataclasses import dataclass, field

from capwatch.settings import Settings
from crawlers.sources import SourceConfig

DEFAULT_PORT = 8090


@dataclass(frozen=True)
class WebConfig:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    token: str | None = None  # operator's secret for writes (verdicts); None: read-only console
    failures_threshold: int = 3  # as CAPWATCH_HEALTH_FAILURES, for the Sources page
    sources: dict[str, SourceConfig] = field(default_factory=dict)
    secure_cookies: bool = False  # set the Secure flag (behind an HTTPS proxy)

    @property
    def writable(self) -> bool:
        return bool(self.token)


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
