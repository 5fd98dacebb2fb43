"""`capwatch redetect` on a real PostgreSQL: after a lexicon change, detections and events are
repaired and nothing already alerted is alerted again."""

from __future__ import annotations

import sys
import tomllib
from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest
from psycopg_pool import AsyncConnectionPool

from capwatch.detector import Detector
from capwatch.redetect import Redetector
from db.articles import insert_articles
from db.models import NewArticle
from detection.lexicon import build_lexicon
from detection.model import Detection

classify_mod = sys.modules["detection.classify"]  # the package re-exports the function
stage_mod = sys.modules["detection.stage"]  # the one caller of classify, live and redetect

pytestmark = pytest.mark.integration

CHAT = 4242
NOW = datetime.now(UTC)
GLASS = (
    "光伏玻璃企业集体减产30%",
    "国内十家光伏玻璃生产企业近日达成一致，自下月起集体减产30%，通过堵窑口、冷修等方式压减产量。",
)
GLASS_COPY = (
    "多家光伏玻璃厂商联合减产三成",
    "据悉，国内多家光伏玻璃生产企业达成一致，集体减产30%，堵窑口、冷修等方式压减产量，缓解库存。",
)
STEEL = (
    "河北钢厂接到通知压减粗钢产量",
    "河北唐山多家钢厂接到通知，要求压减粗钢产量，限产比例约30%。",
)
PHOSPHORUS = (
    "黄磷行业倡议企业错峰减产",
    "云南、贵州黄磷企业近日发布倡议，各企业错峰减产20%，维护行业秩序。",
)
PHONE = ("某公司发布新款手机", "某公司今天发布新款手机，售价3999元。")


def art(n: int, item: tuple[str, str], when: datetime) -> NewArticle:
    return NewArticle("cls", str(n), f"https://www.cls.cn/detail/{n}", item[0], item[1], "zh", when)


def lexicon_with_phosphorus():
    """The packaged lexicon plus one new sector term (the kind of change redetect is for)."""
    data = tomllib.loads(resources.files("detection").joinpath("lexicon.toml").read_text("utf-8"))
    data["sectors"]["chemicals"]["zh"].append("黄磷")
    return build_lexicon(data)


async def seed(pool, articles) -> Detector:
    async with pool.connection() as conn:
        await insert_articles(conn, None, articles)
    detector = Detector(pool, {}, [CHAT])
    await detector.drain()
    return detector


async def rows(pool, sql: str, *args):
    async with pool.connection() as conn:
        cur = await conn.execute(sql, args)
        return await cur.fetchall()


async def outbox(pool) -> list[tuple[str, str]]:
    """Top-level alerts (kind 'alert'), in queue order."""
    sql = "SELECT event_id, kind FROM outbox WHERE kind = 'alert' ORDER BY id"
    return [tuple(r) for r in await rows(pool, sql)]


async def all_outbox(pool) -> list[tuple]:
    return [tuple(r) for r in await rows(pool, "SELECT * FROM outbox ORDER BY id")]


async def membership(pool) -> dict[int, str]:
    return dict(await rows(pool, "SELECT article_id, event_id FROM event_articles"))


async def test_new_term_alerts_recent_event_once_and_keeps_existing_events(
    database_url, monkeypatch
):
    recent = NOW - timedelta(days=1)
    articles = [art(1, GLASS, recent), art(2, GLASS_COPY, recent), art(3, PHOSPHORUS, recent)]
    articles.append(art(4, PHONE, recent))
    async with AsyncConnectionPool(database_url, open=False) as pool:
        detector = await seed(pool, articles)
        before_members = await membership(pool)
        assert set(before_members) == {1, 2} and len(set(before_members.values())) == 1
        assert len(await outbox(pool)) == 1

        lex = lexicon_with_phosphorus()
        monkeypatch.setattr(classify_mod, "load_lexicon", lambda: lex)
        queued = await all_outbox(pool)
        report = await Redetector(pool, detector, now=NOW).run(None)

        assert (await all_outbox(pool))[: len(queued)] == queued  # nothing re-armed
        assert report.scanned == 4 and report.became_relevant == [3]
        assert report.became_irrelevant == [] and len(report.new_alerted) == 1
        after = await membership(pool)
        assert after[1] == after[2] == before_members[1]  # event ids unchanged
        assert after[3] == report.new_alerted[0] and after[3].startswith("chemicals-")
        assert 4 not in after
        kinds = await outbox(pool)
        assert kinds == [(before_members[1], "alert"), (after[3], "alert")]
        det = await rows(pool, "SELECT relevant, sectors FROM detections WHERE article_id = 3")
        assert det == [(True, ["chemicals"])]

        again = await Redetector(pool, detector, now=NOW).run(None)  # idempotent
        assert again.became_relevant == [] and again.new_alerted == [] and again.joined == []
        assert await outbox(pool) == kinds

        # the live detector, restarted, joins a later copy to the known event: no alert
        async with pool.connection() as conn:
            await insert_articles(conn, None, [art(5, PHOSPHORUS, NOW)])
        await Detector(pool, {}, [CHAT]).drain()
        assert (await membership(pool))[5] == after[3]
        assert await outbox(pool) == kinds


