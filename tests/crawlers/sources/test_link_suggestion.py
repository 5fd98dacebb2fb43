"""`sources check` on an html source with the default `links = "a[href]"` proposes the CSS of
the article links instead of letting the menu (首页, 关于我们, 联系我们) be crawled as articles."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from crawlers.extract.links import suggest_link_selector
from tests.conftest import REPO

LIST_PAGE = """<html><body>
<div class="top-nav"><a href="/">首页</a><a href="/about.html">关于我们</a>
<a href="/contact.html">联系我们</a><a href="/jobs.html">人才招聘</a></div>
<div class="main"><h2>协会动态</h2>
<ul class="news-list">
<li><a href="/news/2026/101.html">协会召开光伏玻璃行业自律座谈会 部署减产工作</a><span>12-01</span></li>
<li><a href="/news/2026/102.html">关于进一步规范多晶硅市场价格秩序的倡议书</a><span>11-28</span></li>
<li><a href="/news/2026/103.html">水泥行业冬季错峰生产工作推进会在京召开</a><span>11-25</span></li>
<li><a href="/news/2026/104.html">2026年11月行业运行情况简报</a><span>11-20</span></li>
</ul>
<div class="pager"><a href="?p=2">2</a><a href="?p=3">3</a><a href="?p=4">下一页</a></div>
</div>
<div class="links"><a href="https://other.example/">友情链接一</a><a href="https://x.example/">友情链接二</a></div>
<div class="copyright"><a href="/privacy.html">隐私</a><a href="/map.html">网站地图</a><a href="/icp.html">备案</a></div>
</body></html>"""  # noqa: E501


def test_the_article_list_wins_over_menus_pagers_and_footers():
    found = suggest_link_selector(LIST_PAGE, "https://assoc.example/news/")
    assert found is not None
    assert found.selector == "ul.news-list a"
    assert found.count == 4 and found.total == 16
    assert found.examples[0].startswith("协会召开光伏玻璃行业自律座谈会")


def test_no_suggestion_where_no_group_of_headlines_stands_out():
    page = (
        '<html><body><div class="x"><a href="/a">首页</a><a href="/b">关于</a></div></body></html>'
    )
    assert suggest_link_selector(page, "https://a.example/") is None


@pytest.mark.integration
def test_check_of_an_html_source_with_default_links_proposes_the_selector(tmp_path):
    from capwatch.demo.replay import ReplayServer, load_sample_day

    replay = ReplayServer(load_sample_day(), replay_seconds=0.0).start()
    try:
        sources = tmp_path / "mine.toml"
        sources.write_text(
            f'[[source]]\nkey = "assoc"\nname = "assoc"\nkind = "html"\n'
            f'url = "{replay.base_url}/assoc/news/"\ninterval = 600\n',
            "utf-8",
        )
        env = {**os.environ, "CAPWATCH_SOURCES_FILE": str(sources)}
        done = subprocess.run(
            [sys.executable, "-m", "capwatch", "sources", "check", "assoc"],
            capture_output=True, text=True, timeout=120, cwd=REPO, env=env,
        )  # fmt: skip
    finally:
        replay.stop()
    assert 'links = "ul.news-list a"' in done.stdout, done.stdout[-3000:] + done.stderr[-2000:]
    assert "takes every link" in done.stdout
