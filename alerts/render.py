"""Render alerts as Telegram HTML (and as plain text for the console and as the fallback).

Every scraped string is escaped: titles come from the open web and may hold `<script>`, `&`,
unbalanced tags or bidi overrides (U+202E makes "exe.txt" read as "txt.exe"); the overrides
and other control characters are removed. Only Telegram's own tags are produced here (b, i, a,
code). Every field has a length cap so an alert fits one message (an edit must); the sender
still splits anything longer, safely (alerts/split.py).
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any

from alerts.labels import action_label, actor_label, sector_label
from alerts.payload import AlertPayload
from alerts.split import TELEGRAM_LIMIT, utf16_len
from core.tz import BEIJING
from db.models import Report

__all__ = ["TELEGRAM_LIMIT", "render_alert_html", "render_alert_plain", "to_plain"]

_MONTH = re.compile(r"\d{4}-\d{2}")  # "2026-08": a month, not a figure

_UNSAFE = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]")
MAX_LISTED_SOURCES = 12


def clean(text: Any, cap: int = 600) -> str:
    """Scraped text made harmless: control and bidi-override characters removed, capped."""
    value = _UNSAFE.sub("", str(text or "")).strip()
    return value if len(value) <= cap else value[: cap - 1].rstrip() + "…"


def esc(text: Any, cap: int = 600) -> str:
    return html.escape(clean(text, cap), quote=True)


def beijing(moment: datetime | str | None) -> str:
    if not moment:
        return "time unknown"
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return esc(moment, 40)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") + " Beijing"


def link(url: Any, label: str) -> str:
    """An <a> tag only for http(s) URLs; anything else is shown as text."""
    target = clean(url, 1000)
    if not re.match(r"https?://", target, re.IGNORECASE):
        return esc(label, 200)
    return f'<a href="{html.escape(target, quote=True)}">{esc(label, 200)}</a>'


def _evidence(payload: AlertPayload, budget: int) -> list[str]:
    lines = []
    for ev in payload.evidence[:3]:
        terms = ", ".join(clean(t, 40) for t in ev.terms[:8])
        line = f"• <i>{esc(ev.sentence, 300)}</i> [{html.escape(terms)}]"
        if utf16_len(line) + 1 > budget:
            break
        budget -= utf16_len(line) + 1
        lines.append(line)
    return lines


def _report_line(report: Report) -> str:
    when = beijing(report.published_at or report.first_seen_at)
    source = f"{clean(report.source_name, 60)} ({report.tier})"
    return f"• {esc(source, 80)} · {when} · {link(report.url, clean(report.title, 120))}"


def _sources_section(reports: list[Report], budget: int) -> list[str]:
    """'+N sources (newest first)': the later reports of the event, as many as fit."""
    if not reports:
        return []
    lines = [f"<b>+{len(reports)} source{'s' if len(reports) > 1 else ''}</b> (newest first):"]
    budget -= utf16_len(lines[0]) + 1
    for shown, report in enumerate(reports[:MAX_LISTED_SOURCES]):
        line = _report_line(report)
        more = len(reports) - shown
        if utf16_len(line) + 30 > budget:
            lines.append(f"… and {more} more")
            return lines
        budget -= utf16_len(line) + 1
        lines.append(line)
    if len(reports) > MAX_LISTED_SOURCES:
        lines.append(f"… and {len(reports) - MAX_LISTED_SOURCES} more")
    return lines


def render_alert_html(
    payload: AlertPayload,
    later: list[Report] | None = None,
    limit: int = TELEGRAM_LIMIT,
    market: str | None = None,
) -> str:
    """The alert of an event: what, who, how much, where from, when, why, link; with `later`
    (the event's other reports, newest first) the '+N sources' list that edits add."""
    sectors = ", ".join(sector_label(s) for s in payload.sectors[:6]) or "?"
    actions = ", ".join(action_label(a) for a in payload.actions[:5]) or "?"
    head = [
        f"🔔 <b>{esc(actions)}</b> · <b>{esc(sectors)}</b>",
        f"<b>{esc(payload.headline, 400)}</b>",
    ]
    if payload.actors:
        head.append("Actors: " + esc(", ".join(actor_label(a) for a in payload.actors[:10]), 300))
    if payload.mentioned:  # named beside the action, not acted on: context, not the target
        also = ", ".join(sector_label(s) for s in payload.mentioned[:6])
        head.append("Also named: " + esc(also, 200))
    months = [f for f in payload.figures if _MONTH.fullmatch(f)]
    figures = [f for f in payload.figures if not _MONTH.fullmatch(f)]
    if figures:
        head.append("Figures: " + esc(", ".join(figures[:10]), 200))
    if months:  # the detector keeps the month the action takes effect among the figures
        head.append("Takes effect: " + esc(months[0], 20))
    name = payload.source_name or payload.source_key or "?"
    tier = payload.tier or "media"
    head.append(f"Source: {esc(name, 80)} ({esc(tier, 20)}) · {beijing(payload.published_at)}")
    if market:  # the sectors' futures: the move since the previous close (market/context.py)
        head.append("📈 Market: " + esc(market, 300))
    tail = []
    if payload.url:
        tail.append(link(payload.url, "Read the report"))
    tail.append(f"Event <code>{esc(payload.event_id, 120)}</code>")
    budget = limit - utf16_len("\n".join(head + tail)) - 40
    sources = _sources_section(later or [], budget // 2 if later else 0)
    budget -= utf16_len("\n".join(sources))
    why = _evidence(payload, budget - 20)
    parts = [*head, *(["Why it matched:", *why] if why else []), *sources, *tail]
    return "\n".join(parts)


def render_update_reply(payload: AlertPayload, later: list[Report]) -> str:
    """A reply under the first alert when it cannot be edited: only the new sources."""
    head = f"↪️ More reports: <b>{esc(payload.headline, 200)}</b>"
    lines = _sources_section(later, TELEGRAM_LIMIT - utf16_len(head) - 100)
    tail = f"Event <code>{esc(payload.event_id, 120)}</code>"
    return "\n".join([head, *lines, tail])


def render_digest_html(items: list[tuple[AlertPayload, int]]) -> str:
    """One message for a chat's due digest: each event with its number of reports."""
    lines = [f"🗞 <b>capwatch digest</b>: {len(items)} event{'s' if len(items) != 1 else ''}"]
    for payload, reports in items:
        sectors = ", ".join(sector_label(s) for s in payload.sectors[:3]) or "?"
        actions = ", ".join(action_label(a) for a in payload.actions[:3]) or "?"
        count = f" · {reports} reports" if reports > 1 else ""
        lines.append(
            f"\n<b>{esc(actions)}</b> · {esc(sectors)}{count}\n"
            f"{link(payload.url, clean(payload.headline, 300))}\n"
            f"{esc(payload.source_name or payload.source_key, 80)} · "
            f"{beijing(payload.published_at)} · <code>{esc(payload.event_id)}</code>"
        )
    return "\n".join(lines)


def to_plain(html_text: str) -> str:
    """Telegram HTML without markup (links keep their address after the text)."""
    text = re.sub(r'<a href="([^"]*)">(.*?)</a>', r"\2 (\1)", html_text, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def render_alert_plain(payload: AlertPayload) -> str:
    """The same alert without markup, for the console and as Telegram's fallback."""
    return to_plain(render_alert_html(payload))
