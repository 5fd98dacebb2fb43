"""Safe splitting and hostile-text rendering, checked with the fake server's HTML parser."""

import re
from datetime import UTC, datetime, timedelta

from alerts.payload import AlertPayload
from alerts.render import render_alert_html, render_digest_html, render_update_reply, to_plain
from alerts.sample import SAMPLE_PAYLOAD
from alerts.split import split_html, split_plain, utf16_len
from db.models import Report
from tests.fakes.bot_api import parse_html


def valid(part: str, limit: int = 4096) -> bool:
    error, _visible = parse_html(part)
    return error is None and utf16_len(part) <= limit


def test_split_keeps_every_part_balanced_and_within_the_limit():
    text = "<b>标题</b>\n" + "\n".join(
        f"<i>第{i}条 &amp; 减产 😀👍🏽 👨‍👩‍👧</i> "
        f'<a href="https://x.test/?a={i}&amp;b=2">链接 {i}</a>'
        for i in range(400)
    )
    parts = split_html(text, 300)
    assert len(parts) > 10
    assert all(valid(p, 300) for p in parts)
    # nothing lost, nothing invented: the visible text is the original visible text
    visible = "".join(parse_html(p)[1] for p in parts)
    assert visible.replace("\n", "") == parse_html(text)[1].replace("\n", "")


def test_a_cut_inside_a_link_reopens_it_with_its_address():
    text = '<a href="https://x.test/long">' + "字 " * 400 + "</a>"
    parts = split_html(text, 200)
    assert len(parts) > 2
    assert all(p.startswith('<a href="https://x.test/long">') and p.endswith("</a>") for p in parts)


def test_no_cut_inside_an_entity_or_a_surrogate_pair():
    text = "&amp;😀" * 500  # 5 + 2 UTF-16 units per repetition
    for limit in (10, 11, 12, 13, 97):
        for part in split_html(text, limit):
            assert valid(part, limit)
            assert re.fullmatch(r"(?:&amp;|😀)+", part)


def test_an_address_too_long_for_any_message_loses_its_markup_not_its_text():
    text = f'<a href="https://x.test/{"a" * 5000}">report</a> after'
    parts = split_html(text)
    assert all(valid(p) for p in parts)
    assert "report" in "".join(parts) and "after" in "".join(parts)


def test_plain_split_measures_utf16():
    parts = split_plain("😀" * 3000)
    assert [utf16_len(p) for p in parts] == [4096, 1904]


def test_hostile_titles_are_inert():
    hostile = {
        **SAMPLE_PAYLOAD,
        "headline": "<script>alert(1)</script> & <b>unclosed <a href='x'> "
        "\u202egnp.exe \u2066x\u2069",
        "actors": ["</b><i>", "A&B"],
        "url": "javascript:alert(1)",
        "evidence": [{"sentence": "<tg-spoiler>", "terms": ["<", "&"]}],
    }
    text = render_alert_html(AlertPayload.from_json(hostile))
    assert valid(text)
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "\u202e" not in text and "\u2066" not in text
    assert "javascript:" not in text.split("Read the report")[0].split("href")[-1]
    assert 'href="javascript' not in text
    assert set(re.findall(r"</?([a-z-]+)", text)) <= {"b", "i", "a", "code"}


def reports(n):
    now = datetime.now(UTC)
    return [
        Report(
            i,
            f"s{i}",
            f"来源{i} <b>",
            "media",
            f"标题 {i} & more",
            f"https://n.test/{i}",
            now - timedelta(minutes=i),
            now,
        )
        for i in range(n)
    ]


def test_update_lists_later_sources_newest_first_and_fits_one_message():
    text = render_alert_html(AlertPayload.from_json(SAMPLE_PAYLOAD), reports(3))
    assert "+3 sources" in text and valid(text)
    assert text.index("标题 0") < text.index("标题 1") < text.index("标题 2")
    many = render_alert_html(
        AlertPayload.from_json({**SAMPLE_PAYLOAD, "headline": "长" * 3000}), reports(500)
    )
    assert valid(many) and "… and" in many
    assert valid(render_update_reply(AlertPayload.from_json(SAMPLE_PAYLOAD), reports(500)))


def test_digest_of_many_events_splits_into_valid_messages():
    items = [(AlertPayload.from_json(SAMPLE_PAYLOAD, f"e{i}"), i) for i in range(120)]
    parts = split_html(render_digest_html(items))
    assert len(parts) > 1 and all(valid(p) for p in parts)
    assert "e119" in parts[-1]


def test_plain_fallback_keeps_link_addresses():
    assert "(https://www.cls.cn/detail/2461000)" in to_plain(
        render_alert_html(AlertPayload.from_json(SAMPLE_PAYLOAD))
    )
