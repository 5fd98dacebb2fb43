"""Network failures in words: what a request that could not be downloaded ran into ("DNS
lookup failed for www.cls.cn"), the finish reason of a crawl in which every request did, and
reading the kind back from that reason (health: "network unreachable?" when every source
fails the same way at once)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # spiders import this module: keep their import light
    from db.models import SourceHealth

NETWORK = "network: "  # finish reasons of crawls that failed for the network start with this

# (exception class name, kind); class names, so twisted/OpenSSL need not be imported here
_KINDS: tuple[tuple[str, str], ...] = (
    ("CannotResolveHostError", "DNS lookup failed"),  # Scrapy's own (2.14+) ...
    ("DownloadConnectionRefusedError", "connection refused"),
    ("DownloadTimeoutError", "timed out"),
    ("ResponseDataLossError", "connection lost"),
    ("DNSLookupError", "DNS lookup failed"),  # ... and Twisted's
    ("ConnectionRefusedError", "connection refused"),
    ("TCPTimedOutError", "timed out"),
    ("TimeoutError", "timed out"),
    ("NoRouteError", "no route to host"),
    ("ConnectionLost", "connection lost"),
    ("ConnectionDone", "connection lost"),
    ("ResponseNeverReceived", "connection lost"),
    ("ResponseFailed", "connection lost"),
    ("Error", "TLS failed"),  # OpenSSL.SSL.Error (checked by module below)
    ("ConnectError", "cannot connect"),
)
KINDS = tuple(dict.fromkeys(kind for _, kind in _KINDS))


def failure_kind(exc: BaseException) -> str:
    """The kind of a download failure: one of KINDS, else the exception's class name."""
    for cls in type(exc).__mro__:
        for name, kind in _KINDS:
            if cls.__name__ != name:
                continue
            if name == "Error" and not cls.__module__.startswith("OpenSSL"):
                continue
            return kind
    return type(exc).__name__


def describe(exc: BaseException, url: str) -> str:
    """One line: kind and host, e.g. "DNS lookup failed for www.cls.cn"."""
    parts = urlsplit(url)
    host = parts.netloc or url
    kind = failure_kind(exc)
    if kind in KINDS:
        return f"{kind} for {host}"
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{kind} for {host}" + (f": {detail}" if detail else "")


def crawl_failure_reason(first: str, failed: int) -> str:
    """The finish reason of a crawl in which all `failed` requests failed for the network."""
    return f"{NETWORK}{first} (all {failed} request(s) failed)"


def network_kind(text: str | None) -> str | None:
    """The network kind named in a finish reason or run problem, or None."""
    if not text or NETWORK not in text:
        return None
    rest = text.split(NETWORK, 1)[1]
    for kind in KINDS:
        if rest.startswith(kind):
            return kind
    return rest.split(" for ", 1)[0] or None


NETWORK_WINDOW_S = 900.0  # crawls this close to the newest one count as "at once"


# a newcomer without internet sees the product work another way
OFFLINE_HINT = " (offline? `capwatch demo` runs the whole pipeline on a local replay)"


def network_verdict(states: list[SourceHealth]) -> str | None:
    """ "network unreachable? ..." when the newest crawls of at least two sources (those within
    NETWORK_WINDOW_S of the newest crawl) all failed the same network way; else None."""
    crawled = [h for h in states if h.last_run_at is not None and h.state != "disabled"]
    if not crawled:
        return None
    newest = max(h.last_run_at for h in crawled if h.last_run_at is not None)
    recent = [
        h
        for h in crawled
        if h.last_run_at is not None
        and (newest - h.last_run_at).total_seconds() <= NETWORK_WINDOW_S
    ]
    kinds = {network_kind(h.last_problem) for h in recent}
    if len(recent) < 2 or len(kinds) != 1 or None in kinds:
        return None
    return (
        f"network unreachable? the last crawl of all {len(recent)} sources failed: "
        f"{kinds.pop()}{OFFLINE_HINT}"
    )
