"""The console over HTTP without a browser: who may write (token, session, CSRF, origin),
downloads, bad parameters, headers, and the pure helpers (highlighting, SVG charts)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import aiohttp
import psycopg
import pytest

from tests.web.conftest import TOKEN, Running
from tests.web.seed import HOSTILE
from web.charts import Series, horizontal_bars, stacked_columns
from web.highlight import mark_terms

pytestmark = pytest.mark.integration


async def _login(http: aiohttp.ClientSession, running: Running) -> str:
    """Logs in with the operator token; returns the CSRF token of an event page."""
    async with http.post(
        running.url + "/login",
        data={"token": TOKEN, "next": "/"},
        headers={"Origin": running.url},
        allow_redirects=False,
    ) as response:
        assert response.status == 303
    async with http.get(running.url + f"/events/{running.seeded.events['glass']}") as response:
        page = await response.text()
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, "a logged-in event page carries the CSRF token"
    return found.group(1)


def _verdicts(running: Running) -> list[tuple[str, str]]:
    with psycopg.connect(running.seeded.dsn) as conn:
        rows = conn.execute("SELECT event_id, verdict FROM feedback ORDER BY id").fetchall()
    return [(r[0], r[1]) for r in rows]


async def test_writes_need_the_token_session_and_csrf(web_console: Running) -> None:
    glass = web_console.seeded.events["glass"]
    url = f"{web_console.url}/events/{glass}/feedback"
    same_site = {"Origin": web_console.url}
    # unsafe=True: keep cookies of an IP-address host (the console is on 127.0.0.1)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(url, data={"verdict": "useful"}, headers=same_site) as response:
            assert response.status == 403 and "log in" in await response.text()
        csrf = await _login(http, web_console)
        async with http.post(url, data={"verdict": "useful"}, headers=same_site) as response:
            assert response.status == 403 and "CSRF" in await response.text()
        async with http.post(
            url, data={"verdict": "useful", "csrf": csrf}, headers={"Origin": "http://evil.test"}
        ) as response:
            assert response.status == 403 and "cross-site" in await response.text()
        async with http.post(
            url, data={"verdict": "wrong_sector", "csrf": csrf}, headers=same_site
        ) as response:
            assert response.status == 400  # no sector picked
        async with http.post(
            url, data={"verdict": "useful", "csrf": csrf}, headers=same_site, allow_redirects=False
        ) as response:
            assert response.status == 303
    assert _verdicts(web_console) == [(glass, "useful")]
    # a forged cookie is no session
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        http.cookie_jar.update_cookies({"capwatch_session": "9999999999.abcd.0000"})
        async with http.post(url, data={"verdict": "useful", "csrf": csrf}, headers=same_site) as r:
            assert r.status == 403
    assert len(_verdicts(web_console)) == 1


async def test_a_console_without_token_is_read_only(readonly_console: Running) -> None:
    glass = readonly_console.seeded.events["glass"]
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{readonly_console.url}/events/{glass}") as response:
            page = await response.text()
            assert response.status == 200 and "Read-only console" in page
            assert 'name="csrf"' not in page
        async with http.post(
            readonly_console.url + "/login",
            data={"token": ""},
            headers={"Origin": readonly_console.url},
        ) as response:
            assert response.status == 403
        async with http.post(
            f"{readonly_console.url}/events/{glass}/feedback",
            data={"verdict": "useful", "csrf": ""},
            headers={"Origin": readonly_console.url},
        ) as response:
            assert response.status == 403
    assert _verdicts(readonly_console) == []


async def test_downloads_carry_the_same_results(web_console: Running) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(web_console.url + "/search.csv?q=光伏玻璃&source=cls") as response:
            assert response.headers["Content-Disposition"].startswith("attachment")
            rows = list(csv.DictReader(io.StringIO((await response.text()).lstrip("\ufeff"))))
        async with http.get(web_console.url + "/search.jsonl?q=水泥错峰生产") as response:
            assert response.content_type == "application/x-ndjson"
            lines = [json.loads(line) for line in (await response.text()).splitlines()]
    assert [r["title"] for r in rows] == ["光伏玻璃龙头企业集体减产30%"]
    assert rows[0]["source_key"] == "cls" and "«光伏玻璃»" in rows[0]["snippet"]
    assert [line["title"] for line in lines] == [HOSTILE]


async def test_bad_input_is_explained_and_pages_are_guarded(web_console: Running) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(web_console.url + "/?since=notadate&tier=cosmic&page=x") as response:
            page = await response.text()
            assert response.status == 200
            assert "ignored since=" in page and "ignored tier=" in page and "ignored page=" in page
            csp = response.headers["Content-Security-Policy"]
            assert "default-src 'none'" in csp and "script-src" not in csp
            assert response.headers["X-Frame-Options"] == "DENY"
            assert float(response.headers["Server-Timing"].split("dur=")[1]) > 0
        async with http.get(web_console.url + "/events/no-such-event") as response:
            assert response.status == 404 and "no event" in await response.text()
        async with http.get(web_console.url + "/events/steel-cap", allow_redirects=False) as r:
            assert r.status == 302 and r.headers["Location"].endswith("steel-capacity_exit-test-2")
        async with http.get(web_console.url + "/login?next=//evil.test/") as response:
            assert 'name="next" value="/"' in await response.text()


def test_marks_terms_in_any_script_and_escapes_the_rest() -> None:
    html = str(mark_terms('<b>光伏玻璃企業減產</b> "x"', ["光伏玻璃", "减产"]))
    assert html == ("&lt;b&gt;<mark>光伏玻璃</mark>企業<mark>減產</mark>&lt;/b&gt; &#34;x&#34;")


def test_charts_escape_labels_and_scale_to_the_data() -> None:
    svg = str(
        stacked_columns(
            [date(2026, 9, 7), date(2026, 9, 14)],
            [Series("<script>", (3, 0), "#000"), Series("钢铁", (2, 5), "#111")],
            "t",
        )
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count("<rect") == 3 + 2  # three bars with a value, two legend swatches
    assert ">8</text>" in svg and ">6</text>" in svg  # round gridlines above the tallest (5)
    one = str(stacked_columns([date(2026, 9, 7)], [Series("水泥", (1,), "#000")], "t"))
    assert ">1</text>" in one and ">2</text>" not in one  # the axis ends at the data
    bars = str(horizontal_bars([("a&b", 4, "a&b: 4"), ("c", 2, "c: 2")], "t"))
    assert "a&amp;b" in bars and 'width="510.0"' in bars and 'width="255.0"' in bars


async def test_only_web_links_leave_the_console(web_console: Running) -> None:
    with psycopg.connect(web_console.seeded.dsn) as conn:
        conn.execute(
            "INSERT INTO articles (source_key, external_id, url, title, body, published_at)"
            " VALUES ('cls', 'js', 'javascript:alert(1)', '钨精矿 链接', '钨精矿', now())"
        )
    async with (
        aiohttp.ClientSession() as http,
        http.get(web_console.url + "/search?q=钨精矿") as response,
    ):
        page = await response.text()
    assert "javascript:" not in page and 'href="#"' in page


async def test_a_busy_port_is_a_clear_error(web_console: Running) -> None:
    from core.errors import UnavailableError
    from web.config import WebConfig
    from web.server import WebConsole

    port = int(web_console.url.rsplit(":", 1)[1])
    second = WebConsole(web_console.seeded.dsn, WebConfig(host="127.0.0.1", port=port))
    with pytest.raises(UnavailableError, match=f"cannot listen on 127.0.0.1:{port}"):
        await second.start()
