"""Evaluation streams labelled records as live would: in report-time order, each at a time."""

from __future__ import annotations

from datetime import datetime

from core.tz import BEIJING
from detection.arrival import arrival_time, event_month_time, in_arrival_order
from detection.events import EventIndex
from detection.model import Detection


def test_event_month_time_reads_the_label_month() -> None:
    assert event_month_time("steel-production_cut-2019-06-tangshan") == datetime(
        2019, 6, 15, 12, tzinfo=BEIJING
    )
    assert event_month_time("pv_glass-production_cut-2025-07") == datetime(
        2025, 7, 15, 12, tzinfo=BEIJING
    )
    assert event_month_time("steel-production_cut-undated") is None
    assert event_month_time(None) is None


def test_published_wins_over_the_label_month() -> None:
    published = datetime(2025, 8, 5, 9, tzinfo=BEIJING)
    assert arrival_time(published, "polysilicon-capacity_exit-2025-07") == published
    assert arrival_time(None, "polysilicon-capacity_exit-2025-07") == datetime(
        2025, 7, 15, 12, tzinfo=BEIJING
    )


def test_order_is_by_time_and_timeless_items_follow_their_predecessor() -> None:
    t = [
        datetime(2025, 9, 1, tzinfo=BEIJING),
        None,
        datetime(2021, 10, 13, tzinfo=BEIJING),
        datetime(2025, 3, 4),  # naive: Beijing
    ]
    assert in_arrival_order(t, lambda x: x) == [2, 3, 0, 1]


def test_same_tangshan_cut_in_two_years_stays_two_events() -> None:
    """The failure the old evaluation produced: undated reports of 2016 and 2019 Tangshan
    cuts joined one event because neither had a time. With report times they cannot."""
    det = Detection(relevant=True, score=0.9, sectors=("steel",), actions=("production_cut",))
    index = EventIndex()
    a = index.assign("a", "唐山钢厂限产", "唐山市钢铁企业限产 30%", det, None)
    b = index.assign("b", "唐山限产升级", "唐山部分钢厂限产 50%", det, None)
    assert a.event_id == b.event_id  # undated: nothing keeps them apart
    index = EventIndex()
    times = [
        arrival_time(None, "steel-production_cut-2016-07-tangshan"),
        arrival_time(None, "steel-production_cut-2019-06-tangshan"),
    ]
    a = index.assign("a", "唐山钢厂限产", "唐山市钢铁企业限产 30%", det, times[0])
    b = index.assign("b", "唐山限产升级", "唐山部分钢厂限产 50%", det, times[1])
    assert a.event_id != b.event_id
