# ruff: noqa: E501 -- the page templates are HTML data, kept one element a line
"""Wrap real article bodies from ../shared in our own site furniture, at test time.

The bodies are the real HTML `description`s of the jin10 / yicaiglobal / wallstreetcn
fixtures in ../shared (read, never copied into the repository); the page around them (nav,
share bars, promo blocks, ads, 责任编辑 and 免责声明 lines, related links, footer) is our own
boilerplate, in three layouts. `build_pages()` returns each page with its known title, body
text, time and author, so tests can measure body precision/recall.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from crawlers.extract.text import html_fragment_text

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "sources"
PICKS = {
    "jin10": ("jin10_xnews_articles_normalized_2026-08-22.json", (1, 3, 7)),
    "yicaiglobal": ("yicaiglobal_news_normalized_2026-08-23.json", (0, 3, 6)),
    "wallstreetcn": ("wallstreetcn_articles_normalized_2026-08-22.json", (0, 2, 5)),
}
NAV_ZH = "".join(f'<li><a href="/c/{i}">{n}</a></li>' for i, n in enumerate(
    ["首页", "财经", "股票", "基金", "期货", "外汇", "黄金", "债券", "理财", "科技", "汽车"]))  # fmt: skip
NAV_EN = "".join(f'<li><a href="/s/{n.lower()}">{n}</a></li>' for n in (
    "Home", "Markets", "Companies", "Economy", "Tech", "Autos", "Opinion", "Video"))  # fmt: skip
RELATED_ZH = "".join(f'<li><a href="/a/{i}.html">{t}</a></li>' for i, t in enumerate((
    "多晶硅期货大涨 行业自律减产预期升温", "央行：保持流动性合理充裕", "钢铁行业粗钢产量调控再加码",
    "水泥错峰生产方案出炉 多地跟进", "新能源车企价格战降温")))  # fmt: skip
RELATED_EN = "".join(f'<li><a href="/n/{i}">{t}</a></li>' for i, t in enumerate((
    "China's Solar Makers Agree to Cut Output", "Steel Output Curbs Extended to Year-End",
    "Yuan Steadies as PBOC Holds Rates", "EV Price War Cools as Regulators Step In")))  # fmt: skip


def portal_zh(title: str, body: str, when: str, author: str | None) -> str:
    """A Sina-like portal page: promo quote above the lead, editor and disclaimer below."""
    byline = f"作者：{author}" if author else ""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{html.escape(title)}_财经频道_示例网</title>
<meta property="og:title" content="{html.escape(title)}">
<meta name="publishdate" content="{when}">
<script>var cfg={{channel:"finance",ads:[1,2,3]}};</script></head><body>
<div class="top-bar"><a href="/">示例网首页</a> <a href="/login">登录</a> <a href="/app">APP下载</a></div>
<ul class="main-nav">{NAV_ZH}</ul>
<div class="crumbs"><a href="/">首页</a> &gt; <a href="/c/1">财经</a> &gt; 正文</div>
<div class="main"><h1 class="main-title">{html.escape(title)}</h1>
<div class="date-source"><span class="date">{when}</span> <span class="source">来源：示例财经</span> <span>{byline}</span></div>
<div class="page-tools">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>
<div class="article-content"><div class="lead-box" data-track="top">
<p>“潮水退去才知道谁在裸泳”，一张榜单读懂中国经济的“大事”与“大势”！
“年度十大经济人物评选”火热进行中！【<a href="/vote">点击投票</a>】选出你心目中的商业领袖</p></div>
<div class="article" id="artibody">
{body}
<p>海量资讯、精准解读，尽在示例财经APP</p>
<p class="article-editor">责任编辑：王小明 </p>
<p><span>免责声明：本文仅代表作者个人观点，与本网无关。其原创性以及文中陈述文字和内容未经本站证实，投资有风险，入市需谨慎。</span></p>
</div>
<div class="keywords">文章关键词：<a href="/t/1">产能</a> <a href="/t/2">减产</a></div>
<div class="qr-box"><img src="/qr.png"><p>扫码关注示例财经公众号，获取更多资讯</p></div>
<div class="related"><h3>相关阅读</h3><ul>{RELATED_ZH}</ul></div>
<div class="comment-box"><h3>我要评论</h3><textarea></textarea><button>发布</button></div>
</div></div>
<div class="footer"><p><a href="/about">关于我们</a> | <a href="/contact">联系我们</a> | <a href="/jobs">招聘</a></p>
<p>Copyright © 1996-2026 示例网 版权所有</p><p>京ICP证000000号</p></div>
</body></html>
"""


