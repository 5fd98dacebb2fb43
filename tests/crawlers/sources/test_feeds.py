"""Feeds through feedparser with capwatch's charset and time rules (own cases, in the shapes of
feedparser's test feeds)."""

from __future__ import annotations

import io
from datetime import timedelta

import feedparser
import pytest

from crawlers.sources import SourceConfig
from crawlers.spiders.declarative import has_real_body
from crawlers.spiders.rss import feed_entries, fragment_text

TITLE = "国家发展改革委：钢铁行业减产𠀀"  # 𠀀 exists in GB18030 only, not in GBK or GB2312
RSS = (
    '<rss version="2.0"><channel><title>t</title>'
    "<item><title>{title}</title><link>http://x.cn/1</link><description>{body}</description>"
    "<pubDate>Fri, 21 Aug 2026 10:36:00 CST</pubDate><guid>a-1</guid></item>"
    "<item><title>第二条 马伊琍</title><link>/rel/2.html</link></item>"
    "</channel></rss>"
)
BODY = "光伏玻璃企业联合减产三成，行业协会称将持续推进反内卷治理。" * 3


def rss(decl: str = "", title: str = TITLE, body: str = BODY) -> str:
    return (f'<?xml version="1.0" encoding="{decl}"?>' if decl else "") + RSS.format(
        title=title, body=body
    )


def big5_feed() -> bytes:
    text = rss("big5", "經濟日報：鋼鐵業減產", "產能過剩問題嚴重，政府推動反內卷政策")
    return text.replace("第二条 马伊琍", "第二條 馬伊琍").encode("big5")


@pytest.mark.parametrize(
    ("raw", "headers"),
    [
        (rss("gb2312").encode("gb18030"), {}),  # GBK/GB18030 characters under gb2312
        (rss().encode("gb18030"), {"Content-Type": "application/rss+xml; charset=GBK"}),
        (rss("utf-8").encode("gb18030"), {}),  # GB18030 bytes labelled UTF-8
        (rss("gb18030").encode("utf-8"), {}),  # UTF-8 bytes declared gb18030
        (rss().encode("gb18030"), {"Content-Type": "text/xml; charset=iso-8859-1"}),
        (big5_feed(), {}),
    ],
)
def test_every_charset_case_reads_every_item_whole(raw: bytes, headers: dict[str, str]) -> None:
    entries = feed_entries(raw, "https://ex.cn/feed/rss.xml", headers)
    assert len(entries) == 2
    assert entries[0].title in (TITLE, "經濟日報：鋼鐵業減產")
    assert entries[1].title in ("第二条 马伊琍", "第二條 馬伊琍")


def test_feedparser_alone_is_wrong_where_capwatch_decodes_itself() -> None:
    """Why the bytes are decoded before feedparser sees them."""
    plain = TITLE.rstrip("𠀀")
    declared_gb = (
        '<?xml version="1.0" encoding="gb18030"?><rss version="2.0"><channel><item>'
        f"<title>{plain}</title><link>http://x.cn/1</link></item></channel></rss>"
    ).encode()
    alone = feedparser.parse(io.BytesIO(declared_gb))
    assert alone.entries[0].title != plain  # UTF-8 read as GB18030: mojibake
    gbk_header = {"content-type": "application/rss+xml; charset=gbk"}
    alone = feedparser.parse(io.BytesIO(rss().encode("gb18030")), response_headers=gbk_header)
    assert TITLE not in [e.get("title") for e in alone.entries]  # GBK has no 𠀀
    assert feed_entries(declared_gb)[0].title == plain
    ours = feed_entries(rss().encode("gb18030"), "", {"Content-Type": gbk_header["content-type"]})
    assert ours[0].title == TITLE


def test_entities_bare_ampersands_relative_links_and_cst() -> None:
    raw = (
        '<rss version="2.0"><channel><item><title>AT&amp;amp;T &amp;ldquo;减产&amp;rdquo;</title>'
        "<link>/news?a=1&b=2&c</link><description>AT&amp;amp;T</description>"
        "<pubDate>Fri, 21 Aug 2026 10:36:00 CST</pubDate></item></channel></rss>"
    ).encode()
    entry = feed_entries(raw, "https://ex.cn/feed/rss.xml")[0]
    assert entry.title == "AT&T “减产”"
    assert entry.url == "https://ex.cn/news?a=1&b=2&c"
    assert entry.body == "AT&T"
    assert entry.published is not None and entry.published.utcoffset() == timedelta(hours=8)
    english = feed_entries(raw, "https://ex.cn/feed/rss.xml", chinese_source=False)[0]
    assert english.published is not None
    assert english.published.utcoffset() == timedelta(hours=-6)


def test_atom_content_types() -> None:
    raw = """<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
    <entry><title type="text">a &lt; b</title><link href="a/1"/><id>urn:1</id>
      <updated>2026-08-21T10:00:00Z</updated><content type="text">x &lt; y</content></entry>
    <entry><title>b64</title><link href="https://e.com/2"/><id>urn:2</id>
      <content type="application/octet-stream" mode="base64">5YWJ5LyP546755KD5YeP5Lqn</content>
    </entry>
    <entry><title>xhtml</title><link href="https://e.com/3"/><id>urn:3</id><content type="xhtml">
      <div xmlns="http://www.w3.org/1999/xhtml"><p>可见</p><script>evil()</script></div></content>
    </entry></feed>""".encode()
    first, second, third = feed_entries(raw, "https://e.com/feed/")
    assert (first.title, first.body, first.url) == ("a < b", "x < y", "https://e.com/feed/a/1")
    assert first.published is not None and first.published.utcoffset() == timedelta(0)
    assert second.body == "光伏玻璃减产"
    assert third.body == "可见"
    assert first.external_id == "urn:1"


def test_a_bad_date_is_no_date_and_the_feed_goes_on() -> None:
    raw = rss().replace("Fri, 21 Aug 2026 10:36:00 CST", "9999-12-31T23:59:59-99:99").encode()
    entries = feed_entries(raw)
    assert entries[0].published is None and len(entries) == 2


def test_not_a_feed_is_loud() -> None:
    with pytest.raises(ValueError, match="not a feed"):
        feed_entries(b"<html><body><p>hello</p></body></html>")


def test_fragment_text_keeps_paragraphs_and_drops_scripts() -> None:
    html = "<p>第一段&amp;</p><script>x()</script><div>第二段<br>第三行</div>"
    assert fragment_text(html) == "第一段&\n第二段\n第三行"


def test_title_only_items_fetch_their_pages_by_default() -> None:
    def source(**extra: object) -> SourceConfig:
        return SourceConfig.model_validate(
            {"key": "f", "name": "f", "kind": "rss", "url": "http://x/f", "interval": 60, **extra}
        )

    assert source().follow_policy == "title_only"
    assert source(follow=True).follow_policy == "always"
    assert source(follow=False).follow_policy == "never"
    assert not has_real_body("钢铁行业减产", "钢铁行业减产")
    assert not has_real_body("钢铁行业减产", "")
    assert has_real_body("钢铁行业减产", BODY)
    teaser = "Beijing steps up its anti-involution campaign against price wars in solar glass."
    assert not has_real_body("Solar glass", teaser)
    assert has_real_body("Solar glass", " ".join([teaser] * 3))
