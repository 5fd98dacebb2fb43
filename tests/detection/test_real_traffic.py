"""Real saved traffic (../shared fixtures) through the pipeline: ordinary days must not flood
analysts, the keyword-hit file must not starve them. Numbers printed by bench/real_traffic.py."""

from __future__ import annotations

import pytest

from bench import real_traffic as rt
from tests.conftest import shared_path

ORDINARY_DAY_MAX_ALERTS = 8  # measured 2026-08-21: CLS 1, Eastmoney 1


@pytest.fixture(scope="module")
def traffic() -> dict[str, rt.Traffic]:
    shared_path("fixtures", "sources", "cls", rt.CLS_DAY.name)
    shared_path("fixtures", "sources", "eastmoney", rt.EASTMONEY_DAY.name)
    return {t.name.split()[0] + " " + t.name.split()[1]: t for t in rt.all_files()}


def _headlines(t: rt.Traffic) -> str:
    return "\n".join(h for _, h in t.alerts)


def test_ordinary_days_do_not_flood(traffic):
    for key, items in (("cls day", 611), ("eastmoney day", 807)):
        t = traffic[key]
        assert t.items == items
        assert 1 <= t.events <= ORDINARY_DAY_MAX_ALERTS, _headlines(t)
        assert "能繁母猪" in _headlines(t)  # the one real action of that day
        assert "高盛" not in _headlines(t)  # global refinery outages are not supply discipline


def test_keyword_hits_do_not_starve(traffic):
    t = traffic["cls keyword"]
    assert t.items == 144
    assert len(t.relevant) >= 20 and 12 <= t.events <= 35, _headlines(t)
    text = _headlines(t)
    for must in ("生猪产能", "光伏行业价格合规", "钢铁"):
        assert must in text, must
    relevant_ids = {r["id"] for r in t.relevant}
    assert "cls-2448037" in relevant_ids  # 光伏硅料八巨头签署倡议：不得低于成本价销售
    assert "cls-2374231" not in relevant_ids  # 信托业 notice borrowing the campaign's words
