"""Where messages go: Telegram through python-telegram-bot, or the console without a token.

A transport sends ONE message (one part) under the rate limits and turns Telegram's answer into
a `SendResult` the sender can act on: sent, retry later, flood control for the chat, chat gone,
chat migrated, or failed for good. Error texts are redacted (no token can leak through them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TextIO
from urllib.parse import quote

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot

from alerts.client import build_application
from alerts.config import TelegramConfig
from alerts.ratelimit import Limiter, SendLimits, retry_seconds
from alerts.render import to_plain
from core.redact import redact, register_secret

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
    markup: InlineKeyboardMarkup | None = None  # buttons under the message

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
        markup: InlineKeyboardMarkup | None = None,
    ) -> SendResult:
        message = Outgoing(chat_id, html_text, plain_text, reply_to, silent, preview, markup)
        return await self._deliver(message)

    async def _deliver(self, message: Outgoing) -> SendResult:
        raise NotImplementedError

    async def edit(
        self,
        chat_id: int,
        message_id: int,
        html_text: str,
        *,
        preview: bool | str = True,
        markup: InlineKeyboardMarkup | None = None,
    ) -> SendResult:
        raise NotImplementedError

    async def edit_buttons(
        self, chat_id: int, message_id: int, markup: InlineKeyboardMarkup | None
    ) -> SendResult:
        """Replace the inline buttons under a sent message (its text stays)."""
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
        self,
        chat_id: int,
        message_id: int,
        html_text: str,
        *,
        preview: bool | str = True,
        markup: InlineKeyboardMarkup | None = None,
    ) -> SendResult:
        print(
            f"\n===== capwatch update of #{message_id} =====\n{to_plain(html_text)}\n",
            file=self.stream,
            flush=True,
        )
        return SendResult(ok=True, message_id=message_id)

    async def edit_buttons(
        self, chat_id: int, message_id: int, markup: InlineKeyboardMarkup | None
    ) -> SendResult:
        return SendResult(ok=True, message_id=message_id)  # the console shows no buttons


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
    """The one path to Telegram: every message and edit capwatch makes (alerts, updates,
    digests, admin reports, command replies) goes through `send`/`edit` here, with the same
    redaction, rate limits (the Application's `ChatRateLimiter`), plain-text fallback when
    Telegram refuses the HTML, and reading of errors into a `SendResult`."""

    def __init__(self, config: TelegramConfig) -> None:
        # redacted by value wherever it would appear (logs, stored errors, messages), also
        # when it has no token's usual shape; in a URL the colon may be percent-encoded
        register_secret(config.token)
        register_secret(quote(config.token, safe=""))
        self.config = config
        self.app, self.limiter = build_application(config)
        self._ready = False
        self._ready_lock = asyncio.Lock()

    @property
    def bot(self) -> ExtBot[None]:
        return self.app.bot

    async def ensure_ready(self) -> None:
        """Initialise the Application (HTTP clients, getMe) once; raises while Telegram cannot
        be reached, and is tried again at the next call."""
        async with self._ready_lock:
            if not self._ready:
                await self.app.initialize()
                self._ready = True

    async def _deliver(self, message: Outgoing) -> SendResult:
        chat_id, reply_to = message.chat_id, message.reply_to
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        preview = _preview(message.preview)
        wait = self.config.send_timeout  # longer than other calls: a timeout may mean a duplicate

        async def send(text: str, parse_mode: str | None) -> Message:
            return await self.bot.send_message(
                chat_id,
                text,
                parse_mode=parse_mode,
                disable_notification=message.silent,
                link_preview_options=preview,
                reply_parameters=reply,
                reply_markup=message.markup,
                read_timeout=wait,
                write_timeout=wait,
                pool_timeout=wait,
            )

        return await self._call(chat_id, message, send)

    async def edit(
        self,
        chat_id: int,
        message_id: int,
        html_text: str,
        *,
        preview: bool | str = True,
        markup: InlineKeyboardMarkup | None = None,
    ) -> SendResult:
        options = _preview(preview)
        wait = self.config.send_timeout

        async def change(text: str, parse_mode: str | None) -> Message | bool:
            return await self.bot.edit_message_text(
                text,
                chat_id,
                message_id,
                parse_mode=parse_mode,
                link_preview_options=options,
                reply_markup=markup,
                read_timeout=wait,
                write_timeout=wait,
                pool_timeout=wait,
            )

        result = await self._call(chat_id, Outgoing(chat_id, html_text), change)
        if result.ok and result.message_id is None:
            return SendResult(ok=True, message_id=message_id)
        return result

    async def edit_buttons(
        self, chat_id: int, message_id: int, markup: InlineKeyboardMarkup | None
    ) -> SendResult:
        wait = self.config.send_timeout
        try:
            await self.ensure_ready()
            await self.bot.edit_message_reply_markup(
                chat_id,
                message_id,
                reply_markup=markup,
                read_timeout=wait,
                write_timeout=wait,
                pool_timeout=wait,
            )
        except TelegramError as exc:
            return self._outcome(chat_id, exc)
        return SendResult(ok=True, message_id=message_id)

    async def _call(
        self,
        chat_id: int,
        message: Outgoing,
        call: Callable[[str, str | None], Awaitable[Message | bool]],
    ) -> SendResult:
        """HTML first; when Telegram cannot parse it, the same message as plain text."""
        try:
            await self.ensure_ready()
            return _sent(await call(redact(message.html_text), ParseMode.HTML))
        except BadRequest as exc:
            if not _html_refused(exc):
                return self._outcome(chat_id, exc)
            log.warning(
                "chat %s: HTML refused (%s); sending as plain text", chat_id, redact(str(exc))
            )
            try:
                return _sent(await call(redact(message.plain), None))
            except TelegramError as again:
                return self._outcome(chat_id, again)
        except TelegramError as exc:
            return self._outcome(chat_id, exc)

    def _outcome(self, chat_id: int, exc: TelegramError) -> SendResult:
        error = redact(f"{type(exc).__name__}: {exc}")
        if isinstance(exc, RetryAfter):  # the rate limiter has paused this chat already
            return SendResult(
                ok=False,
                retry_after=retry_seconds(exc),
                flood=True,
                error=f"flood control: {error}",
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
        async with self._ready_lock:
            if self._ready:
                await self.app.shutdown()
                self._ready = False
            else:  # Telegram never answered getMe: close the HTTP clients opened meanwhile
                with contextlib.suppress(Exception):
                    await self.bot.shutdown()


def _html_refused(exc: BadRequest) -> bool:
    text = str(exc).lower()
    return any(
        marker in text
        for marker in ("can't parse entities", "can't find end", "unsupported start tag")
    )


def _sent(message: Message | bool) -> SendResult:
    return SendResult(
        ok=True, message_id=message.message_id if isinstance(message, Message) else None
    )


def _preview(preview: bool | str) -> LinkPreviewOptions | None:
    """Link preview: off, on (the first link), or of this URL (the source's page)."""
    if isinstance(preview, str):
        return LinkPreviewOptions(url=preview) if preview.startswith("http") else None
    return LinkPreviewOptions(is_disabled=not preview)
