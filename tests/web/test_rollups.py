"""The rollups behind the charts (0010_web_console.sql, 0010a_report_days.sql) follow every
change of their source rows: a crawl that ends, one whose status or counts change after it
ended, a report added to or taken out of an event."""

from __future__ import annotations

from datetime import UTC, date, datetime

import psycopg
import pytest

pytestmark = pytest.mark.integration

NOON = datetime(2026, 9, 1, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
LATE = datetime(2026, 9, 1, 17, 0, tzinfo=UTC)  # 01:00 on 2 September in Beijing


def _days(conn: psycopg.Connection, table: str) -> list[tuple[object, ...]]:
    return conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()


def test_crawl_days_follow_the_runs(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        run = conn.execute(
            "INSERT INTO crawl_runs (source_key, started_at) VALUES ('cls', %s) RETURNING id",
            (NOON,),
        ).fetchone()
        assert run is not None
        assert _days(conn, "crawl_days") == []  # still running: not counted
        conn.execute(
            "UPDATE crawl_runs SET status = 'finished', items = 20, new_articles = 3 WHERE id = %s",
            (run[0],),
        )
        conn.execute(
            "INSERT INTO crawl_runs (source_key, started_at, status, items, new_articles)"
            " VALUES ('cls', %s, 'failed', 0, 0), ('miit', %s, 'finished', 5, 5)",
            (NOON, LATE),
        )
        assert _days(conn, "crawl_days") == [
            ("cls", date(2026, 9, 1), 2, 20, 3),
            ("miit", date(2026, 9, 2), 1, 5, 5),  # the Beijing day, not the UTC one
        ]
        # a forced timeout after the crawl wrote its counts, then late statistics
        conn.execute("UPDATE crawl_runs SET status = 'timeout' WHERE id = %s", (run[0],))
        conn.execute("UPDATE crawl_runs SET items = 25 WHERE id = %s", (run[0],))
        conn.execute("DELETE FROM crawl_runs WHERE source_key = 'miit'")
        assert _days(conn, "crawl_days") == [
            ("cls", date(2026, 9, 1), 2, 25, 3),
            ("miit", date(2026, 9, 2), 0, 0, 0),
        ]


def test_report_days_follow_event_membership(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        ids = [
            row[0]
            for row in conn.execute(
                "INSERT INTO articles (source_key, external_id, url, title, published_at)"
                " VALUES ('cls', '1', 'u1', 't', %s), ('cls', '2', 'u2', 't', %s),"
                " ('miit', '3', 'u3', 't', NULL) RETURNING id",
                (NOON, LATE),
            ).fetchall()
        ]
        conn.execute("INSERT INTO events (id, headline) VALUES ('e1', 'h'), ('e2', 'h')")
        for event, article in (("e1", ids[0]), ("e1", ids[1]), ("e2", ids[2])):
            conn.execute(
                "INSERT INTO event_articles (event_id, article_id) VALUES (%s, %s)",
                (event, article),
            )
        today = conn.execute("SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date").fetchone()
        assert today is not None
        assert _days(conn, "report_days") == [
            ("cls", date(2026, 9, 1), 1),
            ("cls", date(2026, 9, 2), 1),
            ("miit", today[0], 1),  # undated: the day it was first seen
        ]
        conn.execute("DELETE FROM event_articles WHERE article_id = %s", (ids[1],))
        conn.execute("DELETE FROM events WHERE id = 'e2'")  # cascades to its report
        assert _days(conn, "report_days") == [
            ("cls", date(2026, 9, 1), 1),
            ("cls", date(2026, 9, 2), 0),
            ("miit", today[0], 0),
        ]
