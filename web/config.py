"""What the console needs to run, as plain values (built from Settings by the caller)."""

from __future__ import annotations

from dataclasses import dataclass, field

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
