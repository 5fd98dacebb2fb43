"""The demo's local news sites: a sample day replayed in compressed time on 127.0.0.1.

Three sites in the shapes capwatch meets in the wild: a flash-news JSON list API (`/wire/api`),
an RSS 2.0 feed (`/feed.xml`) and an association's HTML list (`/assoc/news/`) with article
pages, plus the futures quote endpoint (capwatch/demo/quotes.py). A report becomes visible
when its minute of the sample day has come in replay time, and is dated so that the sample day
ends at the moment the demo started (so it counts as news).
Standard library only: the demo must run wherever capwatch is installed.
"""

from __future__ import annotations

import json
import threading
import time
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Literal

from capwatch.demo.quotes import kline_response
from core.tz import BEIJING

SiteName = Literal["wire", "feed", "site"]


@dataclass(frozen=True)
class SampleReport:
    """One report of the sample day, as written in sample_day.toml."""

    id: str
    source: SiteName
    minute: int
    title: str
    text: str


def load_sample_day() -> list[SampleReport]:
    """The bundled sample day, in publication order."""
    text = resources.files("capwatch.demo").joinpath("sample_day.toml").read_text("utf-8")
    reports = [SampleReport(**entry) for entry in tomllib.loads(text)["report"]]
    return sorted(reports, key=lambda r: r.minute)


class ReplayClock:
    """Maps the sample day's minutes onto `replay_seconds` of real time from `started`."""

    def __init__(self, reports: list[SampleReport], replay_seconds: float) -> None:
        self.started = time.monotonic()
        self.started_at = datetime.now(UTC)
        self.span = max(r.minute for r in reports) or 1
        self.replay_seconds = replay_seconds

    def released(self, report: SampleReport) -> bool:
        elapsed = time.monotonic() - self.started
        return report.minute / self.span * self.replay_seconds <= elapsed

    def published(self, report: SampleReport) -> datetime:
        """The sample day ends at the demo's start: the last report is `now`."""
        return self.started_at - timedelta(minutes=self.span - report.minute)

    def all_released(self) -> bool:
        return time.monotonic() - self.started >= self.replay_seconds


class ReplayServer:
    """Serves the sample day on 127.0.0.1 (a free port) from a background thread."""

    def __init__(self, reports: list[SampleReport], replay_seconds: float = 20.0) -> None:
        self.reports = reports
        self.clock = ReplayClock(reports, replay_seconds)
        self.requests = 0
        self._lock = threading.Lock()
        handler = _handler_for(self)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> ReplayServer:
        self.clock = ReplayClock(self.reports, self.clock.replay_seconds)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def visible(self, site: SiteName) -> list[SampleReport]:
        """The site's released reports, newest first (as list pages and feeds order them)."""
        shown = [r for r in self.reports if r.source == site and self.clock.released(r)]
        return sorted(shown, key=lambda r: r.minute, reverse=True)

    def count(self) -> None:
        with self._lock:
            self.requests += 1

    # --- the three shapes ---------------------------------------------------------------------

    def wire_json(self) -> bytes:
        roll = [
            {
                "id": report.id,
                "ctime": int(self.clock.published(report).timestamp()),
                "title": report.title,
                "content": f"【{report.title}】{report.text}",
                "type": -1,
                "shareurl": f"{self.base_url}/wire/{report.id}",
            }
            for report in self.visible("wire")
        ]
        payload = {"errno": 0, "data": {"roll_data": roll, "update_num": len(roll)}}
        return json.dumps(payload, ensure_ascii=False).encode("utf-8")

    def feed_xml(self) -> bytes:
        items = "".join(
            "<item>"
            f"<title>{escape(r.title)}</title>"
            f"<link>{self.base_url}/feed/{r.id}.html</link>"
            f'<guid isPermaLink="false">{r.id}</guid>'
            f"<pubDate>{format_datetime(self.clock.published(r))}</pubDate>"
            f"<description>{escape(r.text)}</description>"
            "</item>"
            for r in self.visible("feed")
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>Demo industry feed</title><link>{self.base_url}/</link>"
            f"<description>capwatch demo</description>{items}</channel></rss>"
        ).encode()

    def site_list(self) -> bytes:
        rows = "".join(
            f'<li><a href="/assoc/news/{r.id}.html">{escape(r.title)}</a>'
            f"<span>{self.clock.published(r).astimezone(BEIJING):%Y-%m-%d}</span></li>"
            for r in self.visible("site")
        )
        nav = '<a href="/assoc/">首页</a> <a href="/assoc/about.html">关于我们</a>'
        return _page("协会动态", f'<nav>{nav}</nav><ul class="news-list">{rows}</ul>')

    def site_article(self, report_id: str) -> bytes | None:
        for report in self.visible("site"):
            if report.id == report_id:
                when = self.clock.published(report).astimezone(BEIJING)
                body = "".join(f"<p>{escape(part)}</p>" for part in report.text.split("。") if part)
                return _page(
                    report.title,
                    f'<h1 class="title">{escape(report.title)}</h1>'
                    f'<div class="meta">发布时间：<span class="time">{when:%Y-%m-%d %H:%M}</span>'
                    f'</div><div class="content">{body}</div>',
                )
        return None

    def article_page(self, site: SiteName, report_id: str) -> bytes | None:
        """The page a wire or feed link leads to (the alert's "Read the report")."""
        for report in self.visible(site):
            if report.id == report_id:
                return _page(
                    report.title, f"<h1>{escape(report.title)}</h1><p>{escape(report.text)}</p>"
                )
        return None

    def route(self, target: str) -> tuple[bytes, str] | None:
        """The body and content type at `target` (a path, maybe with a query), or None (404)."""
        html = "text/html; charset=utf-8"
        path = target.split("?", 1)[0]
        if path.startswith("/futures/api/jsonp.php/"):  # Sina's daily bars (capwatch/demo/quotes)
            bars = kline_response(target)
            return (bars, "application/javascript; charset=utf-8") if bars else None
        if path == "/robots.txt":
            return b"User-agent: *\nAllow: /\n", "text/plain"
        if path == "/wire/api":
            return self.wire_json(), "application/json; charset=utf-8"
        if path == "/feed.xml":
            return self.feed_xml(), "application/rss+xml; charset=utf-8"
        if path == "/assoc/news/":
            return self.site_list(), html
        name = path.rsplit("/", 1)[-1].removesuffix(".html")
        page: bytes | None = None
        if path.startswith("/assoc/news/"):
            page = self.site_article(name)
        elif path.startswith("/wire/"):
            page = self.article_page("wire", name)
        elif path.startswith("/feed/"):
            page = self.article_page("feed", name)
        return (page, html) if page is not None else None


def _page(title: str, body: str) -> bytes:
    return (
        f'<!doctype html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body>{body}</body></html>"
    ).encode()


def _handler_for(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.count()
            found = server.route(self.path)
            if found is None:
                self.send_error(404)
                return
            body, content_type = found
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the demo's own log says what was crawled."""

    return Handler
