"""Futures quotes: the daily and minute bars market/ fetches, and the reads that moves and
studies need."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from psycopg import AsyncConnection

from db.models import MinuteBar, QuoteBar


async def upsert_bars(conn: AsyncConnection, bars: Iterable[QuoteBar]) -> int:
    """Insert or replace bars (a later fetch of a day wins); returns how many were written."""
    rows = [
        (b.symbol, b.day, b.open, b.high, b.low, b.close, b.settle, b.volume, b.open_interest,
         b.final)
        for b in bars
    ]  # fmt: skip
    if not rows:
        return 0
    async with conn.cursor() as cur:
        await cur.executemany(
            """
            INSERT INTO quote_bars
                (symbol, day, open, high, low, close, settle, volume, open_interest, final)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (symbol, day) DO UPDATE SET
                open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low,
                close = EXCLUDED.close, settle = EXCLUDED.settle, volume = EXCLUDED.volume,
                open_interest = EXCLUDED.open_interest, final = EXCLUDED.final,
                fetched_at = now()
            WHERE NOT quote_bars.final OR EXCLUDED.final
            """,
            rows,
        )
    return len(rows)


async def bars(
    conn: AsyncConnection, symbol: str, since: date | None = None, until: date | None = None
) -> list[QuoteBar]:
    """A symbol's bars, oldest first, within [since, until] when given."""
    cur = await conn.execute(
        """
        SELECT symbol, day, open::float8, high::float8, low::float8, close::float8,
               settle::float8, volume, open_interest, final
        FROM quote_bars
        WHERE symbol = %s AND (%s::date IS NULL OR day >= %s) AND (%s::date IS NULL OR day <= %s)
        ORDER BY day
        """,
        (symbol, since, since, until, until),
    )
    return [QuoteBar(*row) for row in await cur.fetchall()]


async def latest_days(conn: AsyncConnection) -> list[tuple[str, date, int]]:
    """Per symbol: the newest day stored and how many bars (for `capwatch quotes list`)."""
    cur = await conn.execute(
        "SELECT symbol, max(day), count(*) FROM quote_bars GROUP BY symbol ORDER BY symbol"
    )
    return [(str(s), d, int(n)) for s, d, n in await cur.fetchall()]


async def trading_days(conn: AsyncConnection, since: date, until: date) -> list[date]:
    """The days any stored series traded in [since, until]: the observed calendar."""
    cur = await conn.execute(
        "SELECT DISTINCT day FROM quote_bars WHERE day BETWEEN %s AND %s ORDER BY day",
        (since, until),
    )
    return [row[0] for row in await cur.fetchall()]


async def alerted_between(
    conn: AsyncConnection, start: datetime, end: datetime
) -> list[tuple[str, list[str]]]:
    """Events whose first alert went out in [start, end), with their sectors: the alerts a
    session's close edit updates (those sent since the previous session closed)."""
    cur = await conn.execute(
        """
        SELECT DISTINCT e.id, e.sectors FROM outbox o JOIN events e ON e.id = o.event_id
        WHERE o.kind = 'alert' AND o.status = 'sent' AND o.chat_id <> 0
          AND o.sent_at >= %s AND o.sent_at < %s
        ORDER BY e.id
        """,
        (start, end),
    )
    return [(str(event_id), list(sectors)) for event_id, sectors in await cur.fetchall()]


async def study_events(
    conn: AsyncConnection, sector: str | None, action: str | None
) -> list[tuple[str, list[str], list[str], datetime]]:
    """Events (id, sectors acted on, actions, first report time) for an event study."""
    cur = await conn.execute(
        """
        SELECT id, sectors, actions, first_seen_at FROM events
        WHERE report_count > 0 AND sectors <> '{}'
          AND (%s::text IS NULL OR %s = ANY(sectors))
          AND (%s::text IS NULL OR %s = ANY(actions))
        ORDER BY first_seen_at
        """,
        (sector, sector, action, action),
    )
    return [(str(i), list(s), list(a), t) for i, s, a, t in await cur.fetchall()]


async def upsert_minutes(conn: AsyncConnection, minutes: Iterable[MinuteBar]) -> int:
    """Insert or replace minute bars (a later fetch of a minute wins: the newest minute of a
    response may still have been forming); returns how many were written."""
    rows = [
        (m.symbol, m.at, m.open, m.high, m.low, m.close, m.volume, m.open_interest) for m in minutes
    ]
    if not rows:
        return 0
    async with conn.cursor() as cur:
        await cur.executemany(
            """
            INSERT INTO quote_minutes
                (symbol, at, open, high, low, close, volume, open_interest)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (symbol, at) DO UPDATE SET
                open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low,
                close = EXCLUDED.close, volume = EXCLUDED.volume,
                open_interest = EXCLUDED.open_interest, fetched_at = now()
            """,
            rows,
        )
    return len(rows)


_MINUTE_COLUMNS = (
    "symbol, at, open::float8, high::float8, low::float8, close::float8, volume, open_interest"
)


async def newest_minute(conn: AsyncConnection, symbol: str) -> datetime | None:
    """The newest stored minute of a series (a fetch writes only from there on)."""
    cur = await conn.execute("SELECT max(at) FROM quote_minutes WHERE symbol = %s", (symbol,))
    row = await cur.fetchone()
    return row[0] if row else None


async def minute_at(conn: AsyncConnection, symbol: str, at: datetime) -> MinuteBar | None:
    """The series' minute bar at or just before `at`: the price known at that moment."""
    cur = await conn.execute(
        f"SELECT {_MINUTE_COLUMNS} FROM quote_minutes WHERE symbol = %s AND at <= %s"
        " ORDER BY at DESC LIMIT 1",
        (symbol, at),
    )
    row = await cur.fetchone()
    return MinuteBar(*row) if row else None


async def minutes(
    conn: AsyncConnection, symbol: str, since: datetime | None = None
) -> list[MinuteBar]:
    """A series' minute bars, oldest first, from `since` when given."""
    cur = await conn.execute(
        f"SELECT {_MINUTE_COLUMNS} FROM quote_minutes"
        " WHERE symbol = %s AND (%s::timestamptz IS NULL OR at >= %s) ORDER BY at",
        (symbol, since, since),
    )
    return [MinuteBar(*row) for row in await cur.fetchall()]


async def prune_minutes(conn: AsyncConnection, before: datetime) -> int:
    """Drop minute bars older than `before` (the retention); returns how many went."""
    cur = await conn.execute("DELETE FROM quote_minutes WHERE at < %s", (before,))
    return cur.rowcount


async def minute_counts(conn: AsyncConnection) -> dict[str, tuple[datetime, int]]:
    """Per symbol: the newest minute stored and how many (for `capwatch quotes list`)."""
    cur = await conn.execute(
        "SELECT symbol, max(at), count(*) FROM quote_minutes GROUP BY symbol ORDER BY symbol"
    )
    return {str(s): (at, int(n)) for s, at, n in await cur.fetchall()}
