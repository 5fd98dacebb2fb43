"""The market line of an alert, read from the stored bars: "PS main +4.2%, SI main +2.1%"
(the minute bars during a session, the daily bars otherwise)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from psycopg import AsyncConnection

from core.tz import BEIJING
from db import quotes
from db.outbox import enqueue_updates
from detection.contracts import book
from market.calendar import Calendar
from market.moves import Move, move_at_alert
from market.sina import SESSION_CLOSE

MAX_CONTRACTS = 3  # an alert names at most this many contracts


def when(move: Move, at: datetime) -> str:
    """What a move is measured at, as the alert says it."""
    day = at.astimezone(BEIJING).date()
    if move.at is not None:  # the price of a minute of the session
        minute = move.at.astimezone(BEIJING)
        shown = f"{minute:%H:%M}" if minute.date() == day else f"{minute:%m-%d %H:%M}"
        return f"at {shown}, vs previous close"
    if not move.final:
        return "today so far, vs previous close"
    if move.until == day:
        return f"today, close {move.until:%m-%d}, vs previous close"
    last = move.until
    return f"last session {last:%m-%d}, vs previous close" if last else "vs previous close"


def describe(moves: Sequence[Move], at: datetime) -> str | None:
    """One line for the alert; None when no contract has data. One note in brackets when the
    moves share it (the usual case), else one per contract."""
    known = [m for m in moves if m.change is not None]
    if not known:
        return None
    notes = [when(m, at) for m in known]
    if len(set(notes)) == 1:
        return ", ".join(m.text() for m in known) + f" ({notes[0]})"
    return ", ".join(f"{m.text()} ({note})" for m, note in zip(known, notes, strict=True))


async def market_line(
    conn: AsyncConnection, sectors: Sequence[str], at: datetime | None = None
) -> str | None:
    """The move since the previous close of the sectors' main contracts, as known at `at`."""
    moment = at or datetime.now(BEIJING)
    contracts = book().for_sectors(list(sectors))[:MAX_CONTRACTS]
    if not contracts:
        return None
    since = moment.astimezone(BEIJING).date() - timedelta(days=20)
    today = moment.astimezone(BEIJING).date()
    calendar = Calendar(await quotes.trading_days(conn, since, today))
    moves = []
    for contract in contracts:
        bars = await quotes.bars(conn, contract.main, since=since)
        minute = await quotes.minute_at(conn, contract.main, moment)
        moves.append(move_at_alert(contract.main, contract.label(), bars, moment, minute, calendar))
    return describe(moves, moment)


async def arm_close_edits(conn: AsyncConnection, at: datetime | None = None) -> int:
    """After a session's close is stored: re-arm the update of every event alerted since the
    previous session closed (during the session, the evening and night before it, a weekend
    or holiday) that has contracts, so its alert message is edited to show this session's
    close (never a new message)."""
    moment = (at or datetime.now(BEIJING)).astimezone(BEIJING)
    previous = Calendar().previous_days(moment.date(), 1)[0]
    since = datetime.combine(previous, SESSION_CLOSE, BEIJING)
    armed = 0
    for event_id, sectors in await quotes.alerted_between(conn, since, moment):
        if book().for_sectors(sectors):
            armed += await enqueue_updates(conn, event_id)
    return armed
