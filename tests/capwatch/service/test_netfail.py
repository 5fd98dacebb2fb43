"""Network failures in words, and the "network unreachable?" verdict over source health."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError
from twisted.internet.error import DNSLookupError

from crawlers.netfail import crawl_failure_reason, describe, network_kind, network_verdict
from db.models import SourceHealth

NOW = datetime(2026, 8, 21, 12, 0, tzinfo=UTC)


def test_failures_are_named_by_kind_and_host():
    assert describe(CannotResolveHostError("x"), "https://www.cls.cn/x") == (
        "DNS lookup failed for www.cls.cn"
    )
    assert describe(DNSLookupError("x"), "https://www.cls.cn/x") == (
        "DNS lookup failed for www.cls.cn"
    )
    refused = describe(DownloadConnectionRefusedError("x"), "http://127.0.0.1:9/feed")
    assert refused == "connection refused for 127.0.0.1:9"
    assert describe(ValueError("odd\nsecond line"), "http://h/") == "ValueError for h: odd"
    reason = crawl_failure_reason(refused, 4)
    assert network_kind(reason) == "connection refused"
    assert network_kind(f"run failed: {reason}") == "connection refused"
    assert network_kind("run failed: shutdown") is None and network_kind(None) is None


def failed(key: str, kind: str, minutes_ago: float = 0) -> SourceHealth:
    problem = f"run failed: {crawl_failure_reason(f'{kind} for {key}.cn', 2)}"
    when = NOW - timedelta(minutes=minutes_ago)
    return SourceHealth(key, key, "degraded", last_run_at=when, last_problem=problem)


def ok(key: str, minutes_ago: float = 0) -> SourceHealth:
    return SourceHealth(key, key, "ok", last_run_at=NOW - timedelta(minutes=minutes_ago))


def test_network_unreachable_only_when_every_recent_crawl_failed_the_same_way():
    dns = [failed("cls", "DNS lookup failed"), failed("sina", "DNS lookup failed", 3)]
    verdict = network_verdict([*dns, SourceHealth("new", "new", "new")])
    assert verdict == (
        "network unreachable? the last crawl of all 2 sources failed: DNS lookup failed"
        " (offline? `capwatch demo` runs the whole pipeline on a local replay)"
    )
    assert network_verdict(dns[:1]) is None  # one source is not the network
    assert network_verdict([*dns, ok("yicai", 5)]) is None  # another source got through
    assert network_verdict([*dns, failed("eeo", "connection refused")]) is None  # mixed
    assert network_verdict([*dns, ok("old", 60)]) is not None  # crawled before the outage
