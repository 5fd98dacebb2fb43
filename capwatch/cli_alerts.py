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
    event_id: Annotated[str | None, typer.Argument(help="An event id; none: a sample.")] = None,
    html: Annotated[bool, typer.Option("--html", help="Telegram HTML instead of text.")] = False,
) -> None:
    """Show an alert as it is sent (the event's first alert, or a built-in sample)."""
    from alerts.payload import AlertPayload
    from alerts.render import render_alert_html, to_plain
    from alerts.sample import SAMPLE_PAYLOAD

    payload = AlertPayload.from_json(SAMPLE_PAYLOAD)
    if event_id:
        from db.events import event_reports
        from db.models import Report
        from db.outbox import first_payload

        async def load(conn: AsyncConnection) -> tuple[dict[str, Any] | None, list[Report]]:
            return await first_payload(conn, event_id), await event_reports(conn, event_id)

        found, reports = _with_conn(load)
        if found is None:
            typer.echo(f"no alert for event {event_id}", err=True)
            raise typer.Exit(1)
        payload = AlertPayload.from_json(found, event_id)
        later = [r for r in reports if r.article_id != payload.article_id]
    else:
        later = []
    text = render_alert_html(payload, later)
    typer.echo(text if html else to_plain(text))


def register(app: typer.Typer) -> None:
    """Adds this concern's commands to the `capwatch` app."""
    app.add_typer(alerts_app, name="alerts")