async def test_old_news_is_recorded_silently_and_since_limits_the_scope(database_url, monkeypatch):
    old = NOW - timedelta(days=90)
    async with AsyncConnectionPool(database_url, open=False) as pool:
        detector = await seed(pool, [art(1, PHOSPHORUS, old), art(2, PHONE, NOW)])
        lex = lexicon_with_phosphorus()
        monkeypatch.setattr(classify_mod, "load_lexicon", lambda: lex)

        limited = await Redetector(pool, detector, now=NOW).run(NOW - timedelta(days=7))
        assert limited.scanned == 1 and limited.became_relevant == []

        report = await Redetector(pool, detector, now=NOW).run(None)
        assert report.became_relevant == [1] and report.new_alerted == []
        assert len(report.new_silent) == 1
        assert (await membership(pool)) == {1: report.new_silent[0]}
        assert await outbox(pool) == []


async def test_flipped_reports_leave_events_and_a_retracted_event_never_alerts_again(
    database_url, monkeypatch
):
    recent = NOW - timedelta(days=2)
    articles = [art(1, GLASS, recent), art(2, GLASS_COPY, recent), art(3, STEEL, recent)]
    async with AsyncConnectionPool(database_url, open=False) as pool:
        detector = await seed(pool, articles)
        members = await membership(pool)
        glass_ev, steel_ev = members[1], members[3]
        alerted = await outbox(pool)
        assert len(alerted) == 2

        real = classify_mod.classify

        def strict(title, text, lang=None, published=None):
            if "钢厂" in title or title == GLASS[0]:
                return Detection(relevant=False, score=0.1, lang="zh")
            return real(title, text, lang, published)

        monkeypatch.setattr(stage_mod, "classify", strict)
        dry = await Redetector(pool, detector, now=NOW).run(None, dry_run=True)
        assert dry.dry_run and sorted(dry.became_irrelevant) == [1, 3]
        assert await membership(pool) == members  # nothing written

        report = await Redetector(pool, detector, now=NOW).run(None)
        assert sorted(report.became_irrelevant) == [1, 3]
        assert report.retracted == [steel_ev] and report.shrunk == [glass_ev]
        assert await membership(pool) == {2: glass_ev}
        ev = await rows(
            pool,
            "SELECT id, report_count, first_article_id, state ? 'retracted' FROM events",
        )
        assert sorted(ev) == sorted([(glass_ev, 1, 2, False), (steel_ev, 0, 3, True)])

        # the term comes back: the steel report rejoins its (alerted) event, no second alert
        monkeypatch.setattr(stage_mod, "classify", real)
        queued = await all_outbox(pool)
        back = await Redetector(pool, detector, now=NOW).run(None)
        assert await all_outbox(pool) == queued
        assert sorted(back.became_relevant) == [1, 3] and back.new_alerted == []
        assert dict((a, e) for a, e in back.joined) == {1: glass_ev, 3: steel_ev}
        assert await membership(pool) == members
        flags = await rows(
            pool, "SELECT report_count, state ? 'retracted' FROM events WHERE id = %s", steel_ev
        )
        assert flags == [(1, False)]
        assert await outbox(pool) == alerted


def test_cli_reports_and_refuses_while_the_service_listens(database_url, tmp_path):
    import os
    import subprocess

    import psycopg

    env = {
        **os.environ,
        "CAPWATCH_DATABASE_URL": database_url,
        "CAPWATCH_DATA_DIR": str(tmp_path),
        "TELEGRAM_BOT_TOKEN": "",
    }
    cmd = [sys.executable, "-m", "capwatch", "redetect", "--since", "2020-01-01"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "0 articles re-detected" in done.stdout
    with psycopg.connect(database_url, autocommit=True) as listener:
        listener.execute("LISTEN capwatch_articles")
        refused = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        dry = subprocess.run(
            [*cmd, "--dry-run"], env=env, capture_output=True, text=True, timeout=60
        )
    assert refused.returncode == 1 and "--force" in refused.stdout
    assert dry.returncode == 0 and "dry run" in dry.stdout
