import re

from alerts.payload import AlertPayload
from alerts.render import TELEGRAM_LIMIT, render_alert_html, render_alert_plain

PAYLOAD = {
    "event_id": "pv_glass-production_cut-2026-09-abc123",
    "headline": "光伏玻璃龙头企业集体减产30%",
    "sectors": ["pv_glass"],
    "actions": ["production_cut"],
    "actors": ["福莱特"],
    "figures": ["30%", "2026-09"],
    "evidence": [
        {"field": "title", "sentence": "光伏玻璃龙头企业集体减产30%", "terms": ["光伏玻璃", "减产"]}
    ],
    "source_name": "财联社 电报",
    "tier": "wire",
    "url": "https://www.cls.cn/detail/2461000",
    "published_at": "2026-08-21T08:13:20+00:00",
}


def test_alert_names_sector_action_headline_source_time_why_and_link():
    text = render_alert_html(AlertPayload.from_json(PAYLOAD))
    assert "Production cut" in text and "PV glass" in text
    assert "光伏玻璃龙头企业集体减产30%" in text
    assert "财联社 电报 (wire)" in text
    assert "2026-08-21 16:13 Beijing" in text
    assert "Why it matched" in text and "减产" in text
    assert '<a href="https://www.cls.cn/detail/2461000">' in text
    assert "30%" in text and "福莱特" in text


def test_hostile_strings_are_escaped_and_only_telegram_tags_remain():
    hostile = {
        **PAYLOAD,
        "headline": "<script>alert(1)</script> & <b>unclosed \u202etxt.exe",
        "url": 'https://x.test/?a=1&b="2"',
    }
    text = render_alert_html(AlertPayload.from_json(hostile))
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "&amp;" in text and "&lt;b&gt;unclosed" in text
    tags = set(re.findall(r"</?([a-z]+)", text))
    assert tags <= {"b", "i", "a", "code"}
    assert 'href="https://x.test/?a=1&amp;b=&quot;2&quot;"' in text


def test_long_evidence_keeps_the_message_within_telegram_limit():
    huge = {
        **PAYLOAD,
        "headline": "长" * 5000,
        "evidence": [{"sentence": "证" * 3000, "terms": ["减产"]}] * 3,
    }
    text = render_alert_html(AlertPayload.from_json(huge))
    assert len(text) <= TELEGRAM_LIMIT
    assert text.count("<b>") == text.count("</b>")


def test_plain_rendering_has_no_markup():
    plain = render_alert_plain(AlertPayload.from_json({**PAYLOAD, "headline": "A & B <c>"}))
    assert "<b>" not in plain and "A & B <c>" in plain
