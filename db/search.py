"""Archive search: the SQL behind `capwatch search` and the bot's /search.

Matching is an exact, case-insensitive substring test of every query word (AND) against
title + body, in any script variant (db/search_terms.py). Indexes (0002_search.sql): pg_trgm
for words of 3+ characters, the 1-2 character gram index for shorter ones, so both rare and
short words are index lookups. A word that is everywhere (光伏 in a PV archive) would make an
index lookup visit most of the table, so the search first walks the newest SAMPLE_ROWS
articles in time order and stops as soon as it has enough matches (with "relevant only", the
relevant ones, by their own time index: 0011_relevant_time.sql). When that comes up short,
what it saw decides the rest (db/search_plan.py): walk further when the match rate makes that
cheaper, else look up only the rare words in the indexes and test the others on the rows found.
Either way the candidates are the newest `candidates` matches, which are then ranked (recency,
detection score, similarity of the title to the query) in Python.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from psycopg import AsyncConnection
from psycopg.rows import dict_row

from db.search_plan import SAMPLE_ROWS, Sample, lookup_window, lookup_words, walk_rows
from db.search_terms import Snippet, Term, like_pattern, make_snippet, parse_terms, uses_grams

TIME = "coalesce(a.published_at, a.first_seen_at)"
RELEVANT_TIME = "r.article_time"  # the same time, kept on relevant detections (0011)
RELEVANT_INDEX = "detections_relevant_time"  # its index (0011): its size is the relevant rows
TEXT = "article_search_text(a.title, a.body)"
GRAMS = f"article_grams({TEXT})"
MIN_CANDIDATES = 100
WORK_MEM = "64MB"
HALF_LIFE_DAYS = 30.0
WEIGHTS = {"recency": 0.40, "score": 0.35, "similarity": 0.25}

Sort = Literal["rank", "newest"]


@dataclass(frozen=True)
class SearchQuery:
    """What to look for. Empty `text` lists the newest articles that pass the filters."""

    text: str = ""
    sectors: tuple[str, ...] = ()  # any of these detection sectors
    actions: tuple[str, ...] = ()  # any of these detection actions
    sources: tuple[str, ...] = ()  # source keys
    tiers: tuple[str, ...] = ()  # official | association | wire | media
    langs: tuple[str, ...] = ()
    since: datetime | None = None  # article time >= since
    until: datetime | None = None  # article time < until
    relevant_only: bool = False
    event_id: str | None = None
    limit: int = 20
    offset: int = 0
    sort: Sort = "rank"

    @property
    def terms(self) -> list[Term]:
        return parse_terms(self.text)


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    title: str
    url: str
    source_key: str
    source_name: str | None
    source_tier: str | None
    lang: str | None
    article_time: datetime
    published_at: datetime | None
    first_seen_at: datetime
    relevant: bool
    score: float | None
    sectors: tuple[str, ...]
    actions: tuple[str, ...]
    event_id: str | None
    similarity: float
    rank: float
    snippet: Snippet = field(default_factory=lambda: Snippet(""))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; times in ISO 8601 (UTC), the snippet plain, marked and as HTML."""
        data = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "snippet"}
        for key in ("article_time", "published_at", "first_seen_at"):
            data[key] = data[key].isoformat() if data[key] else None
        data["sectors"], data["actions"] = list(self.sectors), list(self.actions)
        data["rank"], data["similarity"] = round(self.rank, 4), round(self.similarity, 4)
        data["snippet"] = self.snippet.marked()
        data["snippet_html"] = self.snippet.html()
        return data


def recency(when: datetime, now: datetime) -> float:
    """1.0 for now, 0.5 after HALF_LIFE_DAYS, 0.25 after twice that."""
    age_days = max((now - when).total_seconds(), 0.0) / 86400
    return math.pow(0.5, age_days / HALF_LIFE_DAYS)


def rank_of(when: datetime, score: float | None, similarity: float, now: datetime) -> float:
    return (
        WEIGHTS["recency"] * recency(when, now)
        + WEIGHTS["score"] * (score or 0.0)
        + WEIGHTS["similarity"] * similarity
    )


