"""Render an alert as Telegram HTML (and as plain text for the console).

Every scraped string is escaped: titles come from the open web and may hold `<script>`, `&`
or unbalanced tags. Only Telegram's own tags (b, i, a, code, blockquote) are produced here.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from alerts.labels import action_label, sector_label
from crawlers.timeutil import BEIJING

TELEGRAM_LIMIT = 4096


def _esc(text: Any) -> str:
    return html.escape(str(text or ""), quote=True)


def _when(iso: str | None) -> str:
    if not iso:
        return "time unknown"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return _esc(iso)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") + " Beijing"


def _evidence_lines(payload: dict[str, Any], budget: int) -> list[str]:
    lines = []
    for ev in payload.get("evidence", [])[:3]:
        sentence = str(ev.get("sentence", ""))[:300]
        terms = ", ".join(str(t) for t in ev.get("terms", []))
        line = f"• <i>{_esc(sentence)}</i> [{_esc(terms)}]"
        if budget - len(line) < 0:
            break
        budget -= len(line)
        lines.append(line)
    return lines


def render_alert_html(payload: dict[str, Any]) -> str:
    """The first alert of an event: what, who, how much, where from, when, why, link."""
    sectors = ", ".join(sector_label(s) for s in payload.get("sectors", [])) or "?"
    actions = ", ".join(action_label(a) for a in payload.get("actions", [])) or "?"
    head = [
        f"🔔 <b>{_esc(actions)}</b> · <b>{_esc(sectors)}</b>",
        f"<b>{_esc(str(payload.get('headline', ''))[:400])}</b>",
    ]
    if payload.get("actors"):
        head.append("Actors: " + _esc(", ".join(payload["actors"])))
    if payload.get("figures"):
        head.append("Figures: " + _esc(", ".join(payload["figures"])))
    source = f"{payload.get('source_name') or payload.get('source_key')} ({payload.get('tier')})"
    head.append(f"Source: {_esc(source)} · {_when(payload.get('published_at'))}")
    tail = []
    if payload.get("url"):
        tail.append(f'<a href="{_esc(payload["url"])}">Read the report</a>')
    tail.append(f"Event <code>{_esc(payload.get('event_id'))}</code>")
    fixed = len("\n".join(head + tail)) + 20
    why = _evidence_lines(payload, TELEGRAM_LIMIT - fixed)
    parts = [*head, *(["Why it matched:", *why] if why else []), *tail]
    text = "\n".join(parts)
    return text[:TELEGRAM_LIMIT] if len(text) > TELEGRAM_LIMIT else text


def render_alert_plain(payload: dict[str, Any]) -> str:
    """The same alert without markup, for the console and as Telegram's fallback."""
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", render_alert_html(payload)))
