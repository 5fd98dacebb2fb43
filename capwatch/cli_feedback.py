"""`capwatch feedback ...`: analysts' verdicts on alerts, listed or exported as training data."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer

from capwatch.cli_common import when_option, with_connection
from db.feedback import VERDICTS, Verdict

feedback_app = typer.Typer(
    help="Analysts' verdicts on alerts (the buttons under every alert).", no_args_is_help=True
)


class VerdictChoice(StrEnum):
    useful = "useful"
    not_relevant = "not_relevant"
    wrong_sector = "wrong_sector"


def _verdict(choice: VerdictChoice | None) -> Verdict | None:
    for verdict in VERDICTS:
        if choice is not None and choice.value == verdict:
            return verdict
    return None


@feedback_app.command("list")
def list_feedback(
    since: Annotated[str | None, typer.Option(help="Given on/after (YYYY-MM-DD or 7d).")] = None,
    verdict: Annotated[VerdictChoice | None, typer.Option(help="Only this verdict.")] = None,
    chat: Annotated[int | None, typer.Option(help="Only verdicts from this chat id.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of text.")] = False,
) -> None:
    """Verdicts, newest first: when, verdict (with the chosen sectors), event, who, where."""
    from db import feedback as fq
    from detection.vocabulary import label

    start = when_option(since)
    rows = with_connection(
        lambda conn: fq.list_feedback(
            conn, since=start, verdict=_verdict(verdict), chat_id=chat, limit=limit
        ),
        autocommit=True,
    )
    if not rows and not as_json:
        typer.echo("no feedback yet")
    for f in rows:
        if as_json:
            record = {
                "id": f.id,
                "event_id": f.event_id,
                "verdict": f.verdict,
                "sectors": f.sectors,
                "chat_id": f.chat_id,
                "user_id": f.user_id,
                "user_name": f.user_name,
                "origin": f.origin,
                "created_at": f.created_at.isoformat(),
            }
            typer.echo(json.dumps(record, ensure_ascii=False))
            continue
        when = f.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        chosen = f" -> {', '.join(label(s, 'sector') for s in f.sectors)}" if f.sectors else ""
        who = f.user_name or (str(f.user_id) if f.user_id else "?")
        where = f"chat {f.chat_id}" if f.chat_id is not None else f.origin
        typer.echo(
            f"#{f.id:<5} {when}  {f.verdict}{chosen}\n       {f.event_id}  by {who} ({where})"
        )


@feedback_app.command("export")
def export_feedback(
    since: Annotated[str | None, typer.Option(help="Verdicts given on/after this.")] = None,
    output: Annotated[str | None, typer.Option(help="Write to this file (default stdout).")] = None,
) -> None:
    """Judged events as labelled records (../shared/LABELING.md format, one JSON line per
    report, text from the stored articles) for `capwatch train --feedback FILE`."""
    from capwatch.feedback_export import feedback_record
    from db import feedback as fq

    start = when_option(since)
    reports = with_connection(lambda conn: fq.feedback_reports(conn, start), autocommit=True)
    lines = [json.dumps(feedback_record(r).to_dict(), ensure_ascii=False) for r in reports]
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.writelines(line + "\n" for line in lines)
        typer.echo(f"{len(lines)} records written to {output}", err=True)
    else:
        sys.stdout.writelines(line + "\n" for line in lines)


def register(app: typer.Typer) -> None:
    """Adds this concern's commands to the `capwatch` app."""
    app.add_typer(feedback_app, name="feedback")