class _Sql:
    """Collects WHERE clauses and their parameters (values never enter the SQL text)."""

    def __init__(self) -> None:
        self.where: list[str] = []
        self.params: dict[str, Any] = {}
        self.joins: dict[str, str] = {}

    def add(self, clause: str, **params: Any) -> None:
        self.where.append(clause)
        self.params.update(params)

    def where_sql(self) -> str:
        return " AND ".join(self.where) if self.where else "true"


def _filters(q: SearchQuery, sql: _Sql, join: str = "JOIN") -> None:
    """Everything but the words and the date range."""
    if q.sectors or q.actions or q.relevant_only:
        sql.joins["d"] = f"{join} detections d ON d.article_id = a.id"
    if q.sectors:
        sql.add("d.sectors && %(sectors)s", sectors=list(q.sectors))
    if q.actions:
        sql.add("d.actions && %(actions)s", actions=list(q.actions))
    if q.relevant_only:
        sql.add("d.relevant")
    if q.tiers:
        # the tiers' source keys, read once: a test on the row keeps a walk in time order
        # (a hash join to sources would make it read and sort its whole budget)
        sql.add(
            "a.source_key = ANY(ARRAY(SELECT s.key FROM sources s WHERE s.tier = ANY(%(tiers)s)))",
            tiers=list(q.tiers),
        )
    if q.sources:
        sql.add("a.source_key = ANY(%(sources)s)", sources=list(q.sources))
    if q.langs:
        sql.add("a.lang = ANY(%(langs)s)", langs=list(q.langs))
    if q.event_id:
        sql.add(
            "EXISTS (SELECT 1 FROM event_articles ea"
            " WHERE ea.article_id = a.id AND ea.event_id = %(event_id)s)",
            event_id=q.event_id,
        )


def _time_range(q: SearchQuery, sql: _Sql, time: str = TIME) -> None:
    if q.since:
        sql.add(f"{time} >= %(since)s", since=q.since)
    if q.until:
        sql.add(f"{time} < %(until)s", until=q.until)


def _newest_rows(q: SearchQuery, sql: _Sql, limit: str) -> str:
    """The newest `limit` articles in the time range, newest first, as a subquery `a` (id,
    source_key, lang, title, body, t). With relevant_only they come from the relevant
    detections' own time index (0011_relevant_time.sql), so a walk reads only relevant rows
    instead of reading and dropping the others (~20 of 21 in the benchmark archive). Both
    indexes order by (time, id) newest first: either way the same rows in the same order."""
    if q.relevant_only:
        _time_range(q, sql, RELEVANT_TIME)
        return f"""
            SELECT a.id, a.source_key, a.lang, a.title, a.body, {RELEVANT_TIME} AS t
            FROM detections r JOIN articles a ON a.id = r.article_id
            WHERE r.relevant AND {sql.where_sql()}
            ORDER BY {RELEVANT_TIME} DESC, r.article_id DESC LIMIT %({limit})s"""
    _time_range(q, sql)
    return f"""
        SELECT a.id, a.source_key, a.lang, a.title, a.body, {TIME} AS t
        FROM articles a WHERE {sql.where_sql()}
        ORDER BY {TIME} DESC, a.id DESC LIMIT %({limit})s"""


def _beyond_walk(q: SearchQuery) -> SearchQuery:
    """The filters a walk still tests on each row: relevant-only is not one when the walk
    reads only relevant rows (_newest_rows), which saves a detections lookup per row."""
    return replace(q, relevant_only=False)


def _scan_form(variant: str, name: str, sql: _Sql) -> str:
    """A plain test on the row (no index): LIKE when the word has no letter case (Chinese,
    digits), which is cheaper than ILIKE's lower-casing of the whole text."""
    sql.params[name] = like_pattern(variant)
    op = "LIKE" if variant.upper() == variant.lower() else "ILIKE"
    return f"(a.title {op} %({name})s OR a.body {op} %({name})s)"


