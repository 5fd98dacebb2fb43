"""Redaction of secrets in text that may reach a log, a console or the database.

A Telegram bot token in a log is a leaked token, so every log handler and every stored error
text goes through `redact`. Tokens are recognised by shape; secrets whose shape is not known
(a short token, a database password) are registered by value with `register_secret`.
"""

from __future__ import annotations

import re

# `<digits>:<secret>` also inside /bot<token>/ URLs, where the colon may be percent-encoded
_TOKEN = re.compile(r"(?<!\d)\d{5,}(?::|%3A)[A-Za-z0-9_-]{30,}")
_SECRETS: set[str] = set()
REDACTED = "[REDACTED-TOKEN]"


def register_secret(value: str | None) -> None:
    """Redact this exact value from now on, whatever its shape (ignored when blank)."""
    if value and value.strip():
        _SECRETS.add(value)


def redact(text: str) -> str:
    """`text` with every token-shaped string and every registered secret replaced."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return _TOKEN.sub(REDACTED, text)
