"""/latest, /event, /search, /sources: reading the database from chat.

Every scraped string is escaped (render.esc); long answers are split by `reply`.
"""

from __future__ import annotations

from psycopg_pool import AsyncConnectionPool
from telegram import Update
from telegram.ext import CommandHandler

from alerts.client import TelegramApp
from alerts.commands.common import ANY, Context, args_of, ctx_of, reply, resolve_sector
from alerts.labels import action_label, sector_label
from alerts.render import beijing, esc, link
from db.events import event_reports, get_event, latest_events
from db.models import ArticleHit
from db.search import SearchQuery, search_articles
from db.sources import sources_health

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
            f"<b>{esc(ev.headline, 200)}</b>\n/event <code>{esc(ev.id)}</code>"
        )
    await reply(update, context, "\n".join(lines))


async def event(update: Update, context: Context) -> None:
    args = args_of(context)
    if not args:
        await reply(update, context, "Usage: /event EVENT_ID (ids are shown in alerts and /latest)")
        return
    event_id = args[0].strip()
    async with ctx_of(context).pool.connection() as conn:
        found = await get_event(conn, event_id)
        reports = await event_reports(conn, event_id, newest_first=False) if found else []
    if found is None:
        await reply(update, context, f"No event <code>{esc(event_id, 120)}</code>.")
        return
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
        tail = f" · event <code>{esc(hit.event_id)}</code>" if hit.event_id else ""
        lines.append(
            f"• {beijing(hit.published_at)} · {esc(hit.source_key, 40)}{tail}\n"
            f"  {link(hit.url, hit.title)}" + (f"\n  <i>{snippet}</i>" if snippet else "")
        )
    await reply(update, context, "\n".join(lines))


async def sources(update: Update, context: Context) -> None:
    async with ctx_of(context).pool.connection() as conn:
        rows = await sources_health(conn)
    if not rows:
        await reply(update, context, "No source has been crawled yet.")
        return
    lines = ["<b>Sources</b> (last crawl)"]
    for s in rows:
        if not s.enabled:
            mark = "⏸"
        elif s.last_status == "finished" and not s.failed_24h:
            mark = "✅"
        elif s.last_status in (None, "running"):
            mark = "⏳"
        else:
            mark = "❌"
        detail = (
            f"{esc(s.last_status or 'never')} {beijing(s.last_started) if s.last_started else ''}"
            f" · {s.last_items or 0} items · {s.last_errors or 0} errors"
        )
        failing = f" · {s.failed_24h} failed in 24h" if s.failed_24h else ""
        ok = f" · last ok {beijing(s.last_ok)}" if s.last_ok and s.last_status != "finished" else ""
        lines.append(
            f"{mark} <b>{esc(s.key)}</b> {esc(s.name, 60)} ({esc(s.tier)})\n"
            f"   {detail}{failing}{ok}"
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
