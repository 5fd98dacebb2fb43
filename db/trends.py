"""Counts over time for the web console's charts: actions per week by sector, reports per
source, crawl items per source per day.

Every query is bounded by a time window and reads either the events of that window or a
rollup kept by a trigger (report_days, crawl_days: one row per source and day), so a chart
costs about the same on a month-old or a years-old archive.
Weeks and days are Beijing weeks and days, as analysts count them.
"""

from __future__ import annotations

from datetime import date, datetime

from psycopg import AsyncConnection
from psycopg.rows import class_row

from db.models import SectorWeek, SourceDay, SourceReports


async def events_per_week_by_sector(conn: AsyncConnection, since: datetime) -> list[SectorWeek]:
    """Events first seen since `since`, counted per Beijing week and sector (an event with two
    sectors counts for each)."""
    async with conn.cursor(row_factory=class_row(SectorWeek)) as cur:
        await cur.execute(
            """
            SELECT date_trunc('week', e.first_seen_at AT TIME ZONE 'Asia/Shanghai')::date AS week,
                   s.sector, count(*)::int AS events
            FROM events e
            CROSS JOIN LATERAL unnest(CASE WHEN cardinality(e.sectors) = 0
                                           THEN ARRAY['other'] ELSE e.sectors END) AS s(sector)
            WHERE e.first_seen_at >= %s
            GROUP BY 1, 2 ORDER BY 1, 2""",
            (since,),
        )
        return await cur.fetchall()


async def reports_per_source(conn: AsyncConnection, since: date) -> list[SourceReports]:
    """How many event reports each source contributed from Beijing day `since` on (the
    report_days rollup of 0010a_report_days.sql)."""
    async with conn.cursor(row_factory=class_row(SourceReports)) as cur:
        await cur.execute(
            """
            SELECT r.source_key, coalesce(max(s.name), r.source_key) AS source_name,
                   sum(r.reports)::int AS reports
            FROM report_days r LEFT JOIN sources s ON s.key = r.source_key
            WHERE r.day >= %s
            GROUP BY r.source_key HAVING sum(r.reports) > 0
            ORDER BY reports DESC, r.source_key""",
            (since,),
        )
        return await cur.fetchall()


async def crawl_items_per_day(
    conn: AsyncConnection, keys: list[str], since: date
) -> list[SourceDay]:
    """Per source (of `keys`) and Beijing day from `since`: ended crawls, items, new articles
    (the crawl_days rollup of 0010_web_console.sql: one row per source and day)."""
    async with conn.cursor(row_factory=class_row(SourceDay)) as cur:
        await cur.execute(
            """
            SELECT source_key, day, runs, items::int AS items, new_articles::int AS new_articles
            FROM crawl_days WHERE source_key = ANY(%s) AND day >= %s
            ORDER BY 1, 2""",
            (keys, since),
        )
        return await cur.fetchall()
