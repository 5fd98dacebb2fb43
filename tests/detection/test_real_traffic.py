"""Real saved traffic (../shared fixtures) through the pipeline: ordinary days must not flood
analysts, the keyword-hit file must not starve them (detection/traffic.py; the same numbers are
printed by bench/real_traffic.py)."""

from __future__ import annotations

import pytest

from detection import traffic as rt
from tests.conftest import shared_path

# measured 2026-08-21 (rules + model): CLS 4, Eastmoney 4 — judged against LABELING.md: Muyuan's
# sow-herd cut (hog), SAMR's merger-review cases published "to curb involution-style
# competition", the financial regulator's plan against disorderly competition in non-motor
# insurance (other), the CAC action plan against platforms' excess subsidies and "involution"
# competition (platform): all four are actions the guide calls relevant. CLS also alerts the
# plan's own "发布" flash as a fifth event (relevant, but split from the plan's event: other vs
# platform sectors).
ORDINARY_DAY_MAX_ALERTS = 8


@pytest.fixture(scope="module")
def traffic() -> dict[str, rt.Traffic]:
    for day in rt.SAVED_DAYS:
        shared_path("fixtures", "sources", *day.path)
    fixtures = shared_path("fixtures", "sources")
    return {t.name.split()[0] + " " + t.name.split()[1]: t for t in rt.run_saved_days(fixtures)}


def _headlines(t: rt.Traffic) -> str:
    return "\n".join(h for _, h in t.alerts)


def test_ordinary_days_do_not_flood(traffic):
    for key, items in (("cls day", 611), ("eastmoney day", 807)):
        t = traffic[key]
        assert t.items == items
        assert 1 <= t.events <= ORDINARY_DAY_MAX_ALERTS, _headlines(t)
        assert "能繁母猪" in _headlines(t)  # a company's capacity cut
        assert "非车险综合治理" in _headlines(t)  # a regulator's campaign action, sector other
        assert "高盛" not in _headlines(t)  # global refinery outages are not supply discipline
        assert "民营企业座谈会" not in _headlines(t)  # a symposium hearing views: no action


def test_keyword_hits_do_not_starve(traffic):
    t = traffic["cls keyword"]
    assert t.items == 144
    assert len(t.relevant) >= 20 and 12 <= t.events <= 35, _headlines(t)
    text = _headlines(t)
    for must in ("生猪产能", "光伏行业价格合规", "钢铁"):
        assert must in text, must
    relevant_ids = {r["id"] for r in t.relevant}
    assert "cls-2448037" in relevant_ids  # 光伏硅料八巨头签署倡议：不得低于成本价销售
    # A regulator's notice against low-price "involution-style" competition among trust
    # companies: the guide's "regulators' actions under the campaign", sector other.
    assert "cls-2374231" in relevant_ids
