# ruff: noqa: E501  (HTML fixture strings read best unbroken)
"""Fixture pages shaped like the real sites (selectors, encodings and time formats from
../shared/SOURCES.md; no real pages of these sites were available). Each site lives under
/{real host}/... on the local server, so link patterns written for the real hosts apply."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from tests.crawlers.sources.site_server import Page

NAV = "".join(f'<li><a href="/channel/{i}.html">频道{i}</a></li>' for i in range(40))
FOOT = "".join(f'<a href="/about/{i}.html">关于我们{i}</a> ' for i in range(30))
SCRIPT = "<script>var _hmt = _hmt || []; window.cfg = {a: 1};</script><style>.x{color:red}</style>"
GLASS = (
    "光伏玻璃行业协会组织龙头企业召开座谈会，会议倡议各企业自本月起集体减产30%，"
    "压减在产产能，遏制低价无序竞争，推动行业反内卷。"
)
STEEL = "中国钢铁工业协会表示，将推动粗钢产量调控，严禁新增产能，引导企业错峰生产、限产减产。"


def chrome(title: str, inner: str, charset: str = "utf-8", head: str = "") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>{title}</title>{head}{SCRIPT}</head><body>"
        f'<div class="nav"><ul>{NAV}</ul></div>{inner}<div class="footer">{FOOT}</div>'
        "</body></html>"
    )


def paras(*texts: str) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


# --- NBD: list .u-news-title a (absolute), article .g-article-top h1 / .g-articl-text --------
def nbd(base: str) -> dict[str, Page]:
    host = f"{base}/www.nbd.com.cn"
    ids = [
        ("2026-11-20", 3901001, "光伏玻璃龙头集体减产30% 行业反内卷提速"),
        ("2026-11-20", 3901002, "央行开展逆回购操作"),
        ("2026-11-19", 3901003, "多地钢厂启动限产 粗钢产量调控加码"),
    ]
    items = "".join(
        f'<li><div class="u-news-title"><a href="{host}/articles/{d}/{i}.html" '
        f'target="_blank">{t}</a></div><p class="u-news-desc">摘要</p></li>'
        for d, i, t in ids
    )
    items += f'<li><div class="u-news-title"><a href="{base}/m.example.com/ad">广告</a></div></li>'
    pages = {
        "/www.nbd.com.cn/columns/3/": Page(
            chrome("要闻-每经网", f'<ul class="u-news-list">{items}</ul>').encode(), validators=True
        )
    }
    for day, article_id, title in ids:
        inner = (
            f'<div class="g-article-top"><h1>{title}</h1><p class="u-time">'
            f'<span class="time">{day} 10:3{article_id % 10}:00</span>'
            '<span class="source">每日经济新闻</span></p></div>'
            f'<div class="g-articl-text">{paras("每经记者 张明 每经编辑 李华", GLASS, "第二段。")}'
            '</div><div class="g-article-related">相关阅读</div>'
        )
        pages[f"/www.nbd.com.cn/articles/{day}/{article_id}.html"] = Page(
            chrome(f"{title}|每经网", inner).encode()
        )
    return pages


# --- Jiemian: #lists a[href] /article/{id}.html; epoch publish time attribute ----------------
def jiemian(base: str) -> dict[str, Page]:
    host = f"{base}/www.jiemian.com"
    links = "".join(
        f'<div class="card-list"><a href="{host}/article/{i}.html">{t}</a></div>'
        for i, t in (
            (13700001, "有色金属协会：电解铝行业严控新增产能"),
            (13700002, "汽车价格战降温"),
        )
    )
    side = f'<div class="sub-col-right"><a href="{host}/article/99999.html">热文</a></div>'
    pages = {
        "/www.jiemian.com/lists/28.html": Page(
            chrome("工业-界面新闻", f'<div id="lists">{links}</div>{side}').encode(),
            validators=True,
        )
    }
    for article_id, title, epoch in (
        (13700001, "有色金属协会：电解铝行业严控新增产能", 1795500000),
        (13700002, "汽车价格战降温", 1795503600),
    ):
        inner = (
            f'<div class="article-header"><h1>{title}</h1><p>导语：行业自律。</p></div>'
            f'<div class="article-info"><span class="author"><a href="/u/1">王晓</a></span>'
            f'<span data-article-publish-time="{epoch}">2026/11/24 15:20</span></div>'
            f'<div class="article-content">{paras(STEEL, "电解铝产能天花板4500万吨不变。")}'
            '<p class="report-view">举报</p></div>'
        )
        pages[f"/www.jiemian.com/article/{article_id}.html"] = Page(chrome(title, inner).encode())
    return pages


# --- cs.com.cn: GBK pages, the HTTP header wrongly says UTF-8; relative links ---------------
def cs(base: str) -> dict[str, Page]:
    items = "".join(
        f'<li><a href="./202611/t2026112{n}_{6400000 + n}.html"><h3>{t}</h3><em>11-2{n}</em></a></li>'
        for n, t in ((1, "水泥行业错峰生产方案出台"), (2, "A股三大指数收涨"))
    )
    wrong_header = "text/html; charset=utf-8"
    list_html = chrome("财经要闻_中国证券报", f'<ul class="ch_type3_list">{items}</ul>', "gb2312")
    pages = {"/www.cs.com.cn/xwzx/hg/": Page(list_html.encode("gbk"), wrong_header)}
    for n, title in ((1, "水泥行业错峰生产方案出台"), (2, "A股三大指数收涨")):
        inner = (
            f'<article class="cont_article"><header><h1>{title}</h1>'
            f'<div class="artc_info"><em>中国证券报记者 赵敏</em>'
            f'<time class="time" datetime="2026-11-2{n} 08:1{n}">2026-11-2{n} 08:1{n}</time>'
            f"</div></header><section>{paras('错峰生产期间，熟料生产线全部停窑。', '鍃𠀀生僻字测试。')}"
            "</section></article>"
        )
        pages[f"/www.cs.com.cn/xwzx/hg/202611/t2026112{n}_{6400000 + n}.html"] = Page(
            chrome(title, inner, "gb2312").encode("gb18030"), wrong_header
        )
    return pages


# --- NDRC: ul.u-list li a (relative ./ and ../), meta ArticleTitle / PubDate; UTF-8 forced ---
def ndrc(base: str) -> dict[str, Page]:
    items = (
        '<li><a href="./202611/t20261125_1401001.html" title="国家发展改革委召开新闻发布会">'
        "国家发展改革委召开新闻发布会</a><span>2026/11/25</span></li>"
        '<li><a href="../../xwdt/xwfb/202611/t20261120_1401002.html" title="关于治理光伏行业低价竞争的通知">'
        "关于治理光伏行业低价竞争的通知</a><span>2026/11/20</span></li>"
    )
    pages = {
        "/www.ndrc.gov.cn/xwdt/xwfb/": Page(
            chrome("新闻发布", f'<ul class="u-list">{items}</ul>', charset="").encode(), "text/html"
        )
    }
    for day, nid, title in (
        ("20261125", 1401001, "国家发展改革委召开新闻发布会"),
        ("20261120", 1401002, "关于治理光伏行业低价竞争的通知"),
    ):
        head = (
            f'<meta name="ArticleTitle" content="{title}">'
            f'<meta name="PubDate" content="{day[:4]}-{day[4:6]}-{day[6:]} 16:30">'
            '<meta name="ContentSource" content="国家发展改革委">'
        )
        inner = f'<div class="article_con"><div class="TRS_Editor">{paras(GLASS, "特此通知。")}</div></div>'
        pages[f"/www.ndrc.gov.cn/xwdt/xwfb/202611/t{day}_{nid}.html"] = Page(
            chrome(title, inner, charset="", head=head).encode(), "text/html"
        )
    return pages


# --- coalchina: PHPCMS, GBK list; one article labelled gb2312 but really UTF-8 ---------------
def coalchina(base: str) -> dict[str, Page]:
    arts = (
        (101, "中国煤炭工业协会召开煤炭经济运行分析会", "gbk"),
        (102, "关于做好煤炭行业限产保价工作的倡议", "utf8-mislabelled"),
    )
    items = "".join(
        f'<li><a href="index.php?m=content&amp;c=index&amp;a=show&amp;catid=60&amp;id={i}" '
        f'target="_blank">{t}</a><span>2026-11-2{i % 10}</span></li>'
        for i, t, _ in arts
    )
    list_html = chrome(
        "协会动态_中国煤炭工业协会", f'<div class="list"><ul>{items}</ul></div>', "gbk"
    )
    pages = {"/www.coalchina.org.cn/list-60-1.html": Page(list_html.encode("gbk"), "text/html")}
    for i, title, how in arts:
        body = paras(
            f"{title}。" + "会议指出，当前煤炭供需形势总体宽松，部分企业超产问题突出。" * 3,
            "协会倡议各煤炭企业严格按照核定产能组织生产，坚决遏制超能力生产，主动限产保价。" * 2,
            "来源：中国煤炭工业协会",
        )
        inner = (
            f'<div class="main"><h1>{title}</h1><div class="info">发布时间：2026-11-2{i % 10} 09:00'
            f'</div><div id="zoom">{body}</div></div>'
        )
        html = chrome(f"{title}_中国煤炭工业协会", inner, "gb2312")
        data = html.encode("utf-8") if how == "utf8-mislabelled" else html.encode("gbk")
        pages[f"/www.coalchina.org.cn/index.php?m=content&c=index&a=show&catid=60&id={i}"] = Page(
            data, "text/html"
        )
    return pages


# --- chinania: ul.notice_list_ul li (p title, p date); div.article_title p; article_content --
def chinania(base: str) -> dict[str, Page]:
    host = f"{base}/www.chinania.org.cn"
    items = (
        f'<li><a href="{host}/html/hangyexinwen/yaowen/2026/1124/77001.html">'
        "<p>铜冶炼企业联合减产 降低铜精矿加工费竞争</p><p>2026-11-24</p></a></li>"
    )
    pages = {
        "/www.chinania.org.cn/html/hangyexinwen/yaowen/": Page(
            chrome("要闻", f'<ul class="notice_list_ul">{items}</ul>').encode(), validators=True
        )
    }
    inner = (
        '<div class="article_title"><p>铜冶炼企业联合减产 降低铜精矿加工费竞争</p>'
        "<p>来源：中国有色金属工业协会  发布时间：2026-11-24</p></div>"
        f'<div class="article_content">{paras("中国铜原料联合谈判小组成员企业决定联合减产10%。")}</div>'
    )
    pages["/www.chinania.org.cn/html/hangyexinwen/yaowen/2026/1124/77001.html"] = Page(
        chrome("铜冶炼企业联合减产", inner).encode()
    )
    return pages


# --- SCMP RSS 2.0 (feed text only; utm parameters in links) ---------------------------------
def scmp(base: str) -> dict[str, Page]:
    now = datetime.now(UTC)
    items = "".join(
        f"<item><title>{t}</title><link>{base}/www.scmp.com/business/article/{i}/x?utm_source=rss_feed</link>"
        f'<guid isPermaLink="false">{i}</guid><author>Staff Reporter</author>'
        f"<pubDate>{format_datetime(now - timedelta(hours=n))}</pubDate>"
        f"<description><![CDATA[<p>{d}</p>]]></description></item>"
        for n, (i, t, d) in enumerate(
            (
                (
                    3301001,
                    "China orders solar glass makers to cut output",
                    "Beijing steps up its anti-involution campaign.",
                ),
                (3301002, "Hang Seng ends higher", "Stocks rose."),
            )
        )
    )
    rss = (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>SCMP</title>'
        f"{items}</channel></rss>"
    )
    return {"/www.scmp.com/rss/92/feed": Page(rss.encode(), "application/rss+xml", validators=True)}


# --- CNBC RSS with article pages (.ArticleBody-articleBody, JSON-LD author); one page 404s --
def cnbc(base: str) -> dict[str, Page]:
    host = f"{base}/www.cnbc.com"
    arts = (
        ("2026/11/25/china-steel-output-cuts.html", "China steel output cuts deepen"),
        ("2026/11/25/fed-minutes.html", "Fed minutes show caution"),
        ("select/best-credit-cards.html", "Best credit cards"),
        ("2026/11/24/gone.html", "A story that was taken down"),
    )
    items = "".join(
        f"<item><link>{host}/{p}</link><title>{t}</title><description>{t}: summary.</description>"
        f'<pubDate>Tue, 25 Nov 2026 0{n}:00:00 GMT</pubDate><guid isPermaLink="true">{host}/{p}</guid></item>'
        for n, (p, t) in enumerate(arts)
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
    pages = {
        "/search.cnbc.com/rs/search/combinedcms/view.xml?partnerId=wrss01&id=20910258": Page(
            feed.encode(), "text/xml"
        )
    }
    ld = '<script type="application/ld+json">{"@type":"NewsArticle","author":{"@type":"Person","name":"Evelyn Cheng"}}</script>'
    for path, title in arts[:3]:
        inner = (
            f'<h1 class="ArticleHeader-headline">{title}</h1><div class="ArticleBody-articleBody">'
            f"<p>China's steel mills were told to cut output as Beijing fights overcapacity.</p>"
            "<p>Second paragraph.</p></div>"
        )
        pages[f"/www.cnbc.com/{path}"] = Page(chrome(title, inner, head=ld).encode())
    return pages


# --- Reuters news sitemap index -> child sitemaps (news:title, publication_date, keywords) ---
def reuters(base: str) -> dict[str, Page]:
    now = datetime.now(UTC)
    ns = (
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
    )
    child = f"{base}/www.reuters.com/arc/outboundfeeds/news-sitemap/?outputType=xml&amp;from="
    index = (
        f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {ns}>'
        + "".join(
            f"<sitemap><loc>{child}{n}</loc><lastmod>{(now - timedelta(hours=n)).isoformat()}"
            "</lastmod></sitemap>"
            for n in (0, 100, 200)
        )
        + "</sitemapindex>"
    )
    pages = {
        "/www.reuters.com/arc/outboundfeeds/news-sitemap-index/?outputType=xml": Page(
            index.encode(), "application/xml", validators=True
        )
    }
    for start in (0, 100, 200):
        urls = ""
        for n in range(3):
            age = timedelta(hours=start // 10 + n * 30)  # the third of each is 60 h old
            urls += (
                f"<url><loc>{base}/www.reuters.com/business/story-{start + n}/</loc>"
                f"<news:news><news:publication><news:name>Reuters</news:name>"
                "<news:language>en</news:language></news:publication>"
                f"<news:publication_date>{(now - age).isoformat()}</news:publication_date>"
                f"<news:title>China aluminium smelters curb output {start + n}</news:title>"
                "<news:keywords>Metals, China, Output cuts</news:keywords>"
                "<news:stock_tickers>SHFE:AL</news:stock_tickers></news:news></url>"
            )
        pages[f"/www.reuters.com/arc/outboundfeeds/news-sitemap/?outputType=xml&from={start}"] = (
            Page(
                f'<?xml version="1.0" encoding="UTF-8"?><urlset {ns}>{urls}</urlset>'.encode(),
                "application/xml",
                validators=True,
            )
        )
    return pages


SITES = {
    "nbd": nbd,
    "jiemian": jiemian,
    "cs_hg": cs,
    "ndrc_xwfb": ndrc,
    "coalchina": coalchina,
    "chinania": chinania,
    "scmp_business": scmp,
    "cnbc_economy": cnbc,
    "reuters": reuters,
}


def all_pages(base: str) -> dict[str, Page]:
    pages: dict[str, Page] = {}
    for build in SITES.values():
        pages.update(build(base))
    return pages


def local_url(url: str, base: str) -> str:
    """https://host/path -> {base}/host/path (the mirror layout of the fixture server)."""
    return base + "/" + url.split("://", 1)[1]
