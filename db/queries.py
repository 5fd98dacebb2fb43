"""All of capwatch's SQL, as thin typed async functions over a psycopg connection.

Callers own transactions: a function never commits, so a stage can put several calls in one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from db.models import CrawlRunResult, NewArticle, OutboxMessage, StoredArticle

ARTICLES_CHANNEL = "capwatch_articles"
OUTBOX_CHANNEL = "capwatch_outbox"


async def notify(conn: AsyncConnection, channel: str) -> None:
    await conn.execute("SELECT pg_notify(%s, '')", (channel,))


# --- sources and crawl runs -------------------------------------------------------------------


async def upsert_source(
    conn: AsyncConnection,
    key: str,
    name: str,
    kind: str,
    tier: str,
    lang: str | None,
    enabled: bool,
    config: dict[str, Any],
) -> None:
    await conn.execute(
        """
        INSERT INTO sources (key, name, kind, tier, lang, enabled, config)
        VALUES (%s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
            tier = EXCLUDED.tier, lang = EXCLUDED.lang, enabled = EXCLUDED.enabled,
            config = EXCLUDED.config, updated_at = now()
        """,
        (key, name, kind, tier, lang, enabled, Jsonb(config)),
    )


async def start_crawl_run(conn: AsyncConnection, source_key: str, executor: str) -> int:
    cur = await conn.execute(
        "INSERT INTO crawl_runs (source_key, executor) VALUES (%s, %s) RETURNING id",
        (source_key, executor),
    )
    row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def finish_crawl_run(conn: AsyncConnection, run_id: int, result: CrawlRunResult) -> None:
    await conn.execute(
        """
        UPDATE crawl_runs SET status = %s, finish_reason = %s, requests = %s, items = %s,
            new_articles = %s, errors = %s, duration_s = %s, stats = %s, finished_at = now()
        WHERE id = %s
        """,
        (
            result.status,
            result.finish_reason,
            result.requests,
            result.items,
            result.new_articles,
            result.errors,
            result.duration_s,
            Jsonb(result.stats),
            run_id,
        ),
    )


# --- articles ---------------------------------------------------------------------------------


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


async def claim_pending_articles(conn: AsyncConnection, limit: int) -> list[StoredArticle]:
    """Articles not yet detected, oldest first, locked for this transaction."""
    async with conn.cursor(row_factory=class_row(StoredArticle)) as cur:
        await cur.execute(
            """
            SELECT id, source_key, url, title, body, lang, published_at, first_seen_at
            FROM articles WHERE detected_at IS NULL
            ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED
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


# --- events -----------------------------------------------------------------------------------


async def upsert_event(
    conn: AsyncConnection,
    event_id: str,
    headline: str,
    sectors: Sequence[str],
    actions: Sequence[str],
    actors: Sequence[str],
    article_id: int,
    seen_at: datetime,
    state: dict[str, Any],
) -> None:
    """Create the event with its first article, or merge one more report into it."""
    await conn.execute(
        """
        INSERT INTO events (id, headline, sectors, actions, actors, first_article_id,
                            first_seen_at, last_seen_at, report_count, state)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 1, %s)
        ON CONFLICT (id) DO UPDATE SET
            sectors = ARRAY(SELECT DISTINCT unnest(events.sectors || EXCLUDED.sectors)),
            actions = ARRAY(SELECT DISTINCT unnest(events.actions || EXCLUDED.actions)),
            actors = ARRAY(SELECT DISTINCT unnest(events.actors || EXCLUDED.actors)),
            last_seen_at = GREATEST(events.last_seen_at, EXCLUDED.last_seen_at),
            report_count = events.report_count + 1,
            state = EXCLUDED.state
        """,
        (
            event_id,
            headline,
            list(sectors),
            list(actions),
            list(actors),
            article_id,
            seen_at,
            seen_at,
            Jsonb(state),
        ),
    )


async def add_event_article(
    conn: AsyncConnection, event_id: str, article_id: int, reason: str
) -> None:
    await conn.execute(
        "INSERT INTO event_articles (event_id, article_id, reason) VALUES (%s, %s, %s)"
        " ON CONFLICT DO NOTHING",
        (event_id, article_id, reason),
    )


async def recent_event_states(
    conn: AsyncConnection, since: datetime
) -> list[tuple[str, dict[str, Any]]]:
    cur = await conn.execute(
        "SELECT id, state FROM events WHERE last_seen_at >= %s ORDER BY first_seen_at", (since,)
    )
    return [(row[0], row[1]) for row in await cur.fetchall()]


# --- outbox -----------------------------------------------------------------------------------


async def enqueue_outbox(
    conn: AsyncConnection,
    event_id: str,
    chat_ids: Sequence[int],
    kind: str,
    payload: dict[str, Any],
) -> int:
    """One message per chat; a row that exists already is left alone. Returns rows added."""
    added = 0
    for chat_id in chat_ids:
        cur = await conn.execute(
            "INSERT INTO outbox (event_id, chat_id, kind, payload) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (event_id, chat_id, kind) DO NOTHING",
            (event_id, chat_id, kind, Jsonb(payload)),
        )
        added += cur.rowcount
    return added


async def release_inflight_outbox(conn: AsyncConnection) -> int:
    """Rows left 'sending' by a crashed sender go back to the queue (at most they repeat)."""
    cur = await conn.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")
    return cur.rowcount


async def claim_outbox(conn: AsyncConnection, limit: int) -> list[OutboxMessage]:
    async with conn.cursor(row_factory=class_row(OutboxMessage)) as cur:
        await cur.execute(
            """
            UPDATE outbox SET status = 'sending', attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= now()
                ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)
            RETURNING id, event_id, chat_id, kind, payload, attempts
            """,
            (limit,),
        )
        rows = await cur.fetchall()
    return sorted(rows, key=lambda r: r.id)


async def mark_outbox_sent(conn: AsyncConnection, outbox_id: int, message_id: int | None) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = now(), telegram_message_id = %s,"
        " last_error = NULL WHERE id = %s",
        (message_id, outbox_id),
    )


async def mark_outbox_retry(
    conn: AsyncConnection, outbox_id: int, error: str, delay_seconds: float
) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'pending', last_error = %s,"
        " next_attempt_at = now() + make_interval(secs => %s) WHERE id = %s",
        (error, delay_seconds, outbox_id),
    )


async def mark_outbox_failed(conn: AsyncConnection, outbox_id: int, error: str) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'failed', last_error = %s WHERE id = %s", (error, outbox_id)
    )


async def count_outbox(conn: AsyncConnection) -> dict[str, int]:
    cur = await conn.execute("SELECT status, count(*) FROM outbox GROUP BY status")
    return {row[0]: int(row[1]) for row in await cur.fetchall()}