def app_zh(title: str, body: str, when: str, author: str | None) -> str:
    """An app-style page: logo h1, title in h2 and a suffixed og:title, inline share/ads."""
    who = f'<span class="author-name">{author}</span>' if author else ""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{html.escape(title)} - 示例见闻</title>
<meta property="og:title" content="{html.escape(title)} | 示例见闻">
<script type="application/ld+json">{{"@type":"NewsArticle","datePublished":"{when.replace(" ", "T")}"}}</script>
</head><body>
<header><h1 class="logo"><a href="/">示例见闻</a></h1><nav><ul>{NAV_ZH}</ul></nav>
<a class="download" href="/app">下载示例见闻APP</a></header>
<main><article><h2 class="article-title">{html.escape(title)}</h2>
<div class="meta">{who} <time>{when}</time></div>
<div class="share-bar"><a>微信</a><a>微博</a><a>复制链接</a></div>
<div class="rich-text">
<p>【<a href="/vip">点击订阅</a>】示例见闻VIP会员限时八折，扫码立即开通</p>
{body}
<div class="ad-slot"><a href="/promo">开户送好礼 点击查看详情</a></div>
<p>风险提示：市场有风险，投资需谨慎。本文不构成个人投资建议。</p>
<p>本文来源：示例见闻，未经授权禁止转载。</p>
</div></article>
<aside class="recommend"><h3>推荐阅读</h3><ul>{RELATED_ZH}</ul></aside></main>
<footer><p>关注我们：<a>微博</a> <a>公众号</a></p><p>© 2026 示例见闻 版权所有 沪ICP备00000000号</p></footer>
</body></html>
"""


def news_en(title: str, body: str, when: str, author: str | None) -> str:
    """An English news page: ad labels and newsletter box mid-body, Read more list after."""
    paragraphs = body.split("</p>")
    half = len(paragraphs) // 2
    body = (
        "</p>".join(paragraphs[:half])
        + '</p><div class="advert"><span>Advertisement</span><img src="/ad.gif"></div>'
        + "<p>Sign up for our China Markets newsletter to get the news first.</p>"
        + "</p>".join(paragraphs[half:])
    )
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{html.escape(title)} | Example Global</title>
<meta property="og:title" content="{html.escape(title)} - Example Global">
<meta property="article:published_time" content="{when.replace(" ", "T")}">
<meta name="author" content="Example Staff">
</head><body>
<div id="cookie">We use cookies. <a href="/privacy">Privacy policy</a> <button>Accept</button></div>
<nav><ul>{NAV_EN}</ul><a href="/subscribe">Subscribe</a></nav>
<div class="container"><h1>{html.escape(title)}</h1>
<div class="byline">By Example Staff &middot; {when}</div>
<div class="social-share">Share on <a>X</a> <a>LinkedIn</a> <a>Facebook</a></div>
<div class="article-body">{body}
<p>Editor: Martin Kadiev</p></div>
<section class="more"><h2>Read more</h2><ul>{RELATED_EN}</ul></section>
<div class="newsletter"><h3>Sign up</h3><p>Get our daily briefing in your inbox.</p><input></div>
</div>
<footer><p>Copyright © 2026 Example Global. All rights reserved.</p><p><a>Terms</a> <a>Contact</a></p></footer>
</body></html>
"""


LAYOUTS = (portal_zh, app_zh, news_en)


def page_names() -> list[str]:
    """The pages build_pages() makes, known without reading ../shared (for parametrize)."""
    names = []
    for source, (_, picks) in PICKS.items():
        for n, index in enumerate(picks):
            layout = news_en if source == "yicaiglobal" else LAYOUTS[n % 2]
            names.append(f"{source}_{index}_{layout.__name__}")
    return names


def build_pages() -> dict[str, dict[str, str | None]]:
    """NAME -> {"html", "title", "body", "published", "author", "layout"}."""
    pages: dict[str, dict[str, str | None]] = {}
    for source, (name, picks) in PICKS.items():
        data = json.loads((SHARED / source / name).read_text(encoding="utf-8"))["data"]
        for n, index in enumerate(picks):
            item = data[index]
            layout = news_en if source == "yicaiglobal" else LAYOUTS[n % 2]
            when = item["pub_date"]
            pages[f"{source}_{index}_{layout.__name__}"] = {
                "html": layout(item["title"], item["description"], when, item.get("author")),
                "title": item["title"],
                "body": html_fragment_text(item["description"]),
                "published": when,
                "author": item.get("author"),
                "layout": layout.__name__,
            }
    return pages
