"""Chinese text handling: charsets, times, bylines, and generic extraction of real pages."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest

from core.timeparse import parse_time
from core.tz import BEIJING
from crawlers.extract import decode_html, extract_article
from crawlers.extract.byline import parse_byline
from tests.conftest import REPO, shared_path

NOW = datetime(2026, 8, 21, 16, 0, tzinfo=BEIJING)
PAGE = '<html><head><meta charset="{label}"></head><body><p>钢铁行业减产𠀀</p></body></html>'


@pytest.mark.parametrize("label", ["gb2312", "GBK", "gb18030", "x-gbk", "cp936"])
def test_gbk_family_labels_decode_as_gb18030(label):
    decoded = decode_html(PAGE.format(label=label).encode("gb18030"))
    assert decoded.encoding == "gb18030" and "钢铁行业减产𠀀" in decoded.text


def test_utf8_bytes_under_a_gb2312_label_are_detected():
    decoded = decode_html(PAGE.format(label="gb2312").encode("utf-8"))
    assert decoded.encoding == "utf-8" and "钢铁行业减产" in decoded.text
    assert "bytes are UTF-8" in decoded.note


def test_meta_wins_over_a_wrong_header_and_undeclared_gbk_is_found():
    gbk = PAGE.format(label="gbk").encode("gbk", "ignore")
    assert "钢铁行业减产" in decode_html(gbk, header_charset="utf-8").text
    bare = "<html><body>水泥错峰生产</body></html>".encode("gbk")
    decoded = decode_html(bare)
    assert decoded.text.endswith("水泥错峰生产</body></html>") and decoded.encoding == "gb18030"


def test_a_forced_encoding_is_used():
    assert decode_html("发改委".encode(), "gbk", forced="utf-8").text == "发改委"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3分钟前", "2026-08-21T15:57:00+08:00"),
        ("2小时前", "2026-08-21T14:00:00+08:00"),
        ("昨天 14:20", "2026-08-20T14:20:00+08:00"),
        ("前天 08:05", "2026-08-19T08:05:00+08:00"),
        ("07-03 10:36", "2026-07-03T10:36:00+08:00"),
        ("12-30 10:00", "2025-12-30T10:00:00+08:00"),  # would be in the future: last year
        ("10:36", "2026-08-21T10:36:00+08:00"),
        ("2018年12月28日 19:55", "2018-12-28T19:55:00+08:00"),
        ("2026-09-11-10:20:30", "2026-09-11T10:20:30+08:00"),  # gov.cn meta format
        ("2026/07/31", "2026-07-31T00:00:00+08:00"),
        ("2026-11-20T10:31:00Z", "2026-11-20T10:31:00+00:00"),
        ("Wed, 25 Nov 2026 08:00:00 GMT", "2026-11-25T08:00:00+00:00"),
        ("发布时间：2026-08-21 09:30 来源：新华社", "2026-08-21T09:30:00+08:00"),
        ("5 minutes ago", "2026-08-21T15:55:00+08:00"),
    ],
)
def test_times_parse_with_naive_as_beijing(text, expected):
    assert parse_time(text, now=NOW).isoformat() == expected


def test_epoch_and_garbage():
    assert parse_time("1795500000").timestamp() == 1795500000
    assert parse_time("1795500000000").timestamp() == 1795500000
    assert parse_time("阅读 1234") is None and parse_time("") is None


@pytest.mark.parametrize(
    ("text", "author", "source"),
    [
        ("来源：新华社 作者：张三", "张三", "新华社"),
        ("新京报快讯（记者裴剑飞）今日", "裴剑飞", None),
        ("每经记者 张明 每经编辑 李华", "张明", None),
        ("文/王五", "王五", None),
        ("2026-08-21 来源: 中国证券报·中证网", None, "中国证券报·中证网"),
        ("记者了解到，今年产量下降", None, None),
        ("By Jane Doe and John Smith\nHONG KONG", "Jane Doe and John Smith", None),
    ],
)
def test_byline(text, author, source):
    byline = parse_byline(text)
    assert (byline.author, byline.source) == (author, source)


def test_generic_extraction_prefers_h1_matching_title_and_json_ld():
    html = (
        "<html><head><title>限产通知_某某网</title>"
        '<script type="application/ld+json">{"@graph":[{"@type":"NewsArticle",'
        '"datePublished":"2026-11-20T09:00:00+08:00","author":{"name":"李雷"}}]}</script>'
        "</head><body><h1>热点</h1><h1>限产通知</h1><div>"
        + "<p>各钢铁企业按要求压减粗钢产量，严禁新增产能，确保完成年度调控目标。</p>" * 4
        + "</div></body></html>"
    )
    found = extract_article(html)
    assert found.title == "限产通知" and found.author == "李雷"
    assert found.published.isoformat() == "2026-11-20T09:00:00+08:00"
    assert "压减粗钢产量" in found.text


@pytest.mark.parametrize(
    ("name", "title", "published", "author", "snippet"),
    [
        (
            "sina_finance_roll_article_2018-12-28.html",
            '60万"12306账号"外泄? 中铁总辟谣称消息不实',
            "2018-12-28T19:56:29+08:00",
            "裴剑飞",
            "铁路12306网站未发生用户信息泄漏",
        ),
        (
            "sina_finance_usstock_article_2019-09-09.html",
            "债券市场是否存在泡沫？世界知名首席投资官们这么说",
            "2019-09-09T20:52:38+08:00",
            "新浪财经-自媒体综合",
            "负利率债券的市场也不断扩大",
        ),
    ],
)
def test_capwatch_extract_on_real_sina_pages(name, title, published, author, snippet):
    page = shared_path("fixtures", "sources", "sina", name)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "capwatch",
            "extract",
            str(page),
            "--url",
            "https://finance.sina.com.cn/roll/x.shtml",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert set(out) == {"title", "text", "published", "author"}
    assert out["title"] == title and out["published"] == published and out["author"] == author
    assert snippet in out["text"] and "新浪财经APP" not in out["text"][:50]
