"""A UTC stamp is put in the offset the page itself uses, so its date is the publisher's day
(our own small pages in the shapes of US, European and Chinese article pages)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from crawlers.extract import extract_article
from crawlers.extract.localday import on_day, publisher_local, url_day

BODY = "<p>" + "The board voted to cut output at two smelters by a third this winter. " * 8 + "</p>"
UTC_META = '<meta property="article:published_time" content="2023-11-09T03:28:35Z">'


def page(head: str = UTC_META, under_h1: str = "", title: str = "Smelters cut output") -> str:
    return (
        f"<html><head><title>{title}</title>{head}</head><body><h1>{title}</h1>"
        f"<div class='byline'>{under_h1}</div><article>{BODY}</article></body></html>"
    )


def test_the_same_instant_stamped_with_an_offset_elsewhere_gives_the_offset() -> None:
    ld = '<script type="application/ld+json">{"dateModified": "2023-11-08T22:28:35-05:00"}</script>'
    found = extract_article(page(UTC_META + ld), "https://news.example.com/a/1")
    assert found.published is not None
    assert found.published.isoformat() == "2023-11-08T22:28:35-05:00"
    assert "own stamp of that instant" in found.hits["time"]


def test_the_urls_date_gives_the_day_and_the_instant_is_kept() -> None:
    found = extract_article(page(), "https://www.example.com/2023/11/08/smelters-cut-output/")
    moment = found.published
    assert moment is not None and moment.date() == date(2023, 11, 8)
    assert moment == datetime(2023, 11, 9, 3, 28, 35, tzinfo=UTC)


def test_other_stamps_offsets_and_a_shown_day_are_used_in_that_order() -> None:
    other = '<meta name="last-modified" content="2023-11-10T09:00:00+01:00">'
    found = extract_article(page(UTC_META.replace("03:28", "23:10").replace("09T", "08T") + other))
    assert found.published is not None and found.published.isoformat().endswith("+01:00")
    assert found.published.date() == date(2023, 11, 9)
    shown = extract_article(page(under_h1="2023-11-08"), "https://example.com/a")
    assert shown.published is not None and shown.published.date() == date(2023, 11, 8)


def test_a_utc_stamp_without_any_local_evidence_stays_utc() -> None:
    found = extract_article(page(), "https://example.com/a")
    assert found.published is not None
    assert found.published.isoformat() == "2023-11-09T03:28:35+00:00"


def test_chinese_pages_take_beijing_when_only_the_day_is_known() -> None:
    moment = datetime(2026, 8, 20, 17, 30, tzinfo=UTC)
    local, how = publisher_local(moment, "", "https://cn.example.cn/2026/08/21/a.html", prefer=8)
    assert local.isoformat() == "2026-08-21T01:30:00+08:00" and how == "the URL's date"
    assert on_day(moment, date(2026, 8, 25)) is None  # no offset on earth: another day


def test_url_dates_in_the_shapes_sites_use() -> None:
    assert url_day("https://a.com/2023/11/08/story") == date(2023, 11, 8)
    assert url_day("https://a.com/news/2023-11-08-story.html") == date(2023, 11, 8)
    assert url_day("https://a.cn/c/20231108/123.shtml") == date(2023, 11, 8)
    assert url_day("https://a.com/blog/260619/story") is None
    assert url_day("https://a.com/2023/13/40/") is None
    assert url_day(None) is None