def _words(terms: list[Term], sql: _Sql, *, indexed: bool, lookup: set[int] | None = None) -> None:
    """Each word as an OR of its variants. Indexed: the words in `lookup` (default all) in
    their index form, 3+ characters as trigrams, 1-2 characters as grams only when no longer
    word drives the lookup (a trigram hit is rechecked on the row, and that recheck would
    recompute the grams); every other word is tested on the row. A word's trigram variants
    are one `LIKE ANY`: one bitmap scan, and the recheck lower-cases the text once per word
    instead of once per variant (2.2 -> 1.3 ms per 100 rows rechecked, 宁德时代 反内卷)."""
    lookup = set(range(len(terms))) if lookup is None else lookup
    any_long = any(not uses_grams(v) for i in lookup for v in terms[i].variants)
    for i, term in enumerate(terms):
        ors, trigrams = [], []
        for j, variant in enumerate(term.variants):
            name = f"w{i}_{j}"
            if not indexed or i not in lookup or (uses_grams(variant) and any_long):
                ors.append(_scan_form(variant, name, sql))
            elif uses_grams(variant):
                ors.append(f"{GRAMS} @> %({name})s")
                sql.params[name] = [variant]
            else:
                trigrams.append(like_pattern(variant))
        if trigrams:
            ors.append(f"{TEXT} LIKE ANY(%(w{i})s)")
            sql.params[f"w{i}"] = trigrams
        sql.where.append("(" + " OR ".join(ors) + ")")


async def _newest_by_scan(
    conn: AsyncConnection, q: SearchQuery, terms: list[Term], want: int, budget: int
) -> list[int] | None:
    """The newest `want` matches among the newest `budget` articles, or None when short."""
    ids = await _walk(conn, q, terms, want, budget)
    return ids if len(ids) >= want else None


async def _walk(
    conn: AsyncConnection, q: SearchQuery, terms: list[Term], want: int, budget: int
) -> list[int]:
    """The newest matches (at most `want`) among the newest `budget` articles: stops reading
    as soon as it has `want` of them."""
    inner, kept, outer = _Sql(), _Sql(), _Sql()
    newest = _newest_rows(q, inner, "budget")
    _filters(_beyond_walk(q), kept)
    _words(terms, outer, indexed=False)
    # the filters (cheap: joins on keys) run first, behind an OFFSET 0 fence, so the words
    # (a substring test of each body) are tested only on the rows that pass them; the ORDER
    # BY there costs nothing (the rows come in that order) but tells the planner so, and the
    # walk stops at `want` matches instead of reading and sorting its whole budget
    query = f"""
        SELECT a.id FROM (
            SELECT a.id, a.title, a.body, a.t FROM ({newest}) a
            {" ".join(kept.joins.values())}
            WHERE {kept.where_sql()} ORDER BY a.t DESC, a.id DESC OFFSET 0) a
        WHERE {outer.where_sql()}
        ORDER BY a.t DESC, a.id DESC LIMIT %(want)s"""
    cur = await conn.execute(
        query, {**inner.params, **kept.params, **outer.params, "budget": budget, "want": want}
    )
    return [row[0] for row in await cur.fetchall()]


