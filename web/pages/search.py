"""Archive search (db/search_queries.py, as `capwatch search`): the page, CSV and JSON Lines."""

from __future__ import annotations

import csv
import io
import json
from typing import get_args

from aiohttp import web

from db.search import SearchHit, SearchQuery, Sort, search_articles
from db.sources import source_labels
from web import vocab
from web.params import Params, with_params
from web.render import console, render

PER_PAGE = 20
DOWNLOAD_MAX = 1000
CSV_COLUMNS = [
    "article_id", "article_time", "source_key", "source_name", "source_tier", "lang", "title",
    "url", "relevant", "score", "sectors", "actions", "event_id", "rank", "snippet",
]  # fmt: skip


def _query(p: Params, limit: int, offset: int) -> SearchQuery:
    return SearchQuery(
        text=p.text("q", 200),
        sectors=p.many("sector"),
        actions=p.many("action"),
        sources=p.many("source"),
        tiers=p.many("tier", dict(vocab.tier_choices())),
        langs=p.many("lang", {"zh": "zh", "en": "en"}),
        since=p.when("since"),
        until=p.when("until", end_of_day=True),
        relevant_only=p.flag("relevant"),
        limit=limit,
        offset=offset,
        sort=p.choice("sort", get_args(Sort)),  # type: ignore[arg-type]  # one of Sort's values
    )


async def search_page(request: web.Request) -> web.Response:
    app = console(request)
    p = Params(request.query)
    page = p.number("page", 1, 1, 50)
    q = _query(p, PER_PAGE + 1, (page - 1) * PER_PAGE)
    async with app.pool.connection() as conn:
        hits = await search_articles(conn, q)  # no words: the newest articles
        sources = await source_labels(conn)
    download = with_params(request.query, page=None)
    return render(
        request,
        "search.html",
        title=f"Search: {q.text}" if q.text else "Search",
        q=q,
        hits=hits[:PER_PAGE],
        page=page,
        first=(page - 1) * PER_PAGE + 1,
        prev_url=f"?{with_params(request.query, page=page - 1)}" if page > 1 else None,
        next_url=f"?{with_params(request.query, page=page + 1)}" if len(hits) > PER_PAGE else None,
        csv_url=f"/search.csv?{download}",
        jsonl_url=f"/search.jsonl?{download}",
        form={k: p.text(k, 40) for k in ("since", "until")},
        sources=sources,
        problems=p.problems,
    )


async def _download_hits(request: web.Request) -> list[SearchHit]:
    p = Params(request.query)
    q = _query(p, p.number("limit", 200, 1, DOWNLOAD_MAX), 0)
    async with console(request).pool.connection() as conn:
        return await search_articles(conn, q)


def _attachment(body: str, content_type: str, name: str) -> web.Response:
    response = web.Response(text=body, content_type=content_type, charset="utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


async def search_csv(request: web.Request) -> web.Response:
    """The results as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for hit in await _download_hits(request):
        row = hit.to_dict()
        row["sectors"], row["actions"] = " ".join(hit.sectors), " ".join(hit.actions)
        writer.writerow(row)
    return _attachment(out.getvalue(), "text/csv", "capwatch-search.csv")


async def search_jsonl(request: web.Request) -> web.Response:
    lines = (json.dumps(hit.to_dict(), ensure_ascii=False) for hit in await _download_hits(request))
    return _attachment(
        "".join(line + "\n" for line in lines), "application/x-ndjson", "capwatch-search.jsonl"
    )
