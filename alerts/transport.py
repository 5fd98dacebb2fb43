"""Where messages go: Telegram through python-telegram-bot, or the console without a token.

A transport sends ONE message (one part) under the rate limits and turns Telegram's answer into
a `SendResult` the sender can act on: sent, retry later, flood control for the chat, chat gone,
chat migrated, or failed for good. Error texts are redacted (no token can leak through them).
"""

from __future__ import annotations

import logging
import sys
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from alerts.ratelimit import Limiter, SendLimits
from alerts.render import to_plain
from capwatch.logs import redact

if TYPE_CHECKING:
    from capwatch.settings import Settings

log = logging.getLogger(__name__)

CONSOLE_CHAT = 0


@dataclass(frozen=True)
class SendResult:
    ok: bool
    message_id: int | None = None
    retry_after: float | None = None  # set: try again after this many seconds
    error: str | None = None
    flood: bool = False  # 429: `retry_after` pauses the whole chat
    gone: bool = False  # blocked, kicked, chat not found: the chat becomes inactive
    migrated_to: int | None = None  # the group became this supergroup
    not_editable: bool = False  # an edit that cannot happen (reply instead)


@dataclass(frozen=True)
class Outgoing:
    """One message part to send: its HTML, and the plain text for when HTML is refused."""

    chat_id: int
    html_text: str
    plain_text: str | None = None
    reply_to: int | None = None
    silent: bool = False
    preview: bool | str = True

    @property
    def plain(self) -> str:
        return self.plain_text if self.plain_text is not None else to_plain(self.html_text)


class Transport:
    """What the sender talks to. `send` is one call for every transport; each transport
    delivers the `Outgoing` message its own way (`_deliver`) and edits sent ones."""

    limiter: Limiter

    async def send(
        self,
        chat_id: int,
        html_text: str,
        plain_text: str | None = None,
        *,
        reply_to: int | None = None,
        silent: bool = False,
        preview: bool | str = True,
    ) -> SendResult:
        message = Outgoing(chat_id, html_text, plain_text, reply_to, silent, preview)
        return await self._deliver(message)

    async def _deliver(self, message: Outgoing) -> SendResult:
        raise NotImplementedError

    async def edit(
        self, chat_id: int, message_id: int, html_text: str, *, preview: bool | str = True
    ) -> SendResult:
        raise NotImplementedError

    async def close(self) -> None:
        return None


class ConsoleTransport(Transport):
    """Prints alerts to stdout: capwatch works (and can be tried) before a bot exists."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.count = 0
        self.limiter = Limiter(SendLimits.unlimited())

    async def _deliver(self, message: Outgoing) -> SendResult:
        self.count += 1
        reply_to = message.reply_to
        title = "capwatch alert" if reply_to is None else f"capwatch (re: #{reply_to})"
        print(f"\n===== {title} =====\n{message.plain}\n", file=self.stream, flush=True)
        return SendResult(ok=True, message_id=self.count)

    async def edit(
        self, chat_id: int, message_id: int, html_text: str, *, preview: bool | str = True
    ) -> SendResult:
        print(
            f"\n===== capwatch update of #{message_id} =====\n{to_plain(html_text)}\n",
            file=self.stream,
            flush=True,
        )
        return SendResult(ok=True, message_id=message_id)


def retry_seconds(exc: Exception) -> float:
    """RetryAfter's delay in seconds (PTB 22 warns that it will become a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        delay = exc.retry_after  # type: ignore[attr-defined]
    return delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay)


_GONE = (
    "chat not found",
    "bot was kicked",
    "bot was blocked",
    "user is deactivated",
    "have no rights to send",
    "not enough rights",
    "need administrator rights",
)
_NOT_EDITABLE = (
    "message to edit not found",
    "message can't be edited",
    "message_id_invalid",
    "there is no text in the message",
)


