"""The feedback store on a real PostgreSQL: verdicts stored and listed, a chat's "not relevant"
mutes the event's later updates in that chat only, and `capwatch feedback export` writes the
judged reports as labelled records that the evaluation reads."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from capwatch.cli import app
from db import feedback as fq
from db.outbox import enqueue_alert, enqueue_updates
from detection.evaluate import evaluate
from detection.learned.corpus import read_corpora
from tests.alerts.helpers import payload, seed_event

pytestmark = pytest.mark.integration

ALERT_CHAT, OTHER_CHAT = -1001, -1002


async def update_rows(conn: psycopg.AsyncConnection, event_id: str) -> dict[int, str]:
    cur = await conn.execute(
        "SELECT chat_id, status FROM outbox WHERE event_id = %s AND kind = 'update'", (event_id,)
    )
    return {row[0]: row[1] for row in await cur.fetchall()}


async def test_not_relevant_mutes_updates_for_that_chat_only(database_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        ids = await seed_event(conn, "ev-mute", reports=2)
        await enqueue_alert(
            conn,
            "ev-mute",
            [ALERT_CHAT, OTHER_CHAT],
            ["pv_glass"],
            ["production_cut"],
            payload("ev-mute", ids[0]),
        )
        await enqueue_updates(conn, "ev-mute")  # a second report: both chats get an update
        assert await update_rows(conn, "ev-mute") == {ALERT_CHAT: "pending", OTHER_CHAT: "pending"}

        fid = await fq.add_feedback(
            conn,
            "ev-mute",
            "not_relevant",
            chat_id=ALERT_CHAT,
            user_id=7,
            user_name="ana",
            origin="telegram",
        )
        assert await fq.is_muted(conn, "ev-mute", ALERT_CHAT)
        assert not await fq.is_muted(conn, "ev-mute", OTHER_CHAT)
        # the queued update for the muting chat is settled, the other chat's stays
        assert await update_rows(conn, "ev-mute") == {ALERT_CHAT: "sent", OTHER_CHAT: "pending"}

        await enqueue_updates(conn, "ev-mute")  # a third report
        cur = await conn.execute(
            "SELECT chat_id, revision FROM outbox WHERE event_id = 'ev-mute' AND kind = 'update'"
            " ORDER BY chat_id"
        )
        revisions = dict(await cur.fetchall())
        assert revisions[OTHER_CHAT] == 1 and revisions[ALERT_CHAT] == 0  # not re-armed
        assert await update_rows(conn, "ev-mute") == {ALERT_CHAT: "sent", OTHER_CHAT: "pending"}

        # a web verdict (no chat) mutes nobody; a later "useful" from the chat lifts its mute
        await fq.add_feedback(conn, "ev-mute", "not_relevant", user_name="web analyst")
        assert not await fq.is_muted(conn, "ev-mute", OTHER_CHAT)
        await fq.add_feedback(conn, "ev-mute", "useful", chat_id=ALERT_CHAT, origin="telegram")
        assert not await fq.is_muted(conn, "ev-mute", ALERT_CHAT)
        await enqueue_updates(conn, "ev-mute")
        assert (await update_rows(conn, "ev-mute"))[ALERT_CHAT] == "pending"

        stored = await fq.event_feedback(conn, "ev-mute")
        assert [f.verdict for f in stored] == ["not_relevant", "not_relevant", "useful"]
        first = stored[0]
        assert (first.id, first.chat_id, first.user_id, first.user_name, first.origin) == (
            fid,
            ALERT_CHAT,
            7,
            "ana",
            "telegram",
        )
        assert stored[1].chat_id is None and stored[1].origin == "web"
        newest = await fq.list_feedback(conn, limit=2)
        assert [f.verdict for f in newest] == ["useful", "not_relevant"]
        only = await fq.list_feedback(conn, chat_id=ALERT_CHAT, verdict="not_relevant")
        assert [f.id for f in only] == [fid]
        with pytest.raises(ValueError, match="unknown verdict"):
            await fq.add_feedback(conn, "ev-mute", "maybe")  # type: ignore[arg-type]


def test_cli_lists_and_exports_labelled_records(database_url: str, tmp_path: Path) -> None:
    async def seed() -> None:
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
            await seed_event(conn, "ev-good", reports=2)
            await seed_event(conn, "ev-bad", reports=1)
            await seed_event(conn, "ev-sector", reports=1)
            await seed_event(conn, "ev-silent", reports=1)  # no verdict: not exported
            await fq.add_feedback(conn, "ev-good", "useful", chat_id=1, origin="telegram")
            await fq.add_feedback(conn, "ev-bad", "useful", chat_id=1, origin="telegram")
            await fq.add_feedback(conn, "ev-bad", "not_relevant", chat_id=2, origin="telegram")
            await fq.add_feedback(
                conn,
                "ev-sector",
                "wrong_sector",
                sectors=["glass", "soda_ash"],
                chat_id=1,
                user_name="li",
                origin="telegram",
            )

    import asyncio

    asyncio.run(seed())
    env = {"CAPWATCH_DATABASE_URL": database_url, "CAPWATCH_DATA_DIR": str(tmp_path)}
    runner = CliRunner()
    listed = runner.invoke(app, ["feedback", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "wrong_sector -> Float glass 浮法玻璃, Soda ash 纯碱" in listed.output
    assert "by li (chat 1)" in listed.output
    as_json = runner.invoke(app, ["feedback", "list", "--json", "--verdict", "useful"], env=env)
    assert [json.loads(x)["event_id"] for x in as_json.output.splitlines()] == ["ev-bad", "ev-good"]

    out = tmp_path / "feedback.jsonl"
    exported = runner.invoke(app, ["feedback", "export", "--output", str(out)], env=env)
    assert exported.exit_code == 0, exported.output
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    by_event: dict[str | None, list[dict]] = {}
    for r in records:
        by_event.setdefault(r["event"], []).append(r)
    assert len(records) == 4  # two reports of ev-good, one of ev-bad, one of ev-sector
    good = by_event["ev-good"]
    assert len(good) == 2 and all(r["relevant"] is True for r in good)
    assert good[0]["sectors"] == ["pv_glass"] and good[0]["actions"] == ["production_cut"]
    assert good[0]["title"].startswith("ev-good report 0") and good[0]["text"] == "正文"
    assert good[0]["url"] == "https://news.example/ev-good/0" and good[0]["lang"] == "zh"
    assert good[0]["published"].endswith("+08:00")
    (bad,) = by_event[None]  # the latest verdict (not relevant) counts
    assert bad["relevant"] is False and bad["sectors"] == [] and bad["actions"] == []
    assert "2 verdicts" in bad["notes"]
    (sector,) = by_event["ev-sector"]
    assert sector["sectors"] == ["glass", "soda_ash"] and sector["relevant"] is True
    assert set(records[0]) == {
        "id",
        "url",
        "source",
        "lang",
        "title",
        "text",
        "published",
        "relevant",
        "sectors",
        "actions",
        "event",
        "notes",
    }
    # the records are what `capwatch eval` scores: a perfect prediction scores perfectly
    predictions = [
        {
            "id": r["id"],
            "relevant": r["relevant"],
            "sectors": r["sectors"],
            "actions": r["actions"],
            "event": r["event"],
        }
        for r in records
    ]
    metrics = evaluate(records, predictions)
    assert metrics.relevance_f1 == 1.0 and metrics.bcubed_f1 == 1.0 and metrics.n_scored == 4
    # and what `capwatch train --feedback` reads: every record, with its labels
    read, files = read_corpora([out])
    assert files[0].records == 4
    assert sorted((r.relevant, r.sectors) for r in read) == [
        (False, ()),
        (True, ("glass", "soda_ash")),
        (True, ("pv_glass",)),
        (True, ("pv_glass",)),
    ]
    assert all(r.url.startswith("https://news.example/") and r.notes for r in read)
