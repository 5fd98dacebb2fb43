"""/latest, /event, /search, /sources: reading the database from chat.

Events are shown with a tappable `/event_<id>` (the id with '-' as '_', since a command may
hold only letters, digits and '_'); tapping it sends the command, answered like `/event ID`.

Every scraped string is escaped (render.esc); long answers are split by `reply`.
"""

from __future__ import annotations

import re

from psycopg_pool import AsyncConnectionPool
from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from alerts.client import TelegramApp
from alerts.commands.common import ANY, Context, args_of, ctx_of, reply, resolve_sector
from alerts.labels import action_label, sector_label
from alerts.render import beijing, esc, link
from crawlers.netfail import network_verdict
from db.events import event_reports, get_event, get_event_by_command, latest_events
from db.models import ArticleHit, EventLine
from db.search import SearchQuery, search_articles
from market.study import event_windows, window_lines

LATEST = 10
SEARCH_HITS = 10


def _what(sectors: list[str], actions: list[str]) -> str:
    return (
        f"{esc(', '.join(action_label(a) for a in actions[:2]) or '?')} · "
        f"{esc(', '.join(sector_label(s) for s in sectors[:2]) or '?')}"
    )


async def latest(update: Update, context: Context) -> None:
    args = args_of(context)
    sector = resolve_sector(args[0]) if args else None
    if args and sector is None:
        await reply(update, context, f"Unknown sector “{esc(args[0])}”. Try /latest steel")
        return
    async with ctx_of(context).pool.connection() as conn:
        events = await latest_events(conn, None if sector in (None, ANY) else sector, LATEST)
    if not events:
        await reply(update, context, "No events yet.")
        return
    scope = f" · {esc(sector_label(sector))}" if sector not in (None, ANY) else ""
    title = f"<b>Latest events{scope}</b>"
    lines = [title]
    for ev in events:
        reports = f" · {ev.report_count} reports" if ev.report_count > 1 else ""
        lines.append(
            f"\n{beijing(ev.first_seen_at)} · {_what(ev.sectors, ev.actions)}{reports}\n"
            f"<b>{esc(ev.headline, 200)}</b>\n{event_command(ev.id)}"
        )
    await reply(update, context, "\n".join(lines))


EVENT_LINK = re.compile(r"^/event_(\w+?)(?:@\w+)?(?:\s|$)")
COMMAND_LIMIT = 64  # Telegram recognises a tappable command of up to this many characters


def event_command(event_id: str) -> str:
    """How an event is named in chat: `/event_<id>` to tap, or `/event <id>` to copy when the
    id cannot be written as a command (HTML)."""
    code = event_id.replace("-", "_")
    command = f"/event_{code}"
    if re.fullmatch(r"\w+", code, re.ASCII) and len(command) <= COMMAND_LIMIT:
        return command
    return f"/event <code>{esc(event_id, 120)}</code>"


async def event(update: Update, context: Context) -> None:
    args = args_of(context)
    if not args:
        await reply(update, context, "Usage: /event EVENT_ID (ids are shown in alerts and /latest)")
        return
    event_id = args[0].strip()
    async with ctx_of(context).pool.connection() as conn:
        found = await get_event(conn, event_id)
    await _timeline(update, context, found, event_id)


async def event_link(update: Update, context: Context) -> None:
    """A tapped `/event_<id>`."""
    text = update.message.text if update.message is not None else None
    match = EVENT_LINK.match(text or "")
    if match is None:
        return
    async with ctx_of(context).pool.connection() as conn:
        found = await get_event_by_command(conn, match.group(1))
    await _timeline(update, context, found, match.group(1))