class TelegramTransport(Transport):
    """Sends through python-telegram-bot's Bot against TELEGRAM_API_BASE_URL."""

    def __init__(
        self,
        token: str,
        base_url: str,
        limits: SendLimits | None = None,
        *,
        read_timeout: float = 20.0,
        connect_timeout: float = 10.0,
    ) -> None:
        from telegram import Bot
        from telegram.request import HTTPXRequest

        request = HTTPXRequest(
            connection_pool_size=16,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            write_timeout=read_timeout,
            pool_timeout=read_timeout,
        )
        self.bot = Bot(token, base_url=base_url, request=request)
        self.limiter = Limiter(limits or SendLimits())
        self._ready = False

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramTransport:
        assert settings.bot_token
        return cls(
            settings.bot_token,
            settings.bot_api_base,
            settings.send_limits,
            read_timeout=settings.telegram_timeout_seconds,
        )

    async def _ensure_ready(self) -> None:
        if not self._ready:
            await self.bot.initialize()
            self._ready = True

    async def _deliver(self, message: Outgoing) -> SendResult:
        from telegram import ReplyParameters
        from telegram.constants import ParseMode

        chat_id, reply_to = message.chat_id, message.reply_to
        options = {
            "disable_notification": message.silent,
            "link_preview_options": _preview(message.preview),
            "reply_parameters": ReplyParameters(reply_to, allow_sending_without_reply=True)
            if reply_to
            else None,
        }

        async def html_call():
            return await self.bot.send_message(
                chat_id, message.html_text, parse_mode=ParseMode.HTML, **options
            )

        async def plain_call():
            return await self.bot.send_message(chat_id, message.plain, **options)

        return await self._call(chat_id, html_call, plain_call)

    async def edit(
        self, chat_id: int, message_id: int, html_text: str, *, preview: bool | str = True
    ) -> SendResult:
        from telegram.constants import ParseMode

        options = _preview(preview)

        async def html_call():
            return await self.bot.edit_message_text(
                html_text,
                chat_id,
                message_id,
                parse_mode=ParseMode.HTML,
                link_preview_options=options,
            )

        async def plain_call():
            return await self.bot.edit_message_text(
                to_plain(html_text), chat_id, message_id, link_preview_options=options
            )

        result = await self._call(chat_id, html_call, plain_call)
        if result.ok and result.message_id is None:
            return SendResult(ok=True, message_id=message_id)
        return result

    async def _call(self, chat_id: int, html_call, plain_call) -> SendResult:
        from telegram.error import BadRequest, TelegramError

        try:
            await self._ensure_ready()
            await self.limiter.acquire(chat_id)
            return _sent(await html_call())
        except BadRequest as exc:
            text = str(exc).lower()
            if (
                "can't parse entities" in text
                or "can't find end" in text
                or "unsupported start tag" in text
            ):
                log.warning(
                    "chat %s: HTML refused (%s); sending as plain text", chat_id, redact(str(exc))
                )
                try:
                    await self.limiter.acquire(chat_id)
                    return _sent(await plain_call())
                except TelegramError as again:
                    return self._outcome(chat_id, again)
            return self._outcome(chat_id, exc)
        except TelegramError as exc:
            return self._outcome(chat_id, exc)

    def _outcome(self, chat_id: int, exc: Exception) -> SendResult:
        from telegram.error import (
            BadRequest,
            ChatMigrated,
            Forbidden,
            InvalidToken,
            NetworkError,
            RetryAfter,
        )

        error = redact(f"{type(exc).__name__}: {exc}")
        if isinstance(exc, RetryAfter):
            delay = retry_seconds(exc)
            self.limiter.pause(chat_id, delay)
            return SendResult(
                ok=False, retry_after=delay, flood=True, error=f"flood control: {error}"
            )
        if isinstance(exc, ChatMigrated):
            return SendResult(ok=False, migrated_to=int(exc.new_chat_id), error=error)
        if isinstance(exc, Forbidden):
            return SendResult(ok=False, gone=True, error=f"forbidden: {error}")
        if isinstance(exc, InvalidToken):  # the bot's configuration, not the chat: retry later
            return SendResult(ok=False, retry_after=300.0, error=f"token refused: {error}")
        if isinstance(exc, BadRequest):
            text = str(exc).lower()
            if "message is not modified" in text:
                return SendResult(ok=True)
            if any(marker in text for marker in _NOT_EDITABLE):
                return SendResult(ok=False, not_editable=True, error=f"bad request: {error}")
            if any(marker in text for marker in _GONE):
                return SendResult(ok=False, gone=True, error=f"bad request: {error}")
            return SendResult(ok=False, error=f"bad request: {error}")
        if isinstance(exc, NetworkError):  # includes timeouts and 5xx answers
            return SendResult(ok=False, retry_after=0.0, error=f"network: {error}")
        return SendResult(ok=False, retry_after=0.0, error=error)

    async def close(self) -> None:
        if self._ready:
            await self.bot.shutdown()
            self._ready = False


def _sent(message) -> SendResult:
    message_id = getattr(message, "message_id", None)
    return SendResult(ok=True, message_id=message_id)


def _preview(preview: bool | str):
    """Link preview: off, on (the first link), or of this URL (the source's page)."""
    from telegram import LinkPreviewOptions

    if isinstance(preview, str):
        return LinkPreviewOptions(url=preview) if preview.startswith("http") else None
    return LinkPreviewOptions(is_disabled=not preview)
