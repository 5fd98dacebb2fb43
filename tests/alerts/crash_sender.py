"""Run the outbox sender in a child process (so a test can SIGKILL it mid-batch).

python -m tests.alerts.crash_sender DSN BOT_BASE_URL
"""

import asyncio
import sys

from psycopg_pool import AsyncConnectionPool

from alerts.config import TelegramConfig
from alerts.ratelimit import SendLimits
from alerts.sender import OutboxSender
from alerts.transport import TelegramTransport
from tests.alerts.helpers import TOKEN


async def main(dsn: str, base: str) -> None:
    limits = SendLimits(per_chat_interval=0.01, global_per_second=1000)
    async with AsyncConnectionPool(dsn, open=False) as pool:
        sender = OutboxSender(pool, TelegramTransport(TelegramConfig(TOKEN, base, limits)))
        await sender.recover()
        await sender.drain()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
