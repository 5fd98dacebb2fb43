"""The detector's vocabulary on the command line: `capwatch vocab`, and the checks that keep
`--sector`, `--action`, `--tier`, `--lang` and `--source` to words capwatch knows (a typo is an
error that says so, not an empty result)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, get_args

import typer

from detection import vocabulary
from detection.vocabulary import Kind

LANGS = ("zh", "en")


def _slugs(values: list[str] | None, kind: Kind, option: str) -> list[str] | None:
    if not values:
        return values
    found = []
    for value in values:
        slug = vocabulary.resolve(value, kind)
        if slug is None:
            raise typer.BadParameter(
                f"unknown {kind} {value!r}; `capwatch vocab` lists the {kind}s with their names",
                param_hint=option,
            )
        found.append(slug)
    return found


def check_sectors(values: list[str] | None) -> list[str] | None:
    """Slugs or names ("pv_glass", "PV glass", "光伏玻璃") -> slugs; unknown ones refused."""
    return _slugs(values, "sector", "--sector")


def check_actions(values: list[str] | None) -> list[str] | None:
    return _slugs(values, "action", "--action")


def check_tiers(values: list[str] | None) -> list[str] | None:
    from crawlers.sources import Tier

    known = get_args(Tier)
    for value in values or ():
        if value not in known:
            raise typer.BadParameter(
                f"unknown tier {value!r}; tiers are {', '.join(known)}", param_hint="--tier"
            )
    return values


def check_langs(values: list[str] | None) -> list[str] | None:
    for value in values or ():
        if value not in LANGS:
            raise typer.BadParameter(
                f"unknown language {value!r}; languages are {', '.join(LANGS)}",
                param_hint="--lang",
            )
    return values


def check_sources(values: list[str] | None) -> list[str] | None:
    if not values:
        return values
    from capwatch.cli_common import settings
    from crawlers.sources import load_sources

    known = load_sources(settings().sources_file)
    for value in values:
        if value not in known:
            raise typer.BadParameter(
                f"unknown source {value!r}; `capwatch sources list --no-db` lists them",
                param_hint="--source",
            )
    return values


class VocabKind(StrEnum):
    sector = "sector"
    action = "action"
    actor = "actor"


_KINDS: dict[VocabKind, Kind] = {
    VocabKind.sector: "sector",
    VocabKind.action: "action",
    VocabKind.actor: "actor",
}


def vocab(
    kind: Annotated[
        list[VocabKind] | None,
        typer.Option("--kind", help="sector, action or actor (repeat); default sector and action."),
    ] = None,
) -> None:
    """List the sectors and actions (and actors) capwatch detects: slug, English, Chinese.

    The slugs, or either name, are what --sector/--action and the bot's /subscribe take."""
    kinds: list[Kind] = [_KINDS[k] for k in kind] if kind else ["sector", "action"]
    for index, name in enumerate(kinds):
        terms = vocabulary.vocabulary().of(name)
        if index:
            typer.echo("")
        typer.echo(f"{name}s ({len(terms)}):")
        width = max(len(t.slug) for t in terms) if terms else 0
        for t in terms:
            typer.echo(f"{t.slug:<{width}}  {t.en}  {t.zh}")


def register(app: typer.Typer) -> None:
    """Adds this concern's commands to the `capwatch` app."""
    app.command("vocab")(vocab)
