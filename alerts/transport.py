"""Where alerts go: Telegram through python-telegram-bot, or the console without a token.

A transport turns Telegram's answers into three outcomes the sender understands:
sent (with the message id), retry later (with a delay), or failed for good (with a reason).
"""

from __future__ import annotations

import logging
import sys
import warnings
from dataclasses import dataclass
from typing import Protocol, TextIO

log = logging.getLogger(__name__)

CONSOLE_CHAT = 0


@dataclass(frozen=True)
class SendResult:
    ok: bool
    message_id: int | None = None
    retry_after: float | None = None  # set: try again after this many seconds
    error: str | None = None


class Transport(Protocol):
    async def send(self, chat_id: int, html_text: str, plain_text: str) -> SendResult: ...

    async def close(self) -> None: ...


class ConsoleTransport:
    """Prints alerts to stdout: capwatch works (and can be tried) before a bot exists."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.count = 0

    async def send(self, chat_id: int, html_text: str, plain_text: str) -> SendResult:
        self.count += 1
        print(f"\n===== capwatch alert =====\n{plain_text}\n", file=self.stream, flush=True)
        return SendResult(ok=True, message_id=self.count)

    async def close(self) -> None:
        return None


def retry_seconds(exc: Exception) -> float:
    """RetryAfter's delay in seconds (PTB 22 warns that it will become a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        delay = exc.retry_after  # type: ignore[attr-defined]
    return delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay)


class TelegramTransport:
    """Sends through python-telegram-bot's Bot against TELEGRAM_API_BASE_URL."""

    def __init__(self, token: str, base_url: str) -> None:
        from telegram import Bot
        from telegram.request import HTTPXRequest

        self.bot = Bot(
            token, base_url=base_url, request=HTTPXRequest(connect_timeout=10, read_timeout=20)
        )
        self._ready = False

    async def _ensure_ready(self) -> None:
        if not self._ready:
            await self.bot.initialize()
            self._ready = True

    async def send(self, chat_id: int, html_text: str, plain_text: str) -> SendResult:
        from telegram import LinkPreviewOptions
        from telegram.constants import ParseMode
        from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

        try:
            await self._ensure_ready()
            message = await self.bot.send_message(
                chat_id,
                html_text,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=False),
            )
            return SendResult(ok=True, message_id=message.message_id)
        except RetryAfter as exc:
            return SendResult(
                ok=False, retry_after=retry_seconds(exc), error=f"flood control: {exc}"
            )
        except Forbidden as exc:
            return SendResult(ok=False, error=f"forbidden: {exc}")
        except BadRequest as exc:
            if "parse" in str(exc).lower():
                return await self._send_plain(chat_id, plain_text, str(exc))
            return SendResult(ok=False, error=f"bad request: {exc}")
        except (TimedOut, NetworkError) as exc:
            return SendResult(ok=False, retry_after=5.0, error=f"network: {exc}")

    async def _send_plain(self, chat_id: int, plain_text: str, why: str) -> SendResult:
        from telegram.error import TelegramError

        log.warning("chat %s: HTML refused (%s); sending as plain text", chat_id, why)
        try:
            message = await self.bot.send_message(chat_id, plain_text)
        except TelegramError as exc:
            return SendResult(ok=False, retry_after=30.0, error=f"plain resend failed: {exc}")
        return SendResult(ok=True, message_id=message.message_id)

    async def close(self) -> None:
        if self._ready:
            await self.bot.shutdown()
