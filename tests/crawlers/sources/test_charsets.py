"""Charsets on every path (HTML, XML, JSON): wrong server defaults, Big5 without a label,
GBK characters under a gb2312 label."""

from __future__ import annotations

import pytest

from crawlers.extract.encoding import decode_bytes, decode_html, header_charset

SIMPLIFIED = "国家发展改革委：钢铁行业减产，光伏玻璃产能调控，43岁马伊琍出席发布会。"
TRADITIONAL = "經濟日報：鋼鐵業減產，產能過剩問題嚴重，政府推動反內卷政策，光伏玻璃價格上漲。"
HTML = "<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"


def page(text: str, meta: str = "") -> str:
    return HTML.format(meta=meta, text=text)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_an_iso_8859_1_header_does_not_win_over_chinese_bytes(encoding: str) -> None:
    decoded = decode_html(page(SIMPLIFIED).encode(encoding), header_charset="iso-8859-1")
    assert SIMPLIFIED in decoded.text
    assert "iso-8859-1" in decoded.note


def test_a_real_latin_1_page_stays_latin_1() -> None:
    text = "Les marchés de l'acier: réduction de la production à Tianjin, café crème"
    decoded = decode_html(page(text).encode("latin-1"), header_charset="ISO-8859-1")
    assert text in decoded.text


@pytest.mark.parametrize("meta", ["", '<meta charset="gb2312">', '<meta charset="GBK">'])
def test_big5_is_found_without_a_label_or_under_a_wrong_gb_label(meta: str) -> None:
    decoded = decode_html(page(TRADITIONAL, meta).encode("big5"))
    assert TRADITIONAL in decoded.text and decoded.encoding == "big5hkscs"
    if meta:
        assert "but the bytes are Big5" in decoded.note


def test_a_big5_label_on_big5_bytes_is_kept() -> None:
    decoded = decode_html(page(TRADITIONAL, '<meta charset="big5">').encode("big5"))
    assert TRADITIONAL in decoded.text and decoded.note.startswith("declared big5")


def test_gbk_characters_under_a_gb2312_label_are_kept_whole() -> None:
    decoded = decode_html(page(SIMPLIFIED, '<meta charset="gb2312">').encode("gb18030"))
    assert SIMPLIFIED in decoded.text and decoded.encoding == "gb18030"


def test_xml_declaration_gb2312_reads_as_gb18030() -> None:
    xml = f'<?xml version="1.0" encoding="gb2312"?><rss><item><title>{SIMPLIFIED}</title>'
    decoded = decode_bytes((xml + "</item></rss>").encode("gb18030"), kind="xml")
    assert SIMPLIFIED in decoded.text and decoded.encoding == "gb18030"


@pytest.mark.parametrize(
    ("content_type", "encoding"),
    [
        ("application/json; charset=gb2312", "gb18030"),
        ("application/json; charset=GBK", "gb18030"),
        ("application/json; charset=iso-8859-1", "utf-8"),
        ("application/json", "gb18030"),
    ],
)
def test_json_answers(content_type: str, encoding: str) -> None:
    body = ('{"title": "' + SIMPLIFIED + '", "html": "<meta charset=big5>"}').encode(encoding)
    decoded = decode_bytes(body, header_charset(content_type), kind="json")
    assert SIMPLIFIED in decoded.text


def test_header_charset_reads_the_parameter() -> None:
    assert header_charset(b'text/html; Charset="GBK"') == "GBK"
    assert header_charset("text/html") is None
    assert header_charset(None) is None


@pytest.mark.parametrize("meta", ["", '<meta charset="gb2312">'])
def test_a_few_broken_bytes_do_not_turn_a_gbk_page_into_garbage(meta: str) -> None:
    good = page(SIMPLIFIED * 20, meta).encode("gb18030")
    broken = good.replace("减产".encode("gb18030"), b"\xff\xfe", 1)  # two bad bytes
    decoded = decode_html(broken)
    assert decoded.encoding == "gb18030" and "undecodable bytes" in decoded.note
    assert decoded.text.count(SIMPLIFIED) == 19
