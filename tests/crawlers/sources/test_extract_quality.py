"""Generic extraction quality: real Sina pages, and real article bodies wrapped in our own
site furniture (tests/fixtures/extract, built by build_pages.py), measured by line-level
precision/recall of the body text against the known body."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from crawlers.extract import decode_html, extract_article
from crawlers.extract.article import strip_site_suffix
from crawlers.extract.clean import clean_text, is_boilerplate
from tests.conftest import shared_path
from tests.crawlers.sources.wrapped_pages import build_pages, page_names


@pytest.fixture(scope="module")
def wrapped() -> dict:
    """Real bodies from ../shared in our own page furniture (skips when ../shared is absent)."""
    shared_path("fixtures", "sources", "jin10")
    return build_pages()


def _lines(text: str) -> Counter:
    return Counter(re.sub(r"\s+", "", line) for line in text.split("\n") if line.strip())


def precision_recall(got: str, want: str) -> tuple[float, float]:
    """Character-weighted share of extracted lines that are body lines, and of body lines found."""
    g, w = _lines(got), _lines(want)
    hit = sum(len(k) * v for k, v in (g & w).items())
    return hit / max(sum(len(k) * v for k, v in g.items()), 1), hit / sum(
        len(k) * v for k, v in w.items()
    )


def _sina(name: str):
    raw = shared_path("fixtures", "sources", "sina", name).read_bytes()
    return extract_article(decode_html(raw).text, "https://finance.sina.com.cn/roll/x.shtml")


def test_sina_roll_page_starts_at_the_lead_without_promo_or_editor():
    found = _sina("sina_finance_roll_article_2018-12-28.html")
    assert found.text.startswith("新京报快讯（记者 裴剑飞）今日（12月28日）")
    assert "点击投票" not in found.text and "只有潮水退了" not in found.text
    assert "责任编辑" not in found.text
    assert found.text.endswith("避免非正常渠道购票带来的风险。")
    assert found.title == '60万"12306账号"外泄? 中铁总辟谣称消息不实'
    assert found.author == "裴剑飞"
    assert found.published.isoformat() == "2018-12-28T19:56:29+08:00"


def test_sina_usstock_page_drops_repost_header_disclaimer_and_editor():
    found = _sina("sina_finance_usstock_article_2019-09-09.html")
    assert found.text.startswith("随着低增长、低利率、低通胀成为新的常态")
    assert found.text.endswith("通过同时购买政府和企业债券重启量化宽松。（完）")
    assert "免责声明" not in found.text and "责任编辑" not in found.text
    assert "AMUNDI副首席投资官：Vincent Mortier" in found.text  # a Q&A label stays
    assert found.published.isoformat() == "2019-09-09T20:52:38+08:00"


@pytest.mark.parametrize("name", sorted(page_names()))
def test_wrapped_real_bodies_are_extracted_without_site_furniture(name, wrapped):
    want = wrapped[name]
    found = extract_article(want["html"], "https://e.com/1")
    precision, recall = precision_recall(found.text, want["body"])
    assert recall >= 0.98, (name, recall)
    assert precision >= 0.98, (name, precision, found.text[:300])
    assert found.title == want["title"]
    assert found.published.isoformat() == want["published"].replace(" ", "T") + "+08:00"
    if want["layout"] != "news_en" and want["author"]:
        assert found.author == want["author"]


def test_overall_precision_recall_of_wrapped_pages(wrapped):
    got = want = ""
    for exp in wrapped.values():
        got += extract_article(exp["html"]).text + "\n"
        want += exp["body"] + "\n"
    precision, recall = precision_recall(got, want)
    assert precision >= 0.99 and recall >= 0.99, (precision, recall)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("60万账号外泄? 中铁总辟谣_新浪财经_新浪网", "60万账号外泄? 中铁总辟谣"),
        ("China cuts steel output quotas | Reuters", "China cuts steel output quotas"),
        ("光伏行业减产倡议发布 - 华尔街见闻", "光伏行业减产倡议发布"),
        (
            "A-share solar makers rally on output curbs",
            "A-share solar makers rally on output curbs",
        ),
        ("钢铁|水泥|玻璃行业反内卷行动一览", "钢铁|水泥|玻璃行业反内卷行动一览"),
    ],
)
def test_site_suffixes_are_stripped_from_titles(title, expected):
    assert strip_site_suffix(title) == expected


def test_logo_h1_is_not_taken_for_the_headline():
    page = (
        "<html><head><title>多晶硅企业联合减产 - 示例见闻</title></head><body>"
        "<h1>示例见闻</h1><h2>多晶硅企业联合减产</h2><p>正文。</p></body></html>"
    )
    assert extract_article(page).title == "多晶硅企业联合减产"


@pytest.mark.parametrize(
    ("line", "boiler"),
    [
        ("责任编辑：霍琦", True),
        ("免责声明：本文仅代表作者个人观点。", True),
        ("扫码关注公众号，获取更多资讯", True),
        ("Copyright © 2026 Example. All rights reserved.", True),
        ("Advertisement", True),
        ("Sign up for our newsletter", True),
        ("编辑部认为，光伏行业减产势在必行。", False),
        ("声明称，协会将推动企业自律减产。", False),
        ("The association said members will sign up to output cuts.", False),
        ("中国光伏行业协会发布倡议，呼吁企业依法依规竞争，" * 12 + "点击投票", False),
    ],
)
def test_boilerplate_lines(line, boiler):
    assert is_boilerplate(line) is boiler


def test_related_section_is_cut_only_near_the_end():
    body = "\n".join(["光伏玻璃企业宣布减产百分之三十，以缓解行业供过于求。"] * 6)
    assert clean_text(body + "\n相关阅读\n另一篇文章标题") == body
    assert clean_text("相关阅读\n" + body) == body
