"""The bot's life against the fake Bot API: transient errors at start-up, a polling loop that
ends, failed polls in the log, and webhook mode (extra, secret, loopback)."""

import asyncio
import json
import logging
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from psycopg_pool import AsyncConnectionPool

from alerts.bot import BotHandle, BotSetupError, check_webhook, start_bot, stop_bot
from alerts.config import BotConfig, TelegramConfig, WebhookConfig
from alerts.transport import TelegramTransport
from tests.alerts.helpers import FAST, TOKEN
from tests.alerts.test_bot import answer

pytestmark = pytest.mark.integration
CHAT = 601
QUICK = BotConfig(retry_max_seconds=0.2)  # start-up retries every 0.2 s at most


@asynccontextmanager
async def running_bot(
    database_url: str, server_url: str, config: BotConfig = QUICK, wait: bool = True
) -> AsyncIterator[BotHandle]:
    transport = TelegramTransport(TelegramConfig(TOKEN, f"{server_url}/bot", FAST, timeout=2.0))
    async with AsyncConnectionPool(database_url, open=False) as pool:
        handle = await start_bot(config, pool, transport)
        try:
            if wait:
                await asyncio.wait_for(handle.running.wait(), 15)
            yield handle
        finally:
            await stop_bot(handle)
            await transport.close()


async def test_a_502_or_timeout_on_any_start_up_step_is_retried(database_url, bot_api):
    api, server = bot_api
    api.fail_next("getMe", 502, "Bad Gateway")
    api.fail_next("getMe", 200, "slow", delay=2.5)  # longer than the 2 s timeout
    api.fail_next("setMyCommands", 502, "Bad Gateway", times=2)
    api.fail_next("deleteWebhook", 502, "Bad Gateway", times=2)
    async with running_bot(database_url, server.url) as handle:
        [help_text] = await answer(api, CHAT, "/help")
        assert "/subscribe" in help_text
        assert handle.starts == 1
    failed = [c.method for c in api.calls if c.method.endswith("!failed")]
    assert failed.count("deleteWebhook!failed") == 2 and failed.count("getMe!failed") == 1
    assert [c.method for c in api.calls].count("setMyCommands") == 1  # commands set, in the end


