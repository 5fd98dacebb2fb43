"""The console in a real browser (Debian's chromium via Playwright) on loopback: every page
renders without console errors, filters and search change what is shown, a verdict click is
stored, a hostile title stays text. Screenshots of every page land in the `screenshots`
folder (the test's tmp_path unless CAPWATCH_SCREENSHOT_DIR is set)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.web.conftest import TOKEN, Running
from tests.web.seed import HOSTILE

pytestmark = pytest.mark.integration


class Watched:
    """A page whose console errors, uncaught exceptions and dialogs are recorded."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))

        async def dismiss(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            await dialog.dismiss()

        page.on("dialog", dismiss)

    async def open(self, url: str) -> int:
        response = await self.page.goto(url)
        await self.page.wait_for_load_state("load")
        return int(response.status) if response else 0


async def _page(browser: Any) -> Watched:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    return Watched(await context.new_page())


async def test_every_page_renders_without_console_errors(
    web_console: Running, browser: Any, screenshots: Path
) -> None:
    w = await _page(browser)
    glass = web_console.seeded.events["glass"]
    pages = {
        "events": ("/", "光伏玻璃龙头企业集体减产30%"),
        "event": (f"/events/{glass}", "Timeline"),
        "search": ("/search?q=光伏玻璃", "光伏玻璃"),
        "sources": ("/sources", "recent crawls"),
        "charts": ("/charts", "Actions per week by sector"),
        "study": ("/study", "Event study"),
        "login": ("/login", "Token"),
    }
    for name, (path, expected) in pages.items():
        status = await w.open(web_console.url + path)
        assert status == 200, (name, status)
        body = await w.page.inner_text("body")
        assert expected in body, name
        await w.page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
    assert w.errors == []
    assert w.dialogs == []
    # the event page shows its parts: evidence marked, actors, figures, the alerted chat
    await w.open(web_console.url + f"/events/{glass}")
    marks = await w.page.locator(".evidence mark").all_inner_texts()
    assert "光伏玻璃" in marks and "減產" in marks  # traditional spelling of a simplified term
    body = await w.page.inner_text("main")
    assert "福莱特" in body and "30%" in body and "分析群 Analysts" in body
    assert "中国光伏行业协会" in body and "Association 协会" in body
    # the market chart of the glass futures around the report, the report marked, the moves
    market = w.page.locator("div.market")
    assert await market.count() == 1
    assert await market.locator("svg.chart circle").count() >= 11
    assert await market.locator("svg.chart line.report").count() == 1
    assert (await market.locator("td.move").all_inner_texts())[-1] == "pending"
    box = await market.locator("svg.chart").bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 80  # drawn, not collapsed
    await market.screenshot(path=str(screenshots / "event-market.png"))
    # the charts are inline SVG with a bar per sector-week
    await w.open(web_console.url + "/charts")
    assert await w.page.locator("svg.chart rect title").count() >= 3
    # sources: the failing miit crawl is shown with its reason
    await w.open(web_console.url + "/sources")
    await w.page.locator("tr", has_text="miit").locator("summary").first.click()
    assert "http 503" in await w.page.inner_text("main")
    print(f"screenshots: {screenshots}")


async def test_filters_and_search_change_the_results(web_console: Running, browser: Any) -> None:
    w = await _page(browser)
    await w.open(web_console.url + "/")
    rows = w.page.locator("table.events tbody tr")
    assert await rows.count() == 3
    await w.page.select_option("select[name=sector]", "steel")
    await w.page.click("form.filters button")
    await w.page.wait_for_load_state("load")
    assert "sector=steel" in w.page.url  # a shareable URL
    assert await rows.count() == 1
    assert "钢铁行业产能退出" in await rows.first.inner_text()
    await w.open(web_console.url + "/?tier=association")
    assert await rows.count() == 1 and "光伏玻璃" in await rows.first.inner_text()
    await w.open(web_console.url + "/?source=miit&action=production_cut")
    assert await rows.count() == 0
    # a bad value is ignored and said so, the page still answers
    await w.open(web_console.url + "/?since=someday")
    assert "ignored since" in await w.page.inner_text(".problems")
    assert await rows.count() == 3

    await w.open(web_console.url + "/search")
    await w.page.fill("input[name=q]", "減產")  # traditional: finds the simplified article too
    await w.page.click("form.filters button")
    await w.page.wait_for_load_state("load")
    hits = w.page.locator("ol.hits > li")
    titles = await hits.locator("a.title").all_inner_texts()
    assert "光伏玻璃龙头企业集体减产30%" in titles and "光伏玻璃減產潮蔓延 行業反內卷" in titles
    assert "减产" in await hits.locator("mark").all_inner_texts()
    await w.page.select_option("select[name=source]", "cpia")
    await w.page.click("form.filters button")
    await w.page.wait_for_load_state("load")
    assert await hits.locator("a.title").all_inner_texts() == ["光伏玻璃減產潮蔓延 行業反內卷"]
    assert w.errors == []


async def test_a_verdict_click_is_stored(
    web_console: Running, browser: Any, screenshots: Path
) -> None:
    w = await _page(browser)
    steel = web_console.seeded.events["steel"]
    await w.open(web_console.url + f"/events/{steel}")
    assert await w.page.locator("form.verdict-form").count() == 0  # not logged in
    await w.page.click("text=Log in to add a verdict >> a")
    await w.page.fill("input[name=token]", "wrong")
    await w.page.click("form.login button")
    assert "That is not the token" in await w.page.inner_text("main")
    assert w.errors == [
        "Failed to load resource: the server responded with a status of 403 (Forbidden)"
    ]
    w.errors.clear()  # that 403 was the point
    await w.page.fill("input[name=token]", TOKEN)
    await w.page.click("form.login button")
    await w.page.wait_for_url(f"**/events/{steel}")
    await w.page.fill("input[name=analyst]", "李分析")
    await w.page.click("button[value=useful]")
    await w.page.wait_for_load_state("load")
    assert "Verdict saved" in await w.page.inner_text("main")
    assert "李分析" in await w.page.inner_text(".verdicts")
    await w.page.click("form.verdict-form summary")
    await w.page.check("input[name=sector][value=coal]")
    await w.page.click("button[value=wrong_sector]")
    await w.page.wait_for_load_state("load")
    with psycopg.connect(web_console.seeded.dsn) as conn:
        rows = conn.execute(
            "SELECT verdict, sectors, user_name, origin, chat_id FROM feedback"
            " WHERE event_id = %s ORDER BY id",
            (steel,),
        ).fetchall()
    assert rows == [
        ("useful", [], "李分析", "web", None),
        ("wrong_sector", ["coal"], None, "web", None),
    ]
    assert w.errors == []
    # logged in: the verdicts and the form to add one
    await w.page.screenshot(path=str(screenshots / "event-verdicts.png"), full_page=True)


async def test_a_hostile_title_renders_as_text(web_console: Running, browser: Any) -> None:
    w = await _page(browser)
    hostile = web_console.seeded.events["hostile"]
    for path in ("/", f"/events/{hostile}", "/search?q=水泥错峰生产"):
        await w.open(web_console.url + path)
        assert HOSTILE in await w.page.inner_text("main"), path
        assert await w.page.locator("main script, main img").count() == 0, path
    assert w.dialogs == []
    assert w.errors == []
