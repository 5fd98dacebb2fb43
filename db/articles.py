"""The SQL of articles and their detections: store a crawl's batch, hand pending articles to
the detector, record what it found, read them back for re-detection and health.

Callers own transactions (nothing here commits)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from db.models import Coverage, NewArticle, ScopedArticle, StoredArticle


async def insert_articles(
    conn: AsyncConnection, crawl_run_id: int | None, articles: Sequence[NewArticle]
) -> int:
    """Store a batch; rows already known (same URL or same source id) are skipped. Returns new."""
    if not articles:
        return 0
    async with conn.cursor() as cur:
        await cur.executemany(
            """
            INSERT INTO articles (source_key, external_id, url, title, body, lang, author,
                                  published_at, crawl_run_id, raw)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT DO NOTHING
            RETURNING id
            """,
            [
                (
                    a.source_key,
                    a.external_id,
                    a.url,
                    a.title,
                    a.body,
                    a.lang,
                    a.author,
                    a.published_at,
                    crawl_run_id,
                    Jsonb(a.raw) if a.raw is not None else None,
                )
                for a in articles
            ],
            returning=True,
        )
        new = 0
        while True:
            if await cur.fetchone() is not None:
                new += 1
            if not cur.nextset():
                break
    return new


async def known_urls(conn: AsyncConnection, urls: Sequence[str]) -> set[str]:
    """The URLs of `urls` already stored as articles (by any source)."""
    if not urls:
        return set()
    cur = await conn.execute("SELECT url FROM articles WHERE url = ANY(%s)", (list(urls),))
    return {row[0] for row in await cur.fetchall()}


async def claim_pending_articles(conn: AsyncConnection, limit: int) -> list[StoredArticle]:
    """Articles not yet detected, earliest report first (a backfill stores newest first; its
    events must open with their earliest report), locked for this transaction."""
    async with conn.cursor(row_factory=class_row(StoredArticle)) as cur:
        await cur.execute(
            """
            SELECT id, source_key, url, title, body, lang, published_at, first_seen_at
            FROM articles WHERE detected_at IS NULL
            ORDER BY coalesce(published_at, first_seen_at), id LIMIT %s FOR UPDATE SKIP LOCKED
            """,
            (limit,),
        )
        return await cur.fetchall()


async def mark_detected(conn: AsyncConnection, article_ids: Sequence[int]) -> None:
    await conn.execute(
        "UPDATE articles SET detected_at = now() WHERE id = ANY(%s)", (list(article_ids),)
    )


async def save_detection(
    conn: AsyncConnection, article_id: int, detection: dict[str, Any], version: str
) -> None:
    await conn.execute(
        """
        INSERT INTO detections (article_id, relevant, score, sectors, actions, actors, figures,
                                evidence, detector_version)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (article_id) DO UPDATE SET relevant = EXCLUDED.relevant,
            score = EXCLUDED.score, sectors = EXCLUDED.sectors, actions = EXCLUDED.actions,
            actors = EXCLUDED.actors, figures = EXCLUDED.figures, evidence = EXCLUDED.evidence,
            detector_version = EXCLUDED.detector_version, detected_at = now()
        """,
        (
            article_id,
            detection["relevant"],
            detection["score"],
            list(detection["sectors"]),
            list(detection["actions"]),
            list(detection.get("actors", ())),
            list(detection.get("figures", ())),
            Jsonb(detection.get("evidence", [])),
            version,
        ),
    )


async def scoped_articles(conn: AsyncConnection, since: datetime | None) -> list[ScopedArticle]:
    """Articles already through the detector (pending ones are the live detector's), in the
    order their reports happened: published time, else first seen."""
    async with conn.cursor(row_factory=class_row(ScopedArticle)) as cur:
        await cur.execute(
            """
            SELECT a.id, a.source_key, a.url, a.title, a.body, a.lang, a.published_at,
                   a.first_seen_at, d.relevant AS was_relevant, d.score AS old_score,
                   d.sectors AS old_sectors, d.actions AS old_actions, ea.event_id
            FROM articles a
            LEFT JOIN detections d ON d.article_id = a.id
            LEFT JOIN event_articles ea ON ea.article_id = a.id
            WHERE a.detected_at IS NOT NULL
              AND (%(since)s::timestamptz IS NULL
                   OR COALESCE(a.published_at, a.first_seen_at) >= %(since)s::timestamptz)
            ORDER BY COALESCE(a.published_at, a.first_seen_at), a.id
            """,
            {"since": since},
        )
        return await cur.fetchall()


async def field_coverage(
    conn: AsyncConnection, keys: list[str], sample: int = 100
) -> dict[str, Coverage]:
    """Of the newest `sample` articles of each source: the share with a title, a time, a body,
    and when the newest was first seen.

    One branch per source with the key as a literal: the planner then sees from its statistics
    that a source has few or no articles and reads articles_source_recent, where a generic
    `source_key = $1` made it walk the whole table backwards by id for such a source (0.5 s
    at 20k articles, seconds at 1M)."""
    if not keys:
        return {}
    newest = sql.SQL(" UNION ALL ").join(
        sql.SQL(
            "(SELECT source_key, title, published_at, body, first_seen_at FROM articles"
            " WHERE source_key = {key} ORDER BY id DESC LIMIT {n})"
        ).format(key=sql.Literal(key), n=sql.Literal(sample))
        for key in keys
    )
    query = sql.SQL(
        """
        SELECT k AS source_key, count(a.source_key)::int AS sampled,
               coalesce(avg((a.title <> '')::int), 0)::float AS title,
               coalesce(avg((a.published_at IS NOT NULL)::int), 0)::float AS published,
               coalesce(avg((length(a.body) > 0)::int), 0)::float AS body,
               max(a.first_seen_at) AS last_seen_at
        FROM unnest({keys}::text[]) AS k LEFT JOIN ({newest}) a ON a.source_key = k
        GROUP BY k
        """
    ).format(keys=sql.Literal(keys), newest=newest)
    async with conn.cursor(row_factory=class_row(Coverage)) as cur:
        await cur.execute(query)
        return {row.source_key: row for row in await cur.fetchall()}


async def first_article_of_event(conn: AsyncConnection, event_id: str) -> StoredArticle | None:
    """The report that opens an event (its earliest), as the detector read it."""
    async with conn.cursor(row_factory=class_row(StoredArticle)) as cur:
        await cur.execute(
            """
            SELECT a.id, a.source_key, a.url, a.title, a.body, a.lang, a.published_at,
                   a.first_seen_at
            FROM events e JOIN articles a ON a.id = e.first_article_id
            WHERE e.id = %s
            """,
            (event_id,),
        )
        return await cur.fetchone()