async def _timeline(update: Update, context: Context, found: EventLine | None, asked: str) -> None:
    if found is None:
        await reply(update, context, f"No event <code>{esc(asked, 120)}</code>.")
        return
    async with ctx_of(context).pool.connection() as conn:
        reports = await event_reports(conn, found.id, newest_first=False)
        windows = await event_windows(conn, list(found.sectors), found.first_seen_at)
    lines = [
        f"<b>{esc(found.headline, 300)}</b>",
        _what(found.sectors, found.actions),
        f"{found.report_count} report(s) · first {beijing(found.first_seen_at)} · "
        f"last {beijing(found.last_seen_at)}",
        "\n<b>Timeline</b> (oldest first):",
    ]
    for r in reports:
        lines.append(
            f"• {beijing(r.published_at or r.first_seen_at)} · {esc(r.source_name, 60)} "
            f"({esc(r.tier, 20)})\n  {link(r.url, r.title)}"
        )
    if windows:  # the sectors' futures around the first report (market/study.py)
        lines.append("\n<b>Market</b> (daily closes, │ = the close before the first report):")
        lines.append("<pre>" + esc("\n".join(window_lines(windows)), 1500) + "</pre>")
    await reply(update, context, "\n".join(lines))


async def _search(pool: AsyncConnectionPool, terms: list[str]) -> list[tuple[ArticleHit, str]]:
    """The archive search (db/search_queries.py: ranked, any script variant, snippets)."""
    async with pool.connection() as conn:
        found = await search_articles(conn, SearchQuery(text=" ".join(terms), limit=SEARCH_HITS))
    return [
        (
            ArticleHit(
                h.article_id,
                h.source_name or h.source_key,
                h.title,
                h.url,
                h.published_at or h.first_seen_at,
                h.event_id,
            ),
            h.snippet.html(),
        )
        for h in found
    ]


async def search(update: Update, context: Context) -> None:
    terms = [t for t in args_of(context) if t.strip()][:5]
    if not terms:
        await reply(
            update, context, "Usage: /search WORDS — e.g. /search 光伏玻璃 减产, /search steel"
        )
        return
    hits = await _search(ctx_of(context).pool, terms)
    query = esc(" ".join(terms), 200)
    if not hits:
        await reply(update, context, f"Nothing found for “{query}”.")
        return
    lines = [f"<b>{len(hits)} article(s) for “{query}”</b>"]
    for hit, snippet in hits:
        tail = f" · {event_command(hit.event_id)}" if hit.event_id else ""
        lines.append(
            f"• {beijing(hit.published_at)} · {esc(hit.source_key, 40)}{tail}\n"
            f"  {link(hit.url, hit.title)}" + (f"\n  <i>{snippet}</i>" if snippet else "")
        )
    await reply(update, context, "\n".join(lines))


_STATE_MARK = {"ok": "✅", "degraded": "⚠️", "failing": "❌", "stale": "💤", "new": "⏳",
               "disabled": "⏸"}  # fmt: skip


async def sources(update: Update, context: Context) -> None:
    """Each source's health as `capwatch status` computes it (scheduler/health.py)."""
    read = ctx_of(context).source_health
    if read is None:
        await reply(update, context, "Source health is shown by the running service only.")
        return
    states = await read()
    if not states:
        await reply(update, context, "No sources are configured.")
        return
    lines = ["<b>Sources</b> (health · last crawl)"]
    verdict = network_verdict(states)
    if verdict:
        lines.append(f"❗ <b>{esc(verdict)}</b>")
    for s in states:
        last = (
            f"{esc(s.last_status or 'never')} {beijing(s.last_run_at) if s.last_run_at else ''}"
            f" · {s.last_items or 0} items · {s.last_errors or 0} errors"
        )
        problems = f"\n   {esc('; '.join(s.problems), 300)}" if s.problems else ""
        lines.append(
            f"{_STATE_MARK.get(s.state, '•')} <b>{esc(s.key)}</b> {esc(s.name, 60)}"
            f" ({esc(s.tier)}) · {esc(s.state)}\n   {last}{problems}"
        )
    await reply(update, context, "\n".join(lines))


def register(app: TelegramApp) -> None:
    for name, handler in (
        ("latest", latest),
        ("event", event),
        ("search", search),
        ("sources", sources),
    ):
        app.add_handler(CommandHandler(name, handler))
    app.add_handler(MessageHandler(filters.Regex(EVENT_LINK), event_link))  # before unknown
