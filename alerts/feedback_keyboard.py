"""The buttons under every alert: useful / not relevant / wrong sector, and the sector picker
that "wrong sector" opens in their place.

Callback data (Telegram allows 64 bytes) carries everything a press needs, so a press is
understood after a restart too: `fb:u:EVENT`, `fb:n:EVENT`, `fb:w:EVENT` (open the picker),
`fbt:MASK:EVENT` (toggle, MASK = the chosen sectors after the press, as a hex bit set over
the lexicon's sector order), `fbd:MASK:EVENT` (done), `fbc:EVENT` (back without a verdict).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from detection.vocabulary import sectors

log = logging.getLogger(__name__)

CALLBACK_LIMIT = 64  # bytes of callback_data Telegram accepts
VerdictCode = Literal["u", "n", "w"]
VERDICT_OF: dict[str, str] = {"u": "useful", "n": "not_relevant", "w": "wrong_sector"}
LABELS: dict[str, str] = {
    "useful": "👍 Useful",
    "not_relevant": "👎 Not relevant",
    "wrong_sector": "🏷 Wrong sector",
}
CODES: dict[str, str] = {verdict: code for code, verdict in VERDICT_OF.items()}
PATTERN = r"^fb[tdc]?:"


@dataclass(frozen=True)
class Press:
    """A decoded press: what was pressed, on which event, with the picker's sectors."""

    kind: Literal["verdict", "pick", "toggle", "done", "cancel"]
    event_id: str
    verdict: str | None = None
    chosen: tuple[str, ...] = ()


def _fits(data: str) -> bool:
    return len(data.encode("utf-8")) <= CALLBACK_LIMIT


def mask_of(chosen: Iterable[str]) -> str:
    order = [t.slug for t in sectors()]
    bits = 0
    for slug in chosen:
        if slug in order:
            bits |= 1 << order.index(slug)
    return format(bits, "x")


def sectors_of(mask: str) -> tuple[str, ...]:
    bits = int(mask, 16)
    return tuple(t.slug for i, t in enumerate(sectors()) if bits >> i & 1)


def verdict_keyboard(event_id: str, given: str | None = None) -> InlineKeyboardMarkup | None:
    """The three buttons; `given` (the chat's latest verdict) is ticked. None when the event id
    is too long for Telegram's callback data (logged: the alert goes without buttons)."""
    widest = f"fbt:{mask_of(t.slug for t in sectors())}:{event_id}"  # the picker's longest
    if not _fits(widest):
        log.warning("event id %s too long for feedback buttons; alert sent without", event_id)
        return None
    row = []
    for verdict, code in CODES.items():
        data = f"fb:{code}:{event_id}"
        text = ("✓ " + LABELS[verdict]) if verdict == given else LABELS[verdict]
        row.append(InlineKeyboardButton(text, callback_data=data))
    return InlineKeyboardMarkup([row])


def picker_keyboard(event_id: str, chosen: Sequence[str]) -> InlineKeyboardMarkup:
    """Every sector as a toggle (ticked when chosen), then Done and Back."""
    picked = set(chosen)
    buttons = []
    for term in sectors():
        after = picked ^ {term.slug}
        mark = "✓ " if term.slug in picked else ""
        buttons.append(
            InlineKeyboardButton(
                f"{mark}{term.label}", callback_data=f"fbt:{mask_of(after)}:{event_id}"
            )
        )
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton("Done", callback_data=f"fbd:{mask_of(picked)}:{event_id}"),
            InlineKeyboardButton("Back", callback_data=f"fbc:{event_id}"),
        ]
    )
    return InlineKeyboardMarkup(rows)


def parse(data: str) -> Press | None:
    """The press behind callback data, or None for data that is not (or no longer) valid."""
    head, _, rest = data.partition(":")
    try:
        if head == "fb":
            code, _, event_id = rest.partition(":")
            if code == "w" and event_id:
                return Press("pick", event_id)
            if code in ("u", "n") and event_id:
                return Press("verdict", event_id, VERDICT_OF[code])
        elif head in ("fbt", "fbd"):
            mask, _, event_id = rest.partition(":")
            if event_id:
                kind: Literal["toggle", "done"] = "toggle" if head == "fbt" else "done"
                return Press(kind, event_id, chosen=sectors_of(mask))
        elif head == "fbc" and rest:
            return Press("cancel", rest)
    except ValueError:
        return None
    return None
