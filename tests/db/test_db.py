"""Schema and queries on a real PostgreSQL."""

from datetime import UTC, datetime

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from db.articles import claim_pending_articles, insert_articles
from db.events import upsert_event
from db.migrate import available_migrations, migrate
from db.models import NewArticle
from db.outbox import claim_due, count_by_status, enqueue_alert, release_inflight
from db.runs import start_crawl_run

pytestmark = pytest.mark.integration


def article(n: int, url: str | None = None) -> NewArticle:
    return NewArticle(
        source_key="cls",
        external_id=str(n),
        url=url or f"https://www.cls.cn/detail/{n}",
        title=f"标题{n}",
        body="正文",
        lang="zh",
        published_at=datetime(2026, 8, 21, tzinfo=UTC),
        raw={"id": n},
    )


def test_migrations_apply_once(database_url):
    assert migrate(database_url) == []  # the template is migrated already
    with psycopg.connect(database_url) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    assert versions == [m.version for m in available_migrations()]


async def test_articles_are_stored_once_by_url_and_by_source_id(database_url):
    async with AsyncConnectionPool(database_url, open=False) as pool, pool.connection() as conn:
        run = await start_crawl_run(conn, "cls", "test")
        assert await insert_articles(conn, run, [article(1), article(2)]) == 2
        again = [article(1), article(2, url="https://other/2"), article(3)]
        assert await insert_articles(conn, run, again) == 1
        pending = await claim_pending_articles(conn, 10)
        assert [a.title for a in pending] == ["标题1", "标题2", "标题3"]


async def test_outbox_is_one_row_per_event_chat_kind_and_claims_skip_locked(database_url):
    async with AsyncConnectionPool(database_url, open=False) as pool:
        async with pool.connection() as conn:
            await insert_articles(conn, None, [article(1)])
            await upsert_event(
                conn, "e1", "h", ["steel"], ["production_cut"], [], 1, datetime.now(UTC), {}
            )
            for _ in range(2):  # the second enqueue adds nothing
                added = await enqueue_alert(conn, "e1", [10, 11], [], [], {"a": 1})
                assert added == (2 if _ == 0 else 0)
        async with pool.connection() as a, pool.connection() as b, a.transaction():
            first = await claim_due(a, 1, [])
            second = await claim_due(b, 5, [])
        assert len(first) == 1 and len(second) == 1 and first[0].id != second[0].id
        async with pool.connection() as conn:
            assert await release_inflight(conn) == 2
            assert (await count_by_status(conn)) == {"pending": 2}
