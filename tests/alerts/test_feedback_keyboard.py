"""Feedback buttons' callback data: every press decodes to what was pressed, and every button
fits Telegram's 64-byte limit (an event id too long for that gets no buttons, not broken ones)."""

from __future__ import annotations

from alerts.feedback_keyboard import CALLBACK_LIMIT, parse, picker_keyboard, verdict_keyboard
from detection.vocabulary import actions, sectors

LONGEST = max(len(t.slug) for t in sectors()) + max(len(t.slug) for t in actions())


def all_data(event_id: str) -> list[str]:
    verdict = verdict_keyboard(event_id)
    assert verdict is not None
    picker = picker_keyboard(event_id, [t.slug for t in sectors()])
    return [
        str(b.callback_data)
        for markup in (verdict, picker)
        for row in markup.inline_keyboard
        for b in row
    ]


def test_the_longest_event_id_the_detector_makes_fits() -> None:
    event_id = "x" * LONGEST + "-undated-abcdef" + "--"
    assert all(len(d.encode()) <= CALLBACK_LIMIT for d in all_data(event_id))


def test_presses_decode() -> None:
    ev = "pv_glass-production_cut-2026-08-3f9c1a"
    useful = parse(f"fb:u:{ev}")
    assert useful is not None and (useful.kind, useful.verdict, useful.event_id) == (
        "verdict",
        "useful",
        ev,
    )
    pick = parse(f"fb:w:{ev}")
    assert pick is not None and pick.kind == "pick"
    picker = picker_keyboard(ev, ["pv_glass"])
    data = {b.text: str(b.callback_data) for row in picker.inline_keyboard for b in row}
    toggled = parse(data["Float glass 浮法玻璃"])
    assert toggled is not None and set(toggled.chosen) == {"pv_glass", "glass"}
    done = parse(data["Done"])
    assert done is not None and (done.kind, done.chosen) == ("done", ("pv_glass",))
    assert parse("fbt:not-hex:ev") is None and parse("fb:x:ev") is None and parse("sub:s:x") is None


def test_an_event_id_too_long_gets_no_buttons() -> None:
    assert verdict_keyboard("e" * 60) is None
