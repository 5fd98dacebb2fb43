"""`capwatch sources ...` (list, check, new) and `capwatch extract`: see README "Add a source".

No Scrapy or Twisted at module level: `check` installs the asyncio reactor first.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from capwatch import cli_common
from core.errors import UserError

if TYPE_CHECKING:
    from crawlers.check import CheckResult
    from crawlers.extract.article import Extracted
    from crawlers.extract.encoding import Decoded
    from crawlers.items import ArticleItem
    from crawlers.sources import SourceConfig
    from db.models import SourceHealth

sources_app = typer.Typer(help="The configured sources.", no_args_is_help=True)
REPO = Path(__file__).resolve().parents[1]


def _health(
    sources: dict[str, SourceConfig], failures: int
) -> tuple[dict[str, SourceHealth], str | None]:
    """Each source's health as `capwatch status` computes it; ({}, why) when the database is
    unavailable."""
    from scheduler.health import collect

    try:
        states = cli_common.with_connection(lambda conn: collect(conn, sources, failures))
        return {h.key: h for h in states}, None
    except Exception as exc:  # the list is useful without run figures
        return {}, f"no run figures ({type(exc).__name__}: {str(exc)[:120]})"


@sources_app.command("list")
def sources_list(
    no_db: Annotated[bool, typer.Option("--no-db", help="Do not read run figures.")] = False,
) -> None:
    """List the sources with their last run: key, kind, tier, interval, confidence, items,
    errors, and their health as `capwatch status` says it (how many runs in a row were bad:
    failed, errors and no items, HTTP errors, nothing found)."""
    from rich.console import Console
    from rich.table import Table

    from crawlers.sources import load_sources

    settings = cli_common.settings()
    sources = load_sources(settings.sources_file)
    states, note = ({}, None) if no_db else _health(sources, settings.health_failures)
    table = Table("key", "kind", "tier", "schedule", "confidence", "last run", "items", "new",
                  "errors", "health")  # fmt: skip
    for source in sources.values():
        schedule = f"every {source.interval}s" if source.interval else f"cron {source.cron}"
        if not source.enabled:
            schedule += " (disabled)"
        h = states.get(source.key)
        last = "-"
        health = "-" if h is None else h.state
        if h is not None and h.last_run_at is not None:
            last = f"{h.last_run_at:%Y-%m-%d %H:%M} {h.last_status}"
            if h.consecutive_failures:
                health = f"{h.consecutive_failures} bad: {h.last_problem}"
                if h.state == "failing":
                    health = "UNHEALTHY: " + health
            elif h.problems:
                health = f"{h.state}: {'; '.join(h.problems)}"
        table.add_row(
            source.key, source.kind, source.tier, schedule,
            f"{source.confidence} ({source.evidence_date or '?'})", last,
            str(h.last_items) if h and h.last_items is not None else "-",
            str(h.last_new) if h and h.last_new is not None else "-",
            str(h.last_errors) if h and h.last_errors is not None else "-", health,
        )  # fmt: skip
    console = Console(width=200) if not sys.stdout.isatty() else Console()
    console.print(table)
    if note:
        typer.echo(note, err=True)


def _first_lines(text: str, lines: int = 3, width: int = 160) -> list[str]:
    return [line[:width] for line in text.splitlines()[:lines]]


@dataclass
class _CheckOutcome:
    """What `sources check` found: one article page, or a whole crawl of the source."""

    article: tuple[int, Decoded, Extracted] | None = None
    result: CheckResult | None = None


@sources_app.command("check")
def sources_check(
    key: Annotated[str, typer.Argument(help="The source key.")],
    url: Annotated[str | None, typer.Option(help="Crawl this list URL instead.")] = None,
    article: Annotated[
        str | None, typer.Option(help="Check only this article page with the source's rules.")
    ] = None,
    limit: Annotated[int, typer.Option(help="Article pages fetched at most.")] = 3,
    save_fixture: Annotated[
        bool, typer.Option("--save-fixture", help="Record the responses under tests/fixtures.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the items as JSON.")] = False,
    fixture_dir: Annotated[
        Path | None,
        typer.Option(help="Where --save-fixture writes (default: tests/fixtures/sites/KEY)."),
    ] = None,
    replay: Annotated[str | None, typer.Option(hidden=True)] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            help="Read this saved list page, feed (or, with --article, article) "
            "instead of fetching; nothing else is fetched."
        ),
    ] = None,
    content_type: Annotated[
        str | None, typer.Option(help="Content-Type of --file, e.g. 'text/xml; charset=gbk'.")
    ] = None,
) -> None:
    """Fetch a source live (or read a saved file) and print what would be stored, with
    diagnostics. Nothing is written to the database."""
    from capwatch.service import run_under_reactor
    from crawlers.sources import load_sources

    settings = cli_common.settings()
    sources = load_sources(settings.sources_file)
    if key not in sources:
        raise UserError(f"unknown source {key!r}; known: {', '.join(sorted(sources))}")
    source = sources[key]
    if file is not None and not file.is_file():
        raise UserError(f"--file {file}: no such file")
    update: dict[str, object] = {"max_articles": limit}
    if url:
        update["url"] = url
    if article:
        # one article page: a one-link html list is the article step alone
        update.update(url=article, kind="html")
    source = source.model_copy(update=update)
    outcome = _CheckOutcome()

    async def main() -> int:
        from crawlers.check import OfflineFile, check_source

        if article:
            from crawlers.extract import decode_html, extract_article
            from crawlers.extract.encoding import header_charset
            from crawlers.extract.fetch import fetch_page

            if file is not None:  # a saved article page: nothing is fetched
                status, body, header = 0, file.read_bytes(), header_charset(content_type) or ""
            else:
                status, body, header = await fetch_page(article, source.headers)
            decoded = decode_html(body, header, source.encoding)
            found = extract_article(decoded.text, article, source.selectors)
            outcome.article = (status, decoded, found)
            return 0
        offline = OfflineFile(str(file), content_type) if file is not None else None
        outcome.result = await check_source(
            source, settings.crawl_timeout_seconds, keep_responses=save_fixture, replay=replay,
            offline=offline,
        )  # fmt: skip
        return 0

    code = run_under_reactor(main)
    if outcome.article is not None:
        status, decoded, found = outcome.article
        where = f"file {file}" if file is not None else f"HTTP {status}"
        typer.echo(f"{where}  encoding {decoded.encoding} ({decoded.note})")
        typer.echo(json.dumps({**found.as_json(), "method": found.method, "hits": found.hits},
                              ensure_ascii=False, indent=1))  # fmt: skip
        raise typer.Exit(code)
    result = outcome.result
    if result is None:  # main() raised, and run_under_reactor raised it again
        raise typer.Exit(code or 1)
    if as_json:
        typer.echo(json.dumps([_item_json(i) for i in result.items], ensure_ascii=False, indent=1))
    else:
        _print_check(source, result)
    if save_fixture:
        folder = _save_fixture(source, result, fixture_dir)
        typer.echo(f"saved {len(result.saved)} responses and the expected items to {folder}")
    raise typer.Exit(0 if result.items else 1)


def _item_json(item: ArticleItem) -> dict[str, str | None]:
    return {
        "url": item.url,
        "title": item.title,
        "published": item.published_at.isoformat() if item.published_at else None,
        "author": item.author,
        "text": item.body[:200],
    }


def _print_check(source: SourceConfig, result: CheckResult) -> None:
    typer.echo(f"{source.key}: {source.kind} {source.url}  (finish: {result.finish_reason})")
    for diag in result.diagnostics:
        parts = [f"{k}={v}" for k, v in diag.items() if k not in ("url", "kind", "hits")]
        typer.echo(f"  [{diag.get('kind')}] {diag.get('url')}\n      " + "  ".join(parts))
        for name, hit in (diag.get("hits") or {}).items():
            typer.echo(f"      {name}: {hit}")
    if not result.diagnostics:
        for response in result.responses:
            typer.echo(f"  HTTP {response['status']} {response['url']} ({response['bytes']} B)")
    stats = result.stats
    typer.echo(
        f"  requests={stats.get('downloader/request_count', 0)} "
        f"entries={stats.get('capwatch/found', 0)} http_errors="
        f"{stats.get('capwatch/http_errors', 0)} parse_errors="
        f"{stats.get('capwatch/parse_errors', 0)} items={len(result.items)}"
    )
    found = result.link_suggestion
    if found is not None:
        typer.echo(
            f'\n  links = "a[href]" (the default) takes every link of the list page ({found.total}'
            f", menus and footers too); the article links look like {found.count} links under:\n"
            f'      links = "{found.selector}"    # put this in [source.options]\n'
            "      e.g. " + " | ".join(found.examples)
        )
    for item in result.items[:20]:
        when = item.published_at.isoformat() if item.published_at else "no time"
        typer.echo(f"\n- {item.title}\n  {item.url}\n  {when}  author: {item.author or '-'}")
        for line in _first_lines(item.body):
            typer.echo(f"  | {line}")
    if not result.items:
        typer.echo("\nno items: see the diagnostics above (status, encoding, entries).")


def _save_fixture(source: SourceConfig, result: CheckResult, folder: Path | None) -> Path:
    from crawlers.replay import EXPECTED, save_responses

    folder = folder or REPO / "tests" / "fixtures" / "sites" / source.key
    save_responses(folder, result.saved)
    entry = source.model_dump(mode="json", exclude_defaults=True)
    expected = {"source": entry, "items": [_item_json(i) for i in result.items]}
    (folder / EXPECTED).write_text(json.dumps(expected, ensure_ascii=False, indent=1), "utf-8")
    return folder


_SCAFFOLD = """
[[source]]
key = "{key}"
name = "{name}"
kind = "{kind}"
url = "{url}"
lang = "{lang}"
tier = "{tier}"
interval = {interval}
confidence = "low"          # high | medium-high | medium | low-medium | low | unclear
evidence_date = "{today}"
# headers = {{ Referer = "{origin}/" }}
{extra}"""
_EXTRA = {
    "rss": "# follow = true        # fetch each article page instead of storing the feed text\n",
    "sitemap": "[source.options]\nmax_sitemaps = 3\n# max_age_hours = 48\n",
    "html": (
        '[source.options]\nlinks = "a[href]"              # CSS of the article links\n'
        '# link_pattern = "/article/"     # regex the article URLs must match\n\n'
        "# [source.selectors]             # leave out to use generic extraction\n"
        '# title = "h1"\n# body = "div.article-content"\n# time = ".time::text"\n'
    ),
    "json": (
        '[source.options]\nitems = "data.list"     # dotted path to the item list\n'
        'title = "title"\nurl = "url"              # or url_template = "https://x/{id}.html"\n'
        '# time = "showTime"\n# body = "summary"\n# id = "code"\n'
    ),
}


@sources_app.command("new")
def sources_new(
    key: Annotated[str, typer.Option(prompt="Key (lower case, e.g. my_feed)")],
    kind: Annotated[str, typer.Option(prompt="Kind (rss, sitemap, html, json)")],
    url: Annotated[str, typer.Option(prompt="List URL (feed, sitemap, list page or API)")],
    name: Annotated[str | None, typer.Option(help="Display name (default: the key).")] = None,
    lang: Annotated[str, typer.Option(help="zh or en.")] = "zh",
    tier: Annotated[str, typer.Option(help="official, association, wire or media.")] = "media",
    interval: Annotated[int, typer.Option(help="Seconds between crawls.")] = 600,
    file: Annotated[
        Path | None, typer.Option(help="Append to this file (default: CAPWATCH_SOURCES_FILE).")
    ] = None,
) -> None:
    """Scaffold a source entry, append it to your sources file and validate it."""
    from datetime import date
    from urllib.parse import urlsplit

    from crawlers.sources import SourceError, _read_entries, _validate

    if kind not in _EXTRA:
        typer.echo("kind must be rss, sitemap, html or json", err=True)
        raise typer.Exit(2)
    parts = urlsplit(url)
    text = _SCAFFOLD.format(
        key=key, name=name or key, kind=kind, url=url, lang=lang, tier=tier, interval=interval,
        today=date.today().isoformat(), origin=f"{parts.scheme}://{parts.netloc}",
        extra=_EXTRA[kind],
    )  # fmt: skip
    try:
        _validate(_read_entries(text, "new entry"), "new entry")
    except SourceError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    target = file or cli_common.settings().sources_file
    if target is None:
        typer.echo(text)
        typer.echo("# set CAPWATCH_SOURCES_FILE (or pass --file) to save this entry", err=True)
        return
    target = Path(target)
    existing = target.read_text("utf-8") if target.exists() else ""
    if existing and not existing.endswith("\n"):
        existing += "\n"
    combined = existing + ("\n" if existing else "") + text
    from crawlers.sources import builtin_sources

    try:  # the whole file as it would be written, before anything is written
        _validate(_read_entries(combined, str(target)), str(target))
    except SourceError as exc:
        typer.echo(f"capwatch: {exc}; {target} is unchanged", err=True)
        raise typer.Exit(2) from exc
    write_atomically(target, combined)
    note = ""
    if key in builtin_sources():
        note = f" (it replaces the built-in source {key!r})"
    typer.echo(f"added {key!r} to {target}{note}; next: capwatch sources check {key}")


def write_atomically(target: Path, text: str) -> None:
    """Replace `target` in one step: a crash or full disk never leaves half a file."""
    import os
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if target.exists():
            os.chmod(temp, target.stat().st_mode & 0o777)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def extract(
    file: Annotated[Path, typer.Argument(help="A saved HTML page.", exists=True)],
    url: Annotated[str | None, typer.Option(help="The page's URL (resolves links).")] = None,
    source: Annotated[
        str | None, typer.Option(help="Use this source's selectors (default: generic).")
    ] = None,
    explain: Annotated[bool, typer.Option(help="Also print encoding and rules used.")] = False,
) -> None:
    """Print the extraction of a saved article page as JSON {"title","text","published",
    "author"}: generic extraction, or a source's selectors with --source."""
    from crawlers.extract import decode_html, extract_article

    selectors = None
    encoding = None
    if source:
        from crawlers.sources import load_sources

        sources = load_sources(cli_common.settings().sources_file)
        if source not in sources:
            raise UserError(f"unknown source {source!r}; known: {', '.join(sorted(sources))}")
        entry = sources[source]
        selectors, encoding = entry.selectors, entry.encoding
    decoded = decode_html(file.read_bytes(), None, encoding)
    found = extract_article(decoded.text, url, selectors)
    out = found.as_json()
    if explain:
        out["explain"] = {"encoding": decoded.encoding, "note": decoded.note,
                          "method": found.method, "hits": found.hits}  # fmt: skip
    typer.echo(json.dumps(out, ensure_ascii=False, indent=1))


def register(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")
    app.command("extract")(extract)