async def _sample(
    conn: AsyncConnection, q: SearchQuery, terms: list[Term], want: int, rows: int
) -> Sample:
    """Walk the newest `rows` articles testing every word on each: the newest matches, and
    how often each word occurs (db/search_plan.py decides from that how to go on). Stops at
    the `want`th match: running counts travel with each match, and the walk's last row comes
    back too (with the counts over every row walked) when the matches fall short."""
    inner, outer = _Sql(), _Sql()
    newest = _newest_rows(q, inner, "rows")
    _filters(_beyond_walk(q), outer, join="LEFT JOIN")
    hits = [
        " OR ".join(_scan_form(v, f"w{i}_{j}", outer) for j, v in enumerate(term.variants))
        for i, term in enumerate(terms)
    ]
    every = " AND ".join(f"h{i}" for i in range(len(terms)))
    counts = "".join(f", count(*) FILTER (WHERE h{i}) OVER w AS c{i}" for i in range(len(terms)))
    # OFFSET 0: each word is tested once per row, not once per window function; its ORDER BY
    # (the order the rows come in) lets the window stream, so the LIMIT stops the walk
    word_rows = "".join(f", x.c{i}" for i in range(len(terms)))
    query = f"""
        SELECT x.id, x.hit, x.seen, x.every_rows, x.last, x.newest, x.t{word_rows}
        FROM (SELECT a.id, a.t, a.ok AND {every} AS hit, row_number() OVER w AS seen,
                     count(*) FILTER (WHERE {every}) OVER w AS every_rows,
                     first_value(a.t) OVER w AS newest,
                     lead(a.id) OVER w IS NULL AS last{counts}
              FROM (SELECT a.id, a.t, coalesce({outer.where_sql()}, false) AS ok,
                           {", ".join(f"({h}) AS h{i}" for i, h in enumerate(hits))}
                    FROM ({newest}) a
                    {" ".join(outer.joins.values())}
                    ORDER BY a.t DESC, a.id DESC OFFSET 0) a
              WINDOW w AS (ORDER BY a.t DESC, a.id DESC ROWS UNBOUNDED PRECEDING)) x
        WHERE x.hit OR x.last
        LIMIT %(want)s"""
    cur = await conn.execute(query, {**inner.params, **outer.params, "rows": rows, "want": want})
    found = await cur.fetchall()
    if not found:  # nothing in the range
        return Sample(0, [], tuple(0 for _ in terms), 0)
    ids = [row[0] for row in found if row[1]]
    _, _, seen, every_rows, last, newest, t, *counts_seen = found[-1]
    return Sample(
        seen,
        ids,
        tuple(counts_seen),
        every_rows,
        complete=last and seen < rows,
        newest_at=newest,
        oldest_at=t if last else None,
    )


async def _newest_by_index(
    conn: AsyncConnection,
    q: SearchQuery,
    terms: list[Term],
    want: int,
    lookup: set[int] | None = None,
) -> list[int]:
    """Bitmap lookups in the search indexes. The planner cannot know that a row-by-row test
    of the gram or trigram expression costs 5-100 us, and its estimate for a rare word may
    lead it to walk the time index testing every row (seconds, measured): so while this
    query is planned, plain index and sequential scans of articles are switched off."""
    sql = _Sql()
    _time_range(q, sql)
    _filters(q, sql)
    _words(terms, sql, indexed=True, lookup=lookup)
    query = f"""
        SELECT a.id FROM articles a {" ".join(sql.joins.values())}
        WHERE {sql.where_sql()}
        ORDER BY {TIME} DESC, a.id DESC LIMIT %(want)s"""
    steer = {"enable_indexscan": "off", "enable_seqscan": "off"} if terms else {}
    async with _local_settings(conn, steer):
        cur = await conn.execute(query, {**sql.params, "want": want})
        return [row[0] for row in await cur.fetchall()]


@asynccontextmanager
async def _local_settings(conn: AsyncConnection, settings: dict[str, str]) -> AsyncIterator[None]:
    """Planner/executor settings for the enclosed queries only, restored afterwards (a caller's
    own transaction keeps its settings). On error the enclosing savepoint undoes them."""
    saved = {}
    for name, value in settings.items():
        cur = await conn.execute(
            "SELECT current_setting(%s), set_config(%s, %s, true)", (name, name, value)
        )
        row = await cur.fetchone()
        assert row is not None
        saved[name] = row[0]
    yield
    for name, value in saved.items():
        await conn.execute("SELECT set_config(%s, %s, true)", (name, value))


async def table_rows(conn: AsyncConnection, relation: str = "articles") -> float:
    """The planner's row count of articles, or of another relation (cheap; exact enough for
    the plan)."""
    cur = await conn.execute(
        "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", (relation,)
    )
    row = await cur.fetchone()
    return max(float(row[0]) if row else 0.0, 10_000.0)


