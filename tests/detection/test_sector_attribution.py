"""Sectors acted on versus sectors merely mentioned (issue 11 item 3): an alert's sectors, its
subscriptions and its event key name what the action is about; the sectors only named beside
it (a price reaction, a cause, an aside) are kept apart as `mentioned`."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from alerts.payload import AlertPayload
from alerts.render import render_alert_html
from detection.classify import classify
from detection.events import EventIndex
from detection.pipeline import run_jsonl
from detection.stage import ArticleText, detect_and_assign

CASES = [
    pytest.param(
        "光伏玻璃企业集体减产30%",
        "国内十家光伏玻璃生产企业近日达成一致，集体减产30%。受此影响，玻璃期货应声上涨，浮法玻璃价格走强。",
        ("pv_glass",),
        {"glass"},
        id="pv-glass cut, float glass only reacts",
    ),
    pytest.param(
        "碳酸锂企业联合减产20%",
        "江西多家碳酸锂企业联合减产20%，锂盐价格回升。有色金属板块随之走强，冶炼厂开工率持平。",
        ("lithium",),
        {"nonferrous"},
        id="lithium cut, smelters only mentioned",
    ),
    pytest.param(
        "钢铁行业产能调控会议召开",
        "工信部召开钢铁行业产能调控专题会议，要求严格压减粗钢产量。受此影响，焦煤、焦炭期货价格下跌。",
        ("steel",),
        {"coal"},
        id="steel capacity meeting, coal futures react",
    ),
    pytest.param(
        "光伏行业协会发布自律公约",
        "中国光伏行业协会发布自律公约，抵制低于成本价销售组件。业内人士称，外卖平台补贴大战也在降温。",
        ("pv",),
        {"platform"},
        id="price pact, platforms an aside",
    ),
    pytest.param(
        "Steelmakers in Tangshan ordered to cut output",
        "Steel mills in Tangshan were ordered to cut output by 30% this month, sending iron ore "
        "and coking coal futures lower.",
        ("steel",),
        {"iron_ore", "coal"},
        id="english: steel cut, raw materials react",
    ),
]


@pytest.mark.parametrize(("title", "text", "acted", "mentioned"), CASES)
def test_the_sector_acted_on_is_told_from_those_mentioned(
    title: str, text: str, acted: tuple[str, ...], mentioned: set[str]
) -> None:
    det = classify(title, text)
    assert det.relevant
    assert det.sectors == acted
    assert set(det.mentioned) == mentioned


def test_a_list_of_sectors_is_acted_on_as_a_whole() -> None:
    det = classify(
        "严控新增产能", "工信部要求严格控制钢铁、电解铝、水泥等行业新增产能，坚决遏制盲目扩张。"
    )
    assert set(det.sectors) == {"steel", "nonferrous", "cement"} and det.mentioned == ()


def test_event_keys_use_the_sectors_acted_on() -> None:
    """A PV-glass cut reported once with the float-glass market reaction and once without is
    one event, and a float-glass cut in the same days is another."""
    index = EventIndex()
    stories = [
        (
            "a",
            "光伏玻璃企业集体减产30%",
            "国内十家光伏玻璃生产企业达成一致，集体减产30%。受此影响，浮法玻璃期货应声上涨。",
        ),
        ("b", "浮法玻璃企业联合冷修", "沙河多家浮法玻璃企业宣布联合冷修产线，压减产量。"),
        (
            "c",
            "多家光伏玻璃厂商联合减产三成",
            "据悉，国内多家光伏玻璃生产企业达成一致，集体减产30%，堵窑口、冷修等方式压减产量。",
        ),
    ]
    events = {}
    for n, (rid, title, text) in enumerate(stories):
        staged = detect_and_assign(
            ArticleText(rid, title, text, "zh", datetime(2026, 8, 20 + n, tzinfo=UTC)), index
        )
        assert staged.assignment is not None, rid
        events[rid] = staged.assignment.event_id
    assert events["a"].startswith("pv_glass-")
    assert events["c"] == events["a"]
    assert events["b"] != events["a"] and events["b"].startswith("glass-")


def test_the_alert_names_the_target_first_and_the_rest_as_context() -> None:
    det = classify(*CASES[0].values[:2])  # type: ignore[arg-type]
    payload = AlertPayload.of(
        det,
        headline="光伏玻璃企业集体减产30%",
        source_key="cls",
        source_name="财联社",
        tier="wire",
        url=None,
        article_id=1,
        published_at=None,
        event_id="pv_glass-production_cut-2026-08-abcdef",
    )
    stored = AlertPayload.from_json(payload.to_json(), payload.event_id)  # through the outbox
    assert stored.mentioned == ("glass",)
    lines = render_alert_html(stored).splitlines()
    assert "PV glass 光伏玻璃" in lines[0] and "Float glass" not in lines[0]
    assert "Also named: Float glass 浮法玻璃" in lines


def test_detect_jsonl_reports_month_and_mentioned_sectors() -> None:
    line = json.dumps(
        {
            "id": "x",
            "title": CASES[0].values[0],
            "text": CASES[0].values[1],
            "published": "2026-08-21",
        },
        ensure_ascii=False,
    )
    [out] = list(run_jsonl([line]))
    assert out["sectors"] == ["pv_glass"] and out["mentioned"] == ["glass"]
    assert "month" in out
