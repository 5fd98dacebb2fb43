"""Output for the archive commands: rich tables for people, exact JSON/JSONL/CSV for tools,
and the date arguments they accept.

Machine formats carry times as ISO 8601 in UTC and lists as JSON arrays (CSV: joined with
"; "). Tables show times in Asia/Shanghai, the market's clock. Scraped text is never
interpreted as rich markup.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from core.timeparse import parse_when
from core.tz import BEIJING
from db.models import EventSummary, EventTimeline
from db.search import SearchHit
from db.search_terms import Snippet
from detection.vocabulary import Kind, label

__all__ = ["parse_when"]  # the CLI date arguments: core.timeparse reads them


def local(when: datetime | None) -> str:
    return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if when else ""


def to_json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, list | tuple):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json_value(v) for k, v in value.items()}
    return value


def to_csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_jsonl(rows: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps({k: to_json_value(v) for k, v in row.items()}, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def write_json(rows: Iterable[Mapping[str, Any]], out: TextIO) -> None:
    data = [{k: to_json_value(v) for k, v in row.items()} for row in rows]
    out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def csv_writer(out: TextIO, columns: list[str]) -> csv.DictWriter[str]:
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    return writer


def write_csv(rows: Iterable[Mapping[str, Any]], columns: list[str], out: TextIO) -> int:
    writer = csv_writer(out, columns)
    count = 0
    for row in rows:
        writer.writerow({k: to_csv_value(row.get(k)) for k in columns})
        count += 1
    return count


def snippet_text(snippet: Snippet) -> Text:
    """The snippet with hits «marked» and bold; brackets in scraped text stay literal."""
    text = Text(no_wrap=False)
    pos = 0
    for start, end in snippet.marks:
        text.append(snippet.text[pos:start])
        text.append("«" + snippet.text[start:end] + "»", style="bold yellow")
        pos = end
    text.append(snippet.text[pos:])
    return text


def hits_table(hits: list[SearchHit]) -> Table:
    table = Table(show_lines=True, expand=True)
    table.add_column("time (UTC+8)", no_wrap=True)
    table.add_column("source", max_width=14)
    table.add_column("title / snippet", ratio=1)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("event", max_width=22, overflow="fold")
    for hit in hits:
        body = Text(hit.title, style="bold")
        body.append("\n")
        body.append_text(snippet_text(hit.snippet))
        body.append("\n" + hit.url, style="dim")
        score = "" if hit.score is None else f"{hit.score:.2f}" + (" ✓" if hit.relevant else "")
        table.add_row(
            local(hit.article_time),
            Text(hit.source_name or hit.source_key),
            body,
            score,
            Text(hit.event_id or ""),
        )
    return table


def _names(slugs: Sequence[str], kind: Kind) -> str:
    """Slugs as people read them (the lexicon's names, English and Chinese)."""
    return ", ".join(label(slug, kind) for slug in slugs)


def events_table(events: list[EventSummary]) -> Table:
    table = Table(expand=True, show_lines=True)
    table.add_column("first seen (UTC+8)", no_wrap=True, min_width=10)
    table.add_column("sector / action", max_width=18)
    table.add_column("headline / id", ratio=1, min_width=24)
    table.add_column("reports", justify="right", no_wrap=True)
    table.add_column("sources", max_width=24)
    for ev in events:
        headline = Text(ev.headline)
        headline.append("\n" + ev.event_id, style="dim")
        what = Text(_names(ev.sectors, "sector") + "\n" + _names(ev.actions, "action"))
        table.add_row(
            local(ev.first_seen_at),
            what,
            headline,
            str(ev.reports),
            Text(", ".join(ev.source_names)),
        )
    return table


def timeline_table(timeline: EventTimeline) -> Table:
    ev = timeline.event
    table = Table(
        title=Text(
            f"{ev.headline}\n{_names(ev.sectors, 'sector')} · {_names(ev.actions, 'action')} · "
            f"{ev.reports} reports · {ev.event_id}"
        ),
        expand=True,
    )
    table.add_column("#", justify="right")
    table.add_column("time (UTC+8)", no_wrap=True)
    table.add_column("source", max_width=16)
    table.add_column("tier")
    table.add_column("title", ratio=1)
    table.add_column("joined by", max_width=18)
    for r in timeline.reports:
        title = Text(r.title)
        title.append("\n" + r.url, style="dim")
        table.add_row(
            str(r.report_no),
            local(r.article_time),
            Text(r.source_name or r.source_key),
            r.source_tier or "",
            title,
            Text(r.event_reason),
        )
    return table


def print_table(table: Table, out: TextIO | None = None) -> None:
    Console(file=out, soft_wrap=False).print(table)


# --- records: what narrow terminals and pipes get instead of tables ------------------------------

WIDE_TERMINAL = 120  # columns from which tables read well; below, and in pipes, records


def _console(out: TextIO | None) -> Console:
    return Console(file=out)


def wants_records(console: Console) -> bool:
    """Records (one block per row, nothing cut) unless a wide terminal shows a table."""
    return not console.is_terminal or console.width < WIDE_TERMINAL


def _print_records(console: Console, blocks: list[list[Text]]) -> None:
    """Blank-line separated blocks; a pipe gets whole lines (no wrapping), a terminal wraps."""
    wrap = console.is_terminal
    for index, block in enumerate(blocks):
        if index:
            console.print(soft_wrap=not wrap)
        for line in block:
            console.print(line, soft_wrap=not wrap, overflow="fold")


def _line(*parts: str | Text, sep: str = "  ") -> Text:
    line = Text()
    for index, part in enumerate(p for p in parts if p):
        if index:
            line.append(sep)
        line.append(part if isinstance(part, Text) else Text(part))
    return line


def hit_records(hits: list[SearchHit]) -> list[list[Text]]:
    blocks = []
    for hit in hits:
        score = (
            "" if hit.score is None else f"score {hit.score:.2f}" + (" ✓" if hit.relevant else "")
        )
        source = hit.source_name or hit.source_key
        if hit.source_tier:
            source += f" ({hit.source_tier})"
        head = _line(Text(local(hit.article_time), style="cyan"), source, score)
        snippet = Text("  ")
        snippet.append_text(snippet_text(hit.snippet))
        block = [head, Text("  " + hit.title, style="bold"), snippet]
        block.append(Text("  " + hit.url, style="dim"))
        if hit.event_id:
            block.append(Text("  event " + hit.event_id, style="dim"))
        blocks.append(block)
    return blocks


def event_records(events: list[EventSummary]) -> list[list[Text]]:
    blocks = []
    for ev in events:
        reports = f"{ev.reports} report" + ("" if ev.reports == 1 else "s")
        what = f"{_names(ev.sectors, 'sector')} · {_names(ev.actions, 'action')}"
        blocks.append(
            [
                _line(Text(local(ev.first_seen_at), style="cyan"), reports, what),
                Text("  " + ev.headline, style="bold"),
                Text("  " + ev.event_id, style="dim"),
                Text("  sources: " + ", ".join(ev.source_names)),
            ]
        )
    return blocks


def timeline_records(timeline: EventTimeline) -> list[list[Text]]:
    ev = timeline.event
    blocks = [
        [
            Text(ev.headline, style="bold"),
            Text(
                f"{_names(ev.sectors, 'sector')} · {_names(ev.actions, 'action')} · "
                f"{ev.reports} reports · {ev.event_id}"
            ),
        ]
    ]
    for r in timeline.reports:
        source = (r.source_name or r.source_key) + (f" ({r.source_tier})" if r.source_tier else "")
        blocks.append(
            [
                _line(
                    f"#{r.report_no}",
                    Text(local(r.article_time), style="cyan"),
                    source,
                    f"joined by: {r.event_reason}",
                ),
                Text("  " + r.title),
                Text("  " + r.url, style="dim"),
            ]
        )
    return blocks


def print_hits(hits: list[SearchHit], out: TextIO | None = None) -> None:
    console = _console(out)
    if wants_records(console):
        _print_records(console, hit_records(hits))
    else:
        console.print(hits_table(hits))


def print_events(events: list[EventSummary], out: TextIO | None = None) -> None:
    console = _console(out)
    if wants_records(console):
        _print_records(console, event_records(events))
    else:
        console.print(events_table(events))


def print_timeline(timeline: EventTimeline, out: TextIO | None = None) -> None:
    console = _console(out)
    if wants_records(console):
        _print_records(console, timeline_records(timeline))
    else:
        console.print(timeline_table(timeline))
