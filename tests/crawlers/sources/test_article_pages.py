"""Article pages: the visible date-time under the headline, UTC stamps, site suffixes."""

from __future__ import annotations

import pytest

from core.tz import BEIJING
from crawlers.extract import extract_article
from crawlers.extract.article import strip_site_suffix

BODY = "<p>" + "中国光伏行业协会召开座谈会，多家玻璃企业表示将联合减产三成。" * 6 + "</p>"


def page(head: str = "", under_h1: str = "", footer: str = "") -> str:
    return (
        f"<html><head><title>光伏玻璃企业联合减产_新浪财经</title>{head}</head><body>"
        f"<div class='nav'>首页 财经 股票</div><h1>光伏玻璃企业联合减产</h1>"
        f"<div class='meta'>{under_h1}</div><article>{BODY}</article>"
        f"<div class='footer'>{footer}</div></body></html>"
    )


def test_a_visible_date_time_beats_a_date_only_meta() -> None:
    html = page(
        '<meta name="publishdate" content="2026-08-21">', "2026年08月21日 10:36 来源：新华社"
    )
    found = extract_article(html, "https://finance.example.cn/a.html")
    assert found.published is not None
    assert found.published.isoformat() == "2026-08-21T10:36:00+08:00"
    assert found.hits["time"] == "visible date-time near the headline"


def test_a_visible_date_time_beats_htmldates_day_guess() -> None:
    found = extract_article(page(under_h1="发布时间：2026-08-21 下午3:05"))
    assert found.published is not None
    assert found.published.isoformat() == "2026-08-21T15:05:00+08:00"


def test_a_meta_date_time_is_kept_and_utc_lands_on_the_beijing_day() -> None:
    html = page('<meta property="article:published_time" content="2026-08-20T17:30:00Z">')
    found = extract_article(html)
    assert found.published is not None
    assert found.published.astimezone(BEIJING).date().isoformat() == "2026-08-21"
    assert found.hits["time"] == "meta article:published_time"


def test_a_date_far_below_the_headline_is_not_the_publication_time() -> None:
    comments = "<p>网友评论 2019-01-01 08:00</p>"
    found = extract_article(page(under_h1="2026-08-21", footer=comments * 3))
    assert found.published is not None and found.published.date().isoformat() == "2026-08-21"


@pytest.mark.parametrize(
    "title",
    [
        "光伏玻璃企业联合减产 - 新浪财经",
        "光伏玻璃企业联合减产_财经频道_东方财富网",
        "光伏玻璃企业联合减产--中国经济网",
        "光伏玻璃企业联合减产——人民网",
        "光伏玻璃企业联合减产-新华网",
        "光伏玻璃企业联合减产·澎湃新闻",
        "【光伏玻璃企业联合减产】-财联社",
        "光伏玻璃企业联合减产 :: 财新网",
        "光伏玻璃企业联合减产_中华人民共和国工业和信息化部",
        "新浪财经 | 光伏玻璃企业联合减产",
    ],
)
def test_site_suffixes_are_removed_in_every_layout(title: str) -> None:
    assert strip_site_suffix(title) == "光伏玻璃企业联合减产"


@pytest.mark.parametrize("title", ["2025-2026年光伏玻璃产能调控方案", "A股-港股联动走强"])
def test_hyphens_inside_a_headline_stay(title: str) -> None:
    assert strip_site_suffix(title) == title


def _titled(title: str, shown: str, h1: bool = False) -> str:
    tag = "h1" if h1 else "div"
    return (
        f"<html><head><title>{title}</title></head><body><div class='nav'>首页 新闻动态</div>"
        f"<{tag} class='headline'>{shown}</{tag}><div>发布时间：2026-08-21</div>"
        f"<article>{BODY}</article></body></html>"
    )


@pytest.mark.parametrize(
    "title",
    [
        "光伏玻璃企业联合减产 东区办事处_中山网",  # a suffix no site word gives away
        "光伏玻璃企业联合减产-纪检",
        "光伏玻璃企业联合减产 本站原创",
    ],
)
def test_the_headline_the_page_shows_is_taken_from_a_suffixed_title(title: str) -> None:
    assert extract_article(_titled(title, "光伏玻璃企业联合减产")).title == "光伏玻璃企业联合减产"


def test_an_h1_that_is_one_part_of_the_title_is_the_headline() -> None:
    title = "光伏玻璃企业联合减产_中南海_澎湃新闻-The Paper"
    html = _titled(title, "光伏玻璃企业联合减产", h1=True)
    assert extract_article(html).title == "光伏玻璃企业联合减产"


def test_a_short_nav_line_the_title_starts_with_is_not_the_headline() -> None:
    html = _titled("光伏玻璃 企业联合减产", "无关的标题")
    html = html.replace("首页 新闻动态", "光伏玻璃")
    assert extract_article(html).title == "光伏玻璃 企业联合减产"


def test_a_page_wrapped_in_one_aspnet_form_still_shows_its_date_and_title() -> None:
    html = (
        "<html><head><title>光伏玻璃企业联合减产 东区办事处</title></head><body>"
        "<form id='Form1' method='post'><input type='hidden' name='__VIEWSTATE' value='x'>"
        "<div class='headline'>光伏玻璃企业联合减产</div><div>2026-08-21 10:36</div>"
        f"<article>{BODY}</article></form></body></html>"
    )
    found = extract_article(html)
    assert found.title == "光伏玻璃企业联合减产"
    assert found.published is not None
    assert found.published.isoformat() == "2026-08-21T10:36:00+08:00"