async def candidate_ids(conn: AsyncConnection, q: SearchQuery) -> list[int]:
    """The newest matches (at least MIN_CANDIDATES when ranking), newest first."""
    terms = q.terms
    want = q.offset + q.limit if q.sort == "newest" else max(MIN_CANDIDATES, q.offset + q.limit)
    # room for exact bitmaps: a lossy page would make PostgreSQL recompute the grams of
    # every row on it
    async with conn.transaction(), _local_settings(conn, {"work_mem": WORK_MEM}):
        lookup = None
        if terms and not q.event_id:
            rows = await table_rows(conn)
            # a walk of the newest articles that stops at `want` matches; when they fall
            # short it has counted each word without the filters (the same rows, tested once
            # each), since that count, not the filtered one, is what an index lookup reads
            # and rechecks (a frequent word with a selective filter: 13 s by the index at 1M
            # rows, where walking on costs a fraction of a second)
            sample = await _sample(conn, q, terms, want, SAMPLE_ROWS)
            if len(sample.ids) >= want or sample.complete:
                return sample.ids
            short = tuple(all(uses_grams(v) for v in t.variants) for t in terms)
            lookup = lookup_words(sample, short)
            further = walk_rows(len(sample.ids), sample.seen, want, rows, lookup)
            if further:
                found = await _newest_by_scan(conn, q, terms, want, further)
                if found is not None:
                    return found
            # the lookup confined to the newest rows that should hold `want` matches: when it
            # finds them, no older match can be among the newest (else the whole lookup)
            walked = await table_rows(conn, RELEVANT_INDEX) if q.relevant_only else rows
            since = lookup_window(sample, want, walked)
            if since is not None and (q.since is None or since > q.since):
                window = replace(q, since=since)
                found = await _newest_by_index(conn, window, terms, want, lookup.words)
                if len(found) >= want:
                    return found
        return await _newest_by_index(conn, q, terms, want, lookup.words if lookup else None)


_DETAILS = f"""
    SELECT a.id AS article_id, a.title, a.body, a.url, a.source_key, s.name AS source_name,
           s.tier AS source_tier, a.lang, {TIME} AS article_time, a.published_at,
           a.first_seen_at, coalesce(d.relevant, false) AS relevant, d.score,
           coalesce(d.sectors, '{{}}') AS sectors, coalesce(d.actions, '{{}}') AS actions,
           ea.event_id,
           (SELECT coalesce(max(word_similarity(v, lower(a.title))), 0)
            FROM unnest(%(phrases)s::text[]) v) AS similarity
    FROM articles a
    LEFT JOIN sources s ON s.key = a.source_key
    LEFT JOIN detections d ON d.article_id = a.id
    LEFT JOIN event_articles ea ON ea.article_id = a.id
    WHERE a.id = ANY(%(ids)s)"""


async def search_articles(
    conn: AsyncConnection, q: SearchQuery, now: datetime | None = None
) -> list[SearchHit]:
    """Articles matching every word of q.text and the filters, best first (or newest first
    with sort="newest"), each with a highlighted snippet. Read-only; runs in its own
    transaction, or a savepoint of the caller's, and never commits the caller's work."""
    from db.search_terms import script_variants

    terms = q.terms
    ids = await candidate_ids(conn, q)
    if not ids:
        return []
    phrases = list(script_variants(" ".join(t.text for t in terms))) if terms else []
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(_DETAILS, {"ids": ids, "phrases": phrases})
        rows = {row["article_id"]: row for row in await cur.fetchall()}
    now = now or datetime.now(UTC)
    hits = []
    for article_id in ids:
        row = rows.get(article_id)
        if row is None:  # deleted since the candidates were found
            continue
        body = row.pop("body")
        row["similarity"] = float(row["similarity"])
        row["sectors"], row["actions"] = tuple(row["sectors"]), tuple(row["actions"])
        rank = rank_of(row["article_time"], row["score"], row["similarity"], now)
        hits.append(SearchHit(**row, rank=rank, snippet=make_snippet(row["title"], body, terms)))
    if q.sort == "rank":
        hits.sort(key=lambda h: (-h.rank, -h.article_time.timestamp(), -h.article_id))
    return hits[q.offset : q.offset + q.limit]
