"""Event grouping, pipeline and evaluation tests."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone

from detection.classify import classify
from detection.cli import detect_command, eval_command
from detection.evaluate import evaluate
from detection.events import EventIndex
from detection.pipeline import parse_published, run_jsonl

CST = timezone(timedelta(hours=8))
ZH_T = "光伏玻璃企业集体减产30% 7月起执行"
ZH = (
    "国内十家光伏玻璃生产企业近日达成一致，自7月起集体减产30%，合计涉及日熔量约3万吨。"
    "企业表示，在反内卷政策引导下，行业将通过堵窑口、冷修等方式压减产量，缓解库存压力。"
)
TW_T = "光伏玻璃企業集體減產30% 7月起執行"
TW = (
    "國內十家光伏玻璃生產企業近日達成一致，自7月起集體減產30%，合計涉及日熔量約3萬噸。"
    "企業表示，在反內卷政策引導下，行業將通過堵窯口、冷修等方式壓減產量，緩解庫存壓力。"
)
EN_T = "Chinese solar glass makers to cut output by 30% from July"
EN = "Ten solar glass producers agreed to cut production by 30% starting in July."


def _assign(idx, aid, title, text, when):
    det = classify(title, text, None, when)
    assert det.relevant, (title, det)
    return idx.assign(aid, title, text, det, when)


def test_copy_traditional_copy_and_translation_join_one_event():
    idx = EventIndex()
    t0 = datetime(2025, 7, 1, 9, tzinfo=CST)
    first = _assign(idx, "a1", ZH_T, ZH, t0)
    copy = _assign(idx, "a2", "十家光伏玻璃企业集体减产三成", ZH + "（来源：某报）", t0)
    trad = _assign(idx, "a3", TW_T, TW, t0 + timedelta(hours=3))
    trans = _assign(idx, "a4", EN_T, EN, t0 + timedelta(days=1))
    assert first.is_new and first.event_id.startswith("pv_glass-production_cut-2025-07-")
    assert {copy.event_id, trad.event_id, trans.event_id} == {first.event_id}
    assert "near-duplicate" in copy.reason and "near-duplicate" in trad.reason
    assert "same keys" in trans.reason


def test_another_month_or_another_actor_separates():
    idx = EventIndex()
    t0 = datetime(2025, 7, 1, tzinfo=CST)
    a = _assign(idx, "b1", "河南水泥企业错峰停窑15天", "河南省建材行业协会通知水泥熟料线停窑。", t0)
    later = _assign(
        idx, "b2", "河南水泥冬季错峰停窑", "协会通知水泥熟料线冬季停窑。", t0 + timedelta(days=120)
    )
    assert later.is_new and later.event_id != a.event_id
    p1 = _assign(
        idx, "c1", "八家多晶硅企业签署自律倡议", "通威、协鑫等多晶硅企业承诺不低于成本价销售。", t0
    )
    p2 = _assign(
        idx, "c2", "工信部召开多晶硅座谈会", "工信部要求多晶硅行业淘汰落后产能，遏制低价竞争。", t0
    )
    assert p2.event_id != p1.event_id


def test_export_load_round_trip_and_determinism():
    t0 = datetime(2025, 7, 1, tzinfo=CST)
    idx = EventIndex()
    a = _assign(idx, "d1", ZH_T, ZH, t0)
    state = json.loads(json.dumps(idx.export_event(a.event_id)))
    fresh = EventIndex()
    fresh.load_event(a.event_id, state)
    again = _assign(fresh, "d2", TW_T, TW, t0 + timedelta(hours=1))
    assert again.event_id == a.event_id and not again.is_new
    other = EventIndex()
    assert _assign(other, "d1", ZH_T, ZH, t0).event_id == a.event_id


def test_assign_without_published_does_not_crash():
    idx = EventIndex()
    det = classify(ZH_T, ZH, "zh")
    a = idx.assign("e1", ZH_T, ZH, det, None)
    b = idx.assign("e2", TW_T, TW, classify(TW_T, TW), None)
    assert a.event_id == b.event_id


def test_parse_published():
    assert parse_published("2025-07-03").utcoffset() == timedelta(hours=8)
    assert parse_published("2025-07-03T10:00:00Z").utcoffset() == timedelta(0)
    assert parse_published(None) is None


def test_run_jsonl_continues_after_malformed_lines():
    lines = [
        "{not json",
        json.dumps({"id": "x1", "title": ZH_T, "text": ZH, "published": "2025-07-01"}),
        json.dumps({"title": "no id"}),
        json.dumps({"id": "x2", "title": "沪指收涨0.5%", "text": "两市成交额1.8万亿元。"}),
    ]
    out = list(run_jsonl(lines))
    assert [o["id"] for o in out] == [None, "x1", None, "x2"]
    assert "error" in out[0] and "error" in out[2]
    assert out[1]["relevant"] and out[1]["event"] and not out[3]["relevant"]
    assert out[3]["event"] is None


def test_evaluate_bcubed_and_alerts():
    recs = [
        {
            "id": "1",
            "relevant": True,
            "sectors": ["steel"],
            "actions": ["production_cut"],
            "event": "A",
        },
        {
            "id": "2",
            "relevant": True,
            "sectors": ["steel"],
            "actions": ["production_cut"],
            "event": "A",
        },
        {"id": "3", "relevant": True, "sectors": ["coal"], "actions": ["inspection"], "event": "B"},
        {"id": "4", "relevant": False, "sectors": [], "actions": [], "event": None},
        {"id": "5", "relevant": None, "sectors": [], "actions": [], "event": None},
    ]
    preds = [
        {
            "id": "1",
            "relevant": True,
            "sectors": ["steel"],
            "actions": ["production_cut"],
            "event": "p1",
        },
        {
            "id": "2",
            "relevant": True,
            "sectors": ["steel"],
            "actions": ["production_cut"],
            "event": "p2",
        },
        {"id": "3", "relevant": False, "sectors": [], "actions": [], "event": None},
        {"id": "4", "relevant": True, "sectors": ["steel"], "actions": [], "event": "p3"},
        {"id": "5", "relevant": True, "sectors": [], "actions": [], "event": "p4"},
    ]
    m = evaluate(recs, preds)
    assert m.n_scored == 4
    assert (m.relevance_precision, round(m.relevance_recall, 4)) == (
        round(2 / 3, 4),
        round(2 / 3, 4),
    )
    assert m.bcubed_precision == 1.0 and m.bcubed_recall == round((0.5 + 0.5 + 1) / 3, 4)
    assert m.alerts_per_event == 2.0 and m.events_missed == 1


def test_cli_functions():
    out = io.StringIO()
    line = json.dumps({"id": "z", "title": ZH_T, "text": ZH}) + "\n"
    assert detect_command(io.StringIO(line), out) == 0
    assert json.loads(out.getvalue())["relevant"] is True
    assert eval_command("/nonexistent/file.jsonl", False, io.StringIO()) == 2


def test_one_body_one_directive_reported_with_another_emphasis_joins():
    """The same ministries' directive, one report leading with output cuts and another with
    capacity exit, shares only 'policy' among its actions: one issuing body keeps it one
    event; without a shared body two directives stay apart."""
    from detection.model import Detection

    t0 = datetime(2025, 9, 11, tzinfo=CST)
    first = Detection(
        True, 0.9, ("hog",), ("capacity_exit", "policy_guideline"), actors=("moa", "ndrc")
    )
    second = Detection(
        True, 0.9, ("hog",), ("production_cut", "policy_guideline"), actors=("ndrc", "moa")
    )
    idx = EventIndex()
    a = idx.assign("h1", "生猪产能调控", "农业农村部 发改委 调减能繁母猪", first, t0)
    b = idx.assign("h2", "Hog output cut", "NDRC and MOA urge producers", second, t0)
    assert b.event_id == a.event_id and not b.is_new
    idx = EventIndex()
    a = idx.assign(
        "h1", "生猪产能调控", "调减能繁母猪", Detection(True, 0.9, ("hog",), first.actions), t0
    )
    b = idx.assign(
        "h2", "Hog output cut", "urge", Detection(True, 0.9, ("hog",), second.actions), t0
    )
    assert b.is_new and b.event_id != a.event_id


def test_only_policy_in_common_needs_the_main_sector_or_the_issuer():
    """A broad statement naming several sectors must not absorb another sector's action
    that shares nothing with it but the generic 'policy' action."""
    from detection.model import Detection

    t0 = datetime(2025, 7, 2, tzinfo=CST)
    broad = Detection(True, 0.6, ("lithium", "pv", "platform"), ("policy_guideline",))
    platform = Detection(
        True, 0.9, ("platform",), ("policy_guideline", "price_discipline"), actors=("samr",)
    )
    idx = EventIndex()
    a = idx.assign("p1", "多行业反内卷", "锂电 光伏 平台 反内卷", broad, t0)
    b = idx.assign(
        "p2", "约谈外卖平台", "市场监管总局约谈外卖平台", platform, t0 + timedelta(days=5)
    )
    assert b.is_new and b.event_id != a.event_id
    same = Detection(True, 0.6, ("lithium",), ("policy_guideline", "production_cut"))
    c = idx.assign("p3", "锂电行业座谈", "锂电 行业 座谈 反内卷 减产", same, t0 + timedelta(days=6))
    assert c.event_id == a.event_id
