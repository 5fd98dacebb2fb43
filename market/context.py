"""The market line of an alert, read from the stored bars: "PS main +4.2%, SI main +2.1%"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from psycopg import AsyncConnection

from core.tz import BEIJING
from db import quotes
from db.outbox import enqueue_updates
from detection.contracts import book
from market.moves import Move, move_at_alert

MAX_CONTRACTS = 3  # an alert names at most this many contracts


def describe(moves: Sequence[Move], at: datetime) -> str | None:
    """One line for the alert; None when no contract has data."""
    known = [m for m in moves if m.change is not None]
    if not known:
        return None
    day = at.astimezone(BEIJING).date()
    last = max(m.until for m in known if m.until is not None)
    if any(not m.final for m in known):
        when = "today so far"
    elif last == day:
        when = f"today, close {last:%m-%d}"
    else:
        when = f"last session {last:%m-%d}"
    return ", ".join(m.text() for m in known) + f" ({when}, vs previous close)"


async def market_line(
    conn: AsyncConnection, sectors: Sequence[str], at: datetime | None = None
) -> str | None:
    """The move since the previous close of the sectors' main contracts, as known at `at`."""
    moment = at or datetime.now(BEIJING)
    contracts = book().for_sectors(list(sectors))[:MAX_CONTRACTS]
    if not contracts:
        return None
    since = moment.astimezone(BEIJING).date() - timedelta(days=20)
    moves = []
    for contract in contracts:
        bars = await quotes.bars(conn, contract.main, since=since)
        moves.append(move_at_alert(contract.main, contract.label(), bars, moment))
    return describe(moves, moment)


async def arm_close_edits(conn: AsyncConnection, at: datetime | None = None) -> int:
    """After the day's close is stored: re-arm the update of every event alerted today that
    has contracts, so its alert message is edited to show the close (never a new message)."""
    day = (at or datetime.now(BEIJING)).astimezone(BEIJING).date()
    armed = 0
    for event_id, sectors in await quotes.alerted_on(conn, day):
        if book().for_sectors(sectors):
            armed += await enqueue_updates(conn, event_id)
    return armed
