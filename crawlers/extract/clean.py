"""Site boilerplate out of a generically extracted body: ads, share bars, promo lines.

readability keeps whatever sits beside the article paragraphs; on Chinese news sites that is
promo blocks above the lead ("【点击投票】", "扫码关注公众号"), "责任编辑：" and 免责声明 lines,
"相关阅读" lists; English sites add "Advertisement", "Sign up", "Read more", "Related".
Two passes, both general (no per-site rules): on the body tree, elements whose class / id /
data-* names say ad/share/related, and short blocks that read as boilerplate, are dropped
whole (so a promo paragraph goes with all its lines); on the text, boilerplate lines are
dropped and a trailing "related links" section is cut. Only generic extraction runs this:
source selectors are trusted and the selector hot path pays nothing.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.etree import _Element as Element

from crawlers.extract.text import element_text

# Boilerplate anywhere in a short line / block (promo, share, app, copyright, repost notes).
# (Chinese and English apart, English matched on lower-cased text: re.I defeats re's literal
# scanning and made this the slowest step of generic extraction.)
_BOILER = re.compile(
    r"点击投票|【\s*点击|点击(?:查看|进入|阅读|下载|这里|订阅|关注|购买|报名|图片)|扫码|扫一扫|"
    r"扫描(?:下方|上方)?二维码|长按(?:识别)?(?:图中)?二维码|关注.{0,12}(?:公众号|微信号|微博)|"
    r"下载.{0,10}(?:APP|App|app|客户端)|(?:APP|App|客户端)下载|分享到|转发到|"
    r"版权所有|未经.{0,10}(?:授权|许可).{0,10}(?:转载|使用)|转载请注明|欢迎转发|戳这里|阅读原文|"
    r"尽在.{0,12}(?:APP|App|客户端)|更多精彩内容"
)
_BOILER_EN = re.compile(
    r"all rights reserved|copyright\s*(?:©|\(c\))|©\s*(?:\d{4}|copyright)|"
    r"download (?:the|our) app|follow us on|share (?:this|on)\b|click here"
)
# Boilerplate when it opens a block or line (editor, disclaimer, sign-up, ad labels).
_LEAD = re.compile(
    r"^[\s(（【\[]*(?:(?:责任编辑|责编|编辑|值班编辑|校对|审核|监制|美编|免责声明|风险提示|版权声明|"
    r"特别声明|声明|文章来源|原文链接|本文来源|原创|来源|稿源)\s*[:：】\]]|(?:广告|推广|Advertisement|Advert|"
    r"Sponsored(?: content)?|Related(?: articles| stories| coverage| content| news)?)\s*$|"
    r"Sign up\b|Subscribe (?:to|now|for)\b|Read (?:more|also)\b|Also read\b|Related\s*:|"
    r"Listen to this article|Reporting by\b|Editing by\b)",
    re.I,
)
# A whole short line that is page furniture: comment / print / back links, a trackback URL,
# a date stamp with only its 更新/发布 word and 来源/作者 labels (the byline row, not text).
_FURNITURE = re.compile(
    r"^(?:发表评论|我要评论|查看评论|网友评论|打印本页|打印|关闭窗口|返回顶部|返回目录|返目录|"
    r"返目录下一页|上一页|下一页|Trackback:\s*\S+)$|"
    r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*"
    r"(?:更新|发布|发表)?\s*(?:(?:来源|稿源|作者|编辑)\s*[:：]\s*\S{0,20}\s*)*$"
)
# A byline row of label：value pairs only ("作者：芊草 时间：2005-08-22 19:13:18 来源：本站").
_BYLINE_ROW = re.compile(
    r"^(?:\s*(?:作者|时间|來源|来源|稿源|发布时间|发布日期|发表时间|更新时间|日期|编辑|责任编辑|"
    r"浏览次数|浏览|点击数|阅读数|字号)\s*[:：](?:\d{1,2}:\d{2}(?::\d{2})?|[^:：，。；！？]){0,30}?)+$"
)
MAX_FURNITURE = 60  # characters
# A heading that opens a trailing list of other articles: the rest of the text is cut there.
_SECTION = re.compile(
    r"^[\s【\[]*(?:相关阅读|相关新闻|相关文章|相关报道|延伸阅读|推荐阅读|热门推荐|热点推荐|猜你喜欢|"
    r"更多(?:阅读|新闻|精彩)|Related(?: articles| stories| coverage| content| news)?|"
    r"Read more|More from [\w .]+|More on this|You may also like|Recommended(?: for you)?)"
    r"[\s:：】\]]*$",
    re.I,
)
# class / id / data-* name parts that mark a non-article block.
_NOISE_NAMES = frozenset(
    [
        "ad",
        "ads",
        "adv",
        "advert",
        "adverts",
        "advertisement",
        "sinaads",
        "adsbygoogle",
        "banner",
        "share",
        "sharing",
        "social",
        "related",
        "recommend",
        "recommended",
        "promo",
        "promotion",
        "sponsor",
        "sponsored",
        "newsletter",
        "subscribe",
        "comment",
        "comments",
        "qrcode",
        "ewm",
        "disclaimer",
        "copyright",
        "toolbar",
    ]
)
_NAME_SPLIT = re.compile(r"[\s_\-:.]+")
_NAME_ATTRS = ("class", "id", "data-sudaclick", "data-module", "data-type", "role")
_BLOCKS = frozenset(
    [
        "p",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "dd",
        "dt",
        "figcaption",
        "blockquote",
        "td",
        "div",
        "section",
    ]
)
MAX_BOILER = 240  # characters; a longer block/line is article text that mentions these words
MAX_LEAD = 400  # a 免责声明 paragraph can run long
MIN_SECTION_AT = 0.3  # a "related" heading cuts only past this share of the text


def _noise_name(element: Element) -> bool:
    for attr in _NAME_ATTRS:
        value = element.get(attr)
        if value and not _NOISE_NAMES.isdisjoint(_NAME_SPLIT.split(value.lower())):
            return True
    return False


def is_boilerplate(text: str) -> bool:
    """A line or short block that is site furniture, not article text."""
    text = text.strip()
    if not text:
        return False
    if len(text) <= MAX_LEAD and _LEAD.match(text):
        return True
    if len(text) <= MAX_FURNITURE and (_FURNITURE.match(text) or _BYLINE_ROW.match(text)):
        return True
    if len(text) > MAX_BOILER:
        return False
    return _BOILER.search(text) is not None or _BOILER_EN.search(text.lower()) is not None


def _remove(element: Element) -> None:
    """Drop an element but keep its tail text (it belongs to the parent)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def clean_tree(root: Element) -> None:
    """Drop ad/share/related elements and boilerplate blocks from a body tree, in place."""
    total = len("".join(root.itertext()).strip()) or 1
    doomed: list[Element] = []
    for element in root.iter(etree.Element):
        if element is root or not isinstance(element.tag, str):
            continue
        if any(element is d or d in element.iterancestors() for d in doomed[-1:]):
            continue  # already inside something that goes
        if _noise_name(element):
            if len("".join(element.itertext()).strip()) < total / 2:
                doomed.append(element)
            continue
        if element.tag in _BLOCKS and (len(element) == 0 or element.tag != "div"):
            text = "".join(element.itertext())
            if len(text) <= MAX_LEAD and is_boilerplate(_flat(text)) and not _SECTION.match(text):
                doomed.append(element)
    for element in doomed:
        _remove(element)


def _flat(text: str) -> str:
    return " ".join(text.split())


def clean_text(text: str) -> str:
    """Boilerplate lines dropped; a trailing related-links section cut at its heading."""
    lines = text.split("\n")
    size = len(text) or 1
    kept: list[str] = []
    seen = 0
    for line in lines:
        if _SECTION.match(line):
            if seen >= MIN_SECTION_AT * size:
                break
            continue  # an early one is a stray heading: only it goes
        seen += len(line) + 1
        if not is_boilerplate(line):
            kept.append(line)
    return "\n".join(kept)


def clean_fragment_text(html: str) -> str:
    """Plain text of an extracted body fragment (readability's summary), boilerplate out."""
    if not html or not html.strip():
        return ""
    parser = etree.HTMLParser(remove_comments=True)
    root = etree.fromstring(f"<div>{html}</div>", parser)
    if root is None:
        return ""
    clean_tree(root)
    return clean_text(element_text([root]))
