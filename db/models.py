"""Typed rows that cross the database boundary: what db/ functions take and return."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal, NamedTuple

from detection.model import Evidence

# --- articles -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewArticle:
    """An article as a spider found it, before it is stored."""

    source_key: str
    external_id: str
    url: str
    title: str
    body: str
    lang: str | None
    published_at: datetime | None
    author: str | None = None
    raw: dict[str, Any] | None = None


@dataclass(frozen=True)
class StoredArticle:
    id: int
    source_key: str
    url: str
    title: str
    body: str
    lang: str | None
    published_at: datetime | None
    first_seen_at: datetime


@dataclass(frozen=True)
class ScopedArticle(StoredArticle):
    """A detected article with what the previous detection said about it."""

    was_relevant: bool | None  # None: no detection row
    old_score: float | None
    old_sectors: list[str] | None
    old_actions: list[str] | None
    event_id: str | None


@dataclass(frozen=True)
class ArticleHit:
    id: int
    source_key: str
    title: str
    url: str
    published_at: datetime | None
    event_id: str | None


# --- crawl runs and sources -----------------------------------------------------------------------


@dataclass(frozen=True)
class CrawlRunResult:
    status: str  # finished | failed | timeout
    finish_reason: str
    requests: int
    items: int
    new_articles: int
    errors: int
    duration_s: float
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunRow:
    id: int
    source_key: str
    executor: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    finish_reason: str | None
    requests: int
    items: int
    new_articles: int
    errors: int
    duration_s: float | None
    # figures from crawl_runs.stats (generated columns of migration 0005)
    found: int = 0  # list/feed entries seen, new or already stored
    not_modified: int = 0  # list requests answered 304
    http_errors: int = 0  # responses >= 400 (retries included) + download errors
    parse_errors: int = 0


@dataclass(frozen=True)
class Coverage:
    source_key: str
    sampled: int
    title: float
    published: float
    body: float
    last_seen_at: datetime | None


@dataclass(frozen=True)
class HealthRow:
    source_key: str
    state: str
    since: datetime
    reported_state: str | None
    reported_at: datetime | None


@dataclass(frozen=True)
class Validators:
    etag: str | None
    last_modified: str | None


BROKEN_STATES = frozenset({"failing", "stale"})


@dataclass(frozen=True)
class SourceHealth:
    """How one source is doing, from its recent crawls (scheduler/health.py: assess). The one
    health type: `capwatch status`, /status, the bot's /sources, `capwatch sources list` and
    the admin reports all show this."""

    key: str
    name: str
    state: str  # ok | degraded | failing | stale | new | disabled
    tier: str = ""
    problems: list[str] = field(default_factory=list)
    last_run_at: datetime | None = None
    last_status: str | None = None
    last_problem: str | None = None  # why the last crawl was bad; None when it was fine
    running_since: datetime | None = None
    last_success_at: datetime | None = None
    consecutive_failures: int = 0
    last_items: int | None = None
    last_new: int | None = None
    last_errors: int | None = None
    usual_items: float | None = None
    last_new_at: datetime | None = None
    usual_gap_s: float | None = None
    stale_after_s: float | None = None
    coverage: dict[str, float] | None = None

    @property
    def broken(self) -> bool:
        return self.state in BROKEN_STATES

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name, value in data.items():
            if isinstance(value, datetime):
                data[name] = value.isoformat()
        return data


# --- events ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventLine:
    id: str
    headline: str
    sectors: list[str]
    actions: list[str]
    first_seen_at: datetime
    last_seen_at: datetime
    report_count: int


@dataclass(frozen=True)
class Report:
    """One article of an event, as an alert or a timeline shows it."""

    article_id: int
    source_key: str
    source_name: str
    tier: str
    title: str
    url: str
    published_at: datetime | None
    first_seen_at: datetime


ExportKind = Literal["events", "articles"]


@dataclass(frozen=True)
class EventSummary:
    event_id: str
    first_seen_at: datetime
    last_seen_at: datetime
    headline: str
    sectors: list[str]
    actions: list[str]
    actors: list[str]
    reports: int
    source_keys: list[str]
    source_names: list[str]
    first_source_key: str | None
    first_source_name: str | None
    first_url: str | None
    first_report_at: datetime | None


@dataclass(frozen=True)
class EventReport:
    """One report in an event's timeline; report_no 1 is the first to report it."""

    report_no: int
    article_time: datetime
    first_seen_at: datetime
    article_id: int
    source_key: str
    source_name: str | None
    source_tier: str | None
    lang: str | None
    title: str
    url: str
    score: float | None
    event_reason: str


@dataclass(frozen=True)
class EventTimeline:
    event: EventSummary
    reports: list[EventReport]


# --- outbox and chats -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxRow:
    id: int
    event_id: str
    chat_id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    revision: int
    parts_sent: int
    telegram_message_id: int | None


@dataclass(frozen=True)
class OutboxListing:
    id: int
    event_id: str
    chat_id: int
    kind: str
    status: str
    attempts: int
    last_error: str | None
    headline: str
    created_at: datetime
    sent_at: datetime | None


class ChatListing(NamedTuple):
    """A chat as the admin listings show it (a tuple: callers unpack it)."""

    chat_id: int
    title: str | None
    kind: str | None
    active: bool
    inactive_reason: str | None
    migrated_to: int | None
    digest: bool
    subscriptions: int


@dataclass(frozen=True)
class ChatPrefs:
    chat_id: int
    active: bool = True
    inactive_reason: str | None = None
    digest: bool = False
    digest_time: time | None = None
    quiet_start: time | None = None
    quiet_end: time | None = None


@dataclass(frozen=True)
class ReportEvidence:
    """What the detector found in one report of an event (its detections row)."""

    article_id: int
    score: float
    actors: list[str]
    figures: list[str]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Delivery:
    """One outbox row of an event: which chat got (or is to get) what, and when."""

    chat_id: int
    chat_title: str | None
    kind: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class SourceLabel:
    key: str
    name: str
    tier: str


@dataclass(frozen=True)
class SectorWeek:
    week: date  # the Monday (Beijing) the week starts on
    sector: str
    events: int


@dataclass(frozen=True)
class SourceReports:
    source_key: str
    source_name: str
    reports: int  # event reports (articles) dated in the window


@dataclass(frozen=True)
class SourceDay:
    source_key: str
    day: date  # Beijing calendar day the crawls started
    runs: int
    items: int
    new_articles: int


@dataclass(frozen=True)
class QuoteBar:
    """One trading day of one futures series (prices as floats: display and ratios only)."""

    symbol: str
    day: date
    open: float
    high: float
    low: float
    close: float
    settle: float | None = None
    volume: int | None = None
    open_interest: int | None = None
    final: bool = True


@dataclass(frozen=True)
class MinuteBar:
    """One minute of one futures series: the price at a moment of the session, for the move
    an alert shows at the time it is sent (`at` is the bar's labelled minute, Beijing)."""

    symbol: str
    at: datetime
    open: float
    high: float
    low: float
    close: float
    volume: int | None = None
    open_interest: int | None = None
