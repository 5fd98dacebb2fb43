"""`capwatch demo` as a new user runs it: a real subprocess, the embedded PostgreSQL, the
replay server, real crawls, the detector and the console transport."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from capwatch.demo.quotes import kline_response
from capwatch.demo.replay import ReplayServer, load_sample_day
from core.tz import BEIJING
from market.calendar import is_trading_day
from market.sina import parse_daily

pytestmark = pytest.mark.integration


def test_demo_prints_alerts_and_keeps_the_real_archive_apart(tmp_path: Path) -> None:
    real = tmp_path / "real"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "CAPWATCH_"))}
    env["CAPWATCH_DATA_DIR"] = str(real)
    env["CAPWATCH_ALERT_MAX_AGE_HOURS"] = "72"  # the default: the day is dated as news
    done = subprocess.run(
        [sys.executable, "-m", "capwatch", "demo", "--timeout", "90"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr[-3000:] + out[-2000:]
    # both events of the sample day alerted once each, the polysilicon one updated by others
    assert out.count("===== capwatch alert =====") == 2, out
    assert "多晶硅企业联合减产 下月起开工率降至五成" in out
    assert "水泥协会倡议北方企业严格执行冬季错峰生产" in out
    assert "===== capwatch update of #1 =====" in out
    # the polysilicon alert carries the futures' move from the replay's quote endpoint
    assert "📈 Market: PS main +4.2%, SI main +1.8% (" in out, out
    assert out.count("📈 Market:") >= 1
    assert "央行今日开展1200亿元逆回购操作" not in out  # stored, not relevant
    assert "capwatch demo: done. 10 items stored, 4 relevant, 2 events detected, 2 alerts" in out
    assert "capwatch run" in out and "TELEGRAM_BOT_TOKEN" in out  # how to go live
    assert "crawl finished: demo_assoc status=finished" in done.stderr
    warnings = [
        line
        for line in done.stderr.splitlines()
        if "WARNING" in line and "running as root" not in line  # root's folders: documented
    ]
    assert not warnings and "Traceback" not in done.stderr  # a clean first run
    # the demo's database is its own: nothing in the real data dir but the demo folder
    assert (real / "demo" / "pgdata" / "PG_VERSION").exists()
    assert sorted(p.name for p in real.iterdir()) == ["demo"]


def test_replay_releases_the_day_in_order_and_serves_each_shape() -> None:
    reports = load_sample_day()
    server = ReplayServer(reports, replay_seconds=0.0).start()
    try:
        wire = server.route("/wire/api")
        feed = server.route("/feed.xml")
        listing = server.route("/assoc/news/")
    finally:
        server.stop()
    assert wire is not None and feed is not None and listing is not None
    assert b'"roll_data"' in wire[0] and "多晶硅".encode() in wire[0]
    assert b"<rss" in feed[0] and b"<pubDate>" in feed[0]
    assert 'class="news-list"' in listing[0].decode()
    # dated so that the day ends at the start: the last report is the newest
    last = max(reports, key=lambda r: r.minute)
    assert all(server.clock.published(r) <= server.clock.published(last) for r in reports)


def test_the_quote_endpoint_answers_the_events_contracts_only() -> None:
    """Sina's JSONP shape, read by the real parser: four weeks of bars ending on the newest
    trading day (today once its session opened), +4.2% on the last one for polysilicon."""
    server = ReplayServer(load_sample_day(), replay_seconds=0.0)
    url = "/futures/api/jsonp.php/var%20_{0}=/InnerFuturesNewService.getDailyKLine?symbol={0}"
    saturday = datetime(2026, 8, 22, 10, 0, tzinfo=BEIJING)
    answered = server.route(url.format("PS0"))
    assert answered is not None and answered[0].startswith(b"/*<script>")
    bars = parse_daily("PS0", kline_response(url.format("PS0"), saturday).decode()).bars
    assert len(bars) == 20 and all(is_trading_day(b.day) for b in bars)
    assert bars[-1].day == date(2026, 8, 21) and bars[-1].final
    assert round(bars[-1].close / bars[-2].close - 1, 3) == 0.042
    early = kline_response(url.format("SI0"), datetime(2026, 8, 24, 8, 30, tzinfo=BEIJING))
    assert early is not None and b'"2026-08-24"' not in early  # Monday before the open
    assert server.route(url.format("RB0")) is None  # no bars for other series: 404
    server.httpd.server_close()


def test_nothing_is_out_before_its_minute() -> None:
    reports = load_sample_day()
    server = ReplayServer(reports, replay_seconds=3600.0)  # not started: the clock stands
    assert [r.minute for r in reports if server.clock.released(r)] == [0]
