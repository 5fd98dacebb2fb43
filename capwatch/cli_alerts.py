"""`capwatch alerts ...`: the outbox, failed deliveries, chats, and a preview of an alert."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer
from psycopg import AsyncConnection

from capwatch.cli_common import with_connection

T = TypeVar("T")

alerts_app = typer.Typer(
    help="Alerts: the delivery queue, failed deliveries, chats.", no_args_is_help=True
)


def _with_conn(work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    return with_connection(work, autocommit=True)


@alerts_app.command("list")
def list_alerts(
    failed: Annotated[bool, typer.Option("--failed", help="Only failed deliveries.")] = False,
    pending: Annotated[bool, typer.Option("--pending", help="Only queued ones.")] = False,
    chat: Annotated[int | None, typer.Option(help="Only this chat id.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
) -> None:
    """The outbox, newest first: one row per event x chat x kind, with status and reason."""
    from db.outbox import list_outbox

    status = "failed" if failed else "pending" if pending else None
    rows = _with_conn(lambda conn: list_outbox(conn, status, chat, limit))
    if not rows:
        typer.echo("no failed deliveries" if failed else "the outbox is empty")
        return
    for r in rows:
        when = (r.sent_at or r.created_at).astimezone().strftime("%Y-%m-%d %H:%M")
        typer.echo(
            f"#{r.id:<6} {r.status:<8} {r.kind:<6} chat {r.chat_id:<15} tries {r.attempts}"
            f"  {when}  {r.event_id}\n        {r.headline[:90]}"
            + (f"\n        reason: {r.last_error}" if r.last_error and r.status != "sent" else "")
        )


@alerts_app.command("retry")
def retry(
    ids: Annotated[
        list[int] | None, typer.Argument(help="Outbox ids; none: every failed one.")
    ] = None,
) -> None:
    """Queue failed deliveries again (the running service sends them)."""
    from db.outbox import retry_failed

    count = _with_conn(lambda conn: retry_failed(conn, ids or None))
    typer.echo(f"{count} failed deliver{'y' if count == 1 else 'ies'} queued again")


@alerts_app.command("chats")
def chats() -> None:
    """Known chats: active or not (and why), migrations, subscriptions, digest mode."""
    from db.chats import list_chats

    rows = _with_conn(list_chats)
    if not rows:
        typer.echo("no chats yet (a chat is known once it talks to the bot or fails a delivery)")
    for chat_id, title, kind, active, reason, migrated, digest, subs in rows:
        state = "active" if active else f"inactive: {reason}"
        typer.echo(
            f"{chat_id:<16} {kind or '?':<10} {state}{f' -> {migrated}' if migrated else ''}"
            f"  subs={subs}{'  digest' if digest else ''}  {title or ''}"
        )


@alerts_app.command("preview")
def preview(
    event_id: Annotated[
        str | None, typer.Argument(help="An event id or a unique prefix of it; none: a sample.")
    ] = None,
    html: Annotated[bool, typer.Option("--html", help="Telegram HTML instead of text.")] = False,
) -> None:
    """Show an alert as it is sent: the event's first alert, or, for an event stored without
    one (too old, a backfill), the alert it would get; a built-in sample without an id."""
    from alerts.payload import AlertPayload
    from alerts.render import render_alert_html, to_plain
    from alerts.sample import SAMPLE_PAYLOAD

    payload = AlertPayload.from_json(SAMPLE_PAYLOAD)
    later: list[Any] = []
    if event_id:
        payload, later, sent = _event_alert(event_id)
        if not sent:
            typer.echo(
                "no alert was sent for this event (stored without one); this is the alert it "
                "would get",
                err=True,
            )
    text = render_alert_html(payload, later)
    typer.echo(text if html else to_plain(text))


def _event_alert(given: str) -> tuple[Any, list[Any], bool]:
    """(payload, the event's other reports, whether an alert went out) of one event."""
    from alerts.payload import AlertPayload
    from capwatch.cli_common import settings
    from capwatch.detector import alert_payload, stored_text
    from crawlers.sources import load_sources
    from db.articles import first_article_of_event
    from db.events import event_reports, resolve_event_id
    from db.outbox import first_payload
    from detection.stage import detect

    async def load(conn: AsyncConnection) -> tuple[list[str], Any, Any, list[Any]]:
        ids = await resolve_event_id(conn, given)
        if len(ids) != 1:
            return ids, None, None, []
        found = await first_payload(conn, ids[0])
        article = None if found else await first_article_of_event(conn, ids[0])
        return ids, found, article, await event_reports(conn, ids[0])

    ids, found, article, reports = _with_conn(load)
    if not ids:
        raise typer.BadParameter(f"no event {given!r}", param_hint="EVENT_ID")
    if len(ids) > 1:
        raise typer.BadParameter(f"{given!r} is ambiguous: {', '.join(ids)}", param_hint="EVENT_ID")
    if found is not None:
        payload = AlertPayload.from_json(found, ids[0])
    elif article is not None:
        source = load_sources(settings().sources_file).get(article.source_key)
        payload = alert_payload(article, detect(stored_text(article)), source, ids[0])
    else:
        raise typer.BadParameter(f"event {ids[0]} has no report left", param_hint="EVENT_ID")
    later = [r for r in reports if r.article_id != payload.article_id]
    return payload, later, found is not None


def register(app: typer.Typer) -> None:
    """Adds this concern's commands to the `capwatch` app."""
    app.add_typer(alerts_app, name="alerts")