def ours(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    """The bot's and python-telegram-bot's records (not the fake server's)."""
    return [r for r in records if r.name.startswith(("alerts", "telegram"))]


async def test_polling_that_ends_is_restarted_with_one_log_line(database_url, bot_api, caplog):
    api, server = bot_api
    async with running_bot(database_url, server.url) as handle:
        caplog.clear()
        caplog.set_level(logging.INFO)
        api.fail_next("getUpdates", 401, "Unauthorized")  # PTB ends its polling loop for good
        deadline = time.monotonic() + 15
        while handle.starts < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert handle.starts == 2
        [help_text] = await answer(api, CHAT, "/start")
        assert "/subscribe" in help_text
    stopped = [r for r in ours(caplog.records) if "stopped arriving" in r.getMessage()]
    assert len(stopped) == 1
    assert not [r for r in ours(caplog.records) if r.exc_info or r.exc_text]


async def test_a_failed_poll_is_one_log_line_not_a_traceback(database_url, bot_api, caplog):
    api, server = bot_api
    async with running_bot(database_url, server.url):
        await answer(api, CHAT, "/help")  # polling runs
        caplog.clear()
        caplog.set_level(logging.DEBUG, logger="alerts")
        api.fail_next("getUpdates", 502, "Bad Gateway", times=3)
        deadline = time.monotonic() + 30
        while len(api.sent("getUpdates!failed")) < 3 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        [help_text] = await answer(api, CHAT, "/help")  # polling goes on after the errors
        assert "/subscribe" in help_text
    loud = [r for r in ours(caplog.records) if r.levelno >= logging.WARNING]
    assert len(loud) == 3, [r.getMessage() for r in loud]
    assert all("Bad Gateway" in r.getMessage() and "\n" not in r.getMessage() for r in loud)
    assert not [r for r in ours(caplog.records) if r.exc_info or r.exc_text]


async def test_unknown_commands_get_an_answer_and_other_bots_commands_do_not(database_url, bot_api):
    api, server = bot_api
    async with running_bot(database_url, server.url):
        [unknown] = await answer(api, CHAT, "/frobnicate now")
        assert "Unknown command" in unknown and "/frobnicate" in unknown and "/help" in unknown
        api.push_command(-100, "/stats@other_bot", "supergroup")
        [mine] = await answer(api, -100, "/nosuch@capwatch_test_bot")
        assert "/nosuch" in mine  # addressed to us: answered; the other bot's: not
        assert len(api.texts(-100)) == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_listens_on_loopback_and_requires_the_secret(database_url, bot_api):
    api, server = bot_api
    port = free_port()
    hook = WebhookConfig("https://capwatch.example/telegram", "s3cret-Token_1", port=port)
    async with running_bot(database_url, server.url, BotConfig(webhook=hook)):
        [set_hook] = api.sent("setWebhook")
        assert set_hook.params["url"] == hook.url
        assert set_hook.params["secret_token"] == hook.secret
        update = {
            "update_id": 1,
            "message": {
                "message_id": 5,
                "date": int(time.time()),
                "chat": {"id": CHAT, "type": "private", "first_name": "A"},
                "from": {"id": CHAT, "is_bot": False, "first_name": "A"},
                "text": "/help",
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        }
        url = f"http://127.0.0.1:{port}/telegram"
        async with httpx.AsyncClient() as client:
            refused = await client.post(url, content=json.dumps(update))
            assert refused.status_code == 403  # no secret: not Telegram
            accepted = await client.post(
                url,
                content=json.dumps(update),
                headers={
                    "X-Telegram-Bot-Api-Secret-Token": hook.secret,
                    "Content-Type": "application/json",
                },
            )
            assert accepted.status_code == 200
        deadline = time.monotonic() + 10
        while not api.texts(CHAT) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert "/subscribe" in api.texts(CHAT)[0]


def test_webhook_needs_a_secret_and_the_extra():
    assert WebhookConfig("https://x.example/telegram", "s").listen == "127.0.0.1"
    with pytest.raises(BotSetupError, match="TELEGRAM_WEBHOOK_SECRET"):
        check_webhook(WebhookConfig("https://x.example/telegram", ""))
    with pytest.raises(BotSetupError, match="only 1-256 characters"):
        check_webhook(WebhookConfig("https://x.example/telegram", "has space:and colon"))
    check_webhook(WebhookConfig("https://x.example/telegram", "s"))  # installed here: fine


def test_run_with_a_webhook_but_without_the_extra_stops_at_once_with_the_reason(tmp_path):
    """The webhook server's package (tornado) made unimportable, as in an install without the
    extra: `capwatch run` fails before it starts anything, saying what to install."""
    code = (
        "import sys; sys.modules['tornado'] = None\n"
        "from capwatch.cli import main\n"
        "sys.argv = ['capwatch', 'run']\n"
        "main()\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",
        "TELEGRAM_WEBHOOK_URL": "https://capwatch.example/telegram",
        "TELEGRAM_WEBHOOK_SECRET": "s3cret",
        "CAPWATCH_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "capwatch[webhooks]" in done.stderr
    assert not (tmp_path / "pgdata").exists()  # stopped before the database was started


async def test_the_bot_starts_again_after_a_stop_on_the_same_application(database_url, bot_api):
    """A standby that takes the scheduler over again restarts the bot on the same transport."""
    api, server = bot_api
    transport = TelegramTransport(TelegramConfig(TOKEN, f"{server.url}/bot", FAST, timeout=2.0))
    async with AsyncConnectionPool(database_url, open=False) as pool:
        for _ in range(2):
            handle = await start_bot(QUICK, pool, transport)
            await asyncio.wait_for(handle.running.wait(), 15)
            [help_text] = await answer(api, CHAT, "/help")
            assert "/subscribe" in help_text
            await stop_bot(handle)
        await transport.close()
    assert len(transport.app.handlers[-1]) == 1  # one gate, not one per start


async def test_replies_take_the_alerts_path_flood_control_waited_out_html_refused_sent_plain(
    database_url, bot_api
):
    """A command reply hit by a 429 is sent once the chat's pause is over (not dropped), one
    whose HTML Telegram refuses is sent as plain text, and replies count against the same
    limiter as alerts."""
    api, server = bot_api
    async with running_bot(database_url, server.url) as handle:
        transport = handle.app.bot_data["capwatch"].transport
        transport.limiter.record()
        api.fail_next("sendMessage", 429, "Too Many Requests", retry_after=1, chat_id=CHAT)
        started = time.monotonic()
        [help_text] = await answer(api, CHAT, "/help")
        assert "/subscribe" in help_text and time.monotonic() - started >= 0.9
        api.fail_next(
            "sendMessage",
            400,
            "Bad Request: can't parse entities: unsupported start tag",
            chat_id=CHAT,
        )
        [plain] = await answer(api, CHAT, "/help")
        assert "/subscribe" in plain and "<b>" not in plain
        [call] = [c for c in api.sent() if c.params["text"] == plain]
        assert "parse_mode" not in call.params
        grants = [at for at, chat in transport.limiter.history if chat == CHAT]
        assert len(grants) == 4  # every attempt, refused ones included, went through it
