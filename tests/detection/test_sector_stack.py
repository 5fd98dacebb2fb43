"""The sector stacker: the rules' attribution and the model's sector heads weighed by one
regression learned from the labels; events keyed on the rules' attribution; sector terms the
guide names; evaluation streams timeless records at the time of the record before them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from detection.arrival import carried_times
from detection.classify import classify, rule_evidence
from detection.events import EventIndex, key_sectors
from detection.learned import store
from detection.learned.corpus import read_corpus
from detection.learned.linear import SECTOR_HEAD, TextModel
from detection.learned.sectors import SectorEvidence, decide, features, fit_cut
from detection.learned.stack import StackerCut
from detection.learned.train import TrainParams, fit
from detection.model import Detection

LOCAL = Path(__file__).resolve().parent / "labelled_examples.jsonl"
N_FEATURES = len(features(SectorEvidence({}, {}, {}, frozenset(), (), ()), {}, "steel"))


@pytest.fixture(scope="module")
def stacked() -> TextModel:
    return fit(read_corpus(LOCAL))


def _acted_only(weight: float = 8.0) -> StackerCut:
    """A stacker that reads only the acted-on share: acted 1.0 -> p 0.9997, 0 -> p 0.5."""
    return StackerCut((weight,) + (0.0,) * (N_FEATURES - 1), 0.0, 0.6)


def test_decide_keeps_the_sectors_acted_on_and_falls_back_sensibly() -> None:
    ev = SectorEvidence(
        acted={"steel": 1.0, "coal": 0.05},
        near={"steel": 1.0, "coal": 1.0},
        named={"steel": 4.0, "coal": 2.0},
        title=frozenset({"steel"}),
        order=("coal", "steel"),
        chosen=("steel",),
    )
    assert decide(_acted_only(), ev, {}) == ("steel",)
    # nothing past the cut-off: the likeliest candidate, not an empty list
    assert decide(_acted_only(0.0), ev, {}) == ("steel",)
    # nothing named at all: a policy naming no sector is `other` (LABELING.md)
    empty = SectorEvidence({}, {}, {}, frozenset(), (), ())
    assert decide(_acted_only(), empty, {}) == ("other",)


def test_the_stacker_learns_acted_on_from_merely_named() -> None:
    """Labels say: the sector the actions are about, not the one named beside it."""
    evidence, labels, groups = [], [], []
    for n in range(40):
        main, aside = ("steel", "coal") if n % 2 else ("cement", "glass")
        evidence.append(
            SectorEvidence(
                acted={main: 1.0, aside: 0.1 * (n % 3)},
                near={main: 1.0, aside: 0.8},
                named={main: 3.0 + n % 4, aside: 1.0 + n % 2},
                title=frozenset({main}),
                order=(aside, main) if n % 4 == 0 else (main, aside),
                chosen=(main,),
            )
        )
        labels.append((main,))
        groups.append(f"event-{n // 2}")
    cut = fit_cut(evidence, [{}] * 40, labels, groups, seed=0)
    assert cut is not None and 0.1 <= cut.cut <= 0.9
    assert all(decide(cut, ev, {}) == lab for ev, lab in zip(evidence, labels, strict=True))


def test_sector_heads_and_stacker_are_stored(stacked: TextModel, tmp_path: Path) -> None:
    assert any(h.startswith(SECTOR_HEAD) for h in stacked.heads)
    sector_heads = {h.removeprefix(SECTOR_HEAD) for h in stacked.heads if h.startswith(SECTOR_HEAD)}
    assert set(stacked.sectors({})) == sector_heads
    assert not set(stacked.actions({})) & sector_heads  # action heads only
    model = replace(stacked, sector_cut=StackerCut((0.5,) * N_FEATURES, -1.0, 0.4))
    meta = store.TrainingMeta((), 0, 0, 0, TrainParams().as_dict(), "test")
    path = tmp_path / "m.json.gz"
    store.write_model(path, model, meta)
    back = store.load_model(path)
    assert back.sector_cut == model.sector_cut
    store.write_model(path, fit(read_corpus(LOCAL), TrainParams(stack=False)), meta)
    assert store.load_model(path).sector_cut is None


def test_events_key_on_the_rules_attribution(stacked: TextModel) -> None:
    title = "唐山钢厂集体减产 焦煤价格承压"
    text = "受环保限产影响，唐山多家钢厂宣布高炉减产20%，焦煤需求随之走弱。"
    det = classify(title, text, "zh", model=replace(stacked, sector_cut=_acted_only()))
    rules = classify(title, text, "zh", model=None)
    assert det.relevant and det.rule_sectors == rules.sectors
    assert key_sectors(det) == rules.sectors
    ev = rule_evidence(title, text, "zh")[1]
    assert "steel" in ev.candidates() and ev.chosen == rules.sectors
    # a report whose learned sectors differ still lands on the rules' key
    idx = EventIndex()
    when = datetime(2025, 7, 1, tzinfo=UTC)
    a = Detection(True, 0.9, ("steel",), ("production_cut",), rule_sectors=("steel",))
    b = Detection(True, 0.9, ("coal", "steel"), ("production_cut",), rule_sectors=("steel",))
    first = idx.assign("a", "t1", "x1", a, when)
    assert first.event_id.startswith("steel-") and idx.assign(
        "b", "t2", "x2", b, when
    ).event_id == (first.event_id)


def test_detection_round_trips_rule_sectors() -> None:
    det = Detection(True, 0.7, ("coal",), ("inspection",), rule_sectors=("coal", "steel"))
    assert Detection.from_dict(det.to_dict()) == det
    assert key_sectors(Detection(True, 0.7)) == ("other",)


@pytest.mark.parametrize(
    ("title", "text", "sector"),
    [
        (
            "太阳能玻璃企业联合减产",
            "多家太阳能玻璃企业宣布联合减产30%，以应对供过于求。",
            "pv_glass",
        ),
        (
            "新型储能行业抵制内卷式竞争",
            "新型储能行业座谈会要求企业自律，抵制低于成本价竞争。",
            "lithium",
        ),
        ("铁合金协会号召限产", "中国铁合金工业协会号召锰硅企业限产50%，扭转价格战。", "other"),
    ],
)
def test_sector_words_the_guide_implies(title: str, text: str, sector: str) -> None:
    det = classify(title, text, "zh", model=None)
    assert det.relevant and det.sectors[0] == sector


def test_timeless_records_take_the_time_before_them() -> None:
    t1 = datetime(2025, 7, 1, tzinfo=UTC)
    t2 = datetime(2025, 8, 1, tzinfo=UTC)
    assert carried_times([None, t1, None, None, t2, None]) == [None, t1, t1, t1, t2, t2]


def test_one_issuers_plan_in_general_and_for_one_sector_is_one_event() -> None:
    """A sectorless ('other') report and a sector's report of one issuer's plan join; without
    a shared issuer 'other' still joins nothing."""
    idx = EventIndex()
    when = datetime(2026, 8, 21, tzinfo=UTC)
    plan = Detection(True, 0.8, ("other",), ("price_discipline", "policy_guideline"), ("cac",))
    part = Detection(True, 0.8, ("platform",), ("price_discipline", "policy_guideline"), ("cac",))
    first = idx.assign("p1", "行动计划发布", "中央网信委印发行动计划，防范无序竞争。", plan, when)
    second = idx.assign("p2", "行动计划：规范平台补贴", "规范平台过度补贴。", part, when)
    assert first.is_new and second.event_id == first.event_id
    stranger = Detection(True, 0.8, ("platform",), ("price_discipline",), ("samr",))
    assert idx.assign("p3", "市场监管总局约谈平台", "约谈外卖平台。", stranger, when).is_new
