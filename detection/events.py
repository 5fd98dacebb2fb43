"""Groups relevant reports into events: one real-world action → one event → one alert.

Two ways to join an existing event: (1) a near-duplicate of one of its articles (copies,
traditional-Chinese copies, noisy reposts); (2) the same keys — overlapping sector and action,
no conflicting issuing body, a close action month — within the time window. English
translations share no shingles with the Chinese original, so they join through (2).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from detection.fingerprint import compare, sketch
from detection.lexicon import load_lexicon
from detection.model import Detection
from detection.normalize import normalize

MAX_SKETCHES = 8
BODY_KINDS = ("ministry", "association")
POLICY = "policy_guideline"
OTHER = "other"


def _concrete(actions: tuple[str, ...]) -> bool:
    return any(a != POLICY for a in actions)


def key_sectors(det: Detection) -> tuple[str, ...]:
    """The sectors an event is keyed on: the rules' attribution where the learned stage
    chose the reported sectors differently. Reports of one action must land on the same key:
    the attribution reads every report by the same words, where the learned choice sits near
    a cut-off and may tip one copy over it and not another."""
    return det.rule_sectors or det.sectors or ("other",)


def key_actions(det: Detection) -> tuple[str, ...]:
    """The actions an event is keyed on: those reported, then any other the rules' sentences
    name. Two reports of one action often stress different parts of it (a buyout platform:
    capacity exit in one, output cuts in another), so the keys err on the wide side."""
    return tuple(dict.fromkeys((*det.actions, *det.rule_actions)))


@dataclass(frozen=True)
class Assignment:
    event_id: str
    is_new: bool
    reason: str


@dataclass
class _Event:
    id: str
    sectors: tuple[str, ...]
    actions: tuple[str, ...]
    bodies: tuple[str, ...]
    actors: tuple[str, ...]
    month: str | None
    first: datetime
    last: datetime
    dated: bool = True  # False while only undated reports (no date, no month) are in it
    hint: int | None = None  # month number an undated report names without a year
    articles: list[str] = field(default_factory=list)
    sketches: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)

    def to_state(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sectors": list(self.sectors),
            "actions": list(self.actions),
            "bodies": list(self.bodies),
            "actors": list(self.actors),
            "month": self.month,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "dated": self.dated,
            "hint": self.hint,
            "articles": list(self.articles),
            "sketches": [[a, list(s)] for a, s in self.sketches],
        }

    @classmethod
    def from_state(cls, st: dict[str, Any]) -> _Event:
        return cls(
            id=st["id"],
            sectors=tuple(st["sectors"]),
            actions=tuple(st["actions"]),
            bodies=tuple(st.get("bodies", ())),
            actors=tuple(st.get("actors", ())),
            month=st.get("month"),
            first=datetime.fromisoformat(st["first"]),
            last=datetime.fromisoformat(st["last"]),
            dated=bool(st.get("dated", True)),
            hint=st.get("hint"),
            articles=list(st.get("articles", ())),
            sketches=[(a, tuple(s)) for a, s in st.get("sketches", ())],
        )


class EventIndex:
    """In-memory event state of the single detector process; export/load persist it."""

    def __init__(self, window_days: int = 21):
        self.window = timedelta(days=window_days)
        self._events: dict[str, _Event] = {}
        self._by_hash: dict[int, set[str]] = defaultdict(set)
        self._last_time: datetime | None = None

    # ------------------------------------------------------------------ public API
    def assign(
        self,
        article_id: str,
        title: str,
        text: str,
        detection: Detection,
        published: datetime | None,
    ) -> Assignment:
        when, dated = self._when(published, detection.month)
        sk = sketch(normalize(f"{title} {text}"))
        dup = self._near_duplicate(sk, when, dated)
        if dup is not None:
            ev, other, sim = dup
            self._add(ev, article_id, sk, when, dated)
            return Assignment(ev.id, False, f"near-duplicate of {other} (jaccard {sim:.2f})")
        keyed = self._same_keys(detection, when, dated)
        if keyed is not None:
            self._add(keyed, article_id, sk, when, dated)
            keys = f"{keyed.sectors[0]}/{keyed.actions[0]}/{keyed.month or '?'}"
            return Assignment(keyed.id, False, f"same keys {keys}")
        ev = self._new(article_id, detection, when, dated)
        self._add(ev, article_id, sk, when, dated)
        return Assignment(ev.id, True, "new event")

    def export_event(self, event_id: str) -> dict[str, Any]:
        return self._events[event_id].to_state()

    def load_event(self, event_id: str, state: dict[str, Any]) -> None:
        ev = _Event.from_state({**state, "id": event_id})
        self._events[event_id] = ev
        for _, sk in ev.sketches:
            for h in sk:
                self._by_hash[h].add(event_id)
        if self._last_time is None or ev.last > self._last_time:
            self._last_time = ev.last

    def event_ids(self) -> list[str]:
        return list(self._events)

    def remove_article(self, event_id: str, article_id: str) -> int:
        """Take a report out of an event (re-detection found it irrelevant); the event keeps
        its keys and time span so later reports of the same action still join it. Returns
        the number of reports left; 0 for an unknown event."""
        ev = self._events.get(event_id)
        if ev is None:
            return 0
        ev.articles = [a for a in ev.articles if a != article_id]
        if any(a == article_id for a, _ in ev.sketches):
            for _, sk in ev.sketches:
                for h in sk:
                    self._by_hash[h].discard(event_id)
            ev.sketches = [(a, sk) for a, sk in ev.sketches if a != article_id]
            for _, sk in ev.sketches:
                for h in sk:
                    self._by_hash[h].add(event_id)
        return len(ev.articles)

    def first_last(self, event_id: str) -> tuple[datetime, datetime]:
        """Time of the event's first and latest report."""
        ev = self._events[event_id]
        return ev.first, ev.last

    # ------------------------------------------------------------------ internals
    def _when(self, published: datetime | None, month: str | None) -> tuple[datetime, bool]:
        """The article's time and whether it is trustworthy. Undated articles take the month
        their text names (mid-month), else the last assigned time, else now."""
        if published is not None:
            when = published if published.tzinfo else published.replace(tzinfo=UTC)
            self._last_time = when
            return when, True
        if month:
            y, m = month.split("-")
            return datetime(int(y), int(m), 15, tzinfo=UTC), True
        return self._last_time or datetime.now(UTC), False

    def _near_duplicate(
        self, sk: tuple[int, ...], when: datetime, dated: bool
    ) -> tuple[_Event, str, float] | None:
        counts: dict[str, int] = defaultdict(int)
        for h in sk:
            for eid in self._by_hash.get(h, ()):
                counts[eid] += 1
        best: tuple[_Event, str, float] | None = None
        for eid in sorted(counts, key=lambda e: (-counts[e], e)):
            if counts[eid] < 4:
                break
            ev = self._events[eid]
            if dated and ev.dated and abs(when - ev.last) > 6 * self.window:
                continue
            for aid, other in ev.sketches:
                sim = compare(sk, other)
                if sim.is_near_duplicate() and (best is None or sim.jaccard > best[2]):
                    best = (ev, aid, sim.jaccard)
        return best

    def _same_keys(self, det: Detection, when: datetime, dated: bool) -> _Event | None:
        """Best compatible event: shared sector (one side's main sector in the other),
        shared action, no conflicting issuing body, within the window when both are dated."""
        bodies = set(_bodies(det))
        sectors = key_sectors(det)
        actions = key_actions(det)
        best: tuple[float, str] | None = None
        for ev in self._events.values():
            if dated and ev.dated and not self._in_window(ev, when):
                continue
            same_body = bool(bodies & set(ev.bodies))
            sectorless = OTHER in (sectors[0], ev.sectors[0])
            # `other` names no sector, so it conflicts with none: one issuer's plan, reported
            # once in general and once for one sector, is one event
            crossed = sectors[0] not in ev.sectors and ev.sectors[0] not in sectors
            if crossed and not (same_body and sectorless):
                continue
            act = set(actions) & set(ev.actions)
            if not act or (
                act == {POLICY} and _concrete(actions) and _concrete(ev.actions) and not same_body
            ):
                continue  # two directives ordering different actions are two events, unless
                # one issuing body: its one directive reported with another emphasis
            if act == {POLICY} and sectors[0] != ev.sectors[0] and not same_body:
                continue  # only "policy" in common: one main sector or one issuer, not a
                # side sector of a broad statement
            if bodies and ev.bodies and not bodies & set(ev.bodies):
                continue
            if det.actors and ev.actors and not set(det.actors) & set(ev.actors):
                continue  # another named actor: another action
            if sectorless and not same_body:
                continue  # "other" is no key: sectorless policies join only by their issuer
            if dated != ev.dated and _hint_conflict(det, ev, when, dated):
                continue  # the undated side's "9月18日" names another month
            sec = set(sectors) & set(ev.sectors)
            score: float = 2 * len(sec) + len(act) + 2 * len(bodies & set(ev.bodies))
            score += 1.0 if sectors[0] == ev.sectors[0] else 0.0
            score += 0.5 if (dated and ev.dated) else 0.0
            if best is None or (score, ev.id) > best:
                best = (score, ev.id)
        return self._events[best[1]] if best else None

    def _in_window(self, ev: _Event, when: datetime) -> bool:
        near = abs(when - ev.first) <= self.window or abs(when - ev.last) <= self.window / 2
        return near and when - ev.first <= 2 * self.window

    def _new(self, article_id: str, det: Detection, when: datetime, dated: bool) -> _Event:
        sectors = key_sectors(det)
        actions = key_actions(det) or ("policy_guideline",)
        month = f"{when.year:04d}-{when.month:02d}" if dated else None
        digest = hashlib.sha1(article_id.encode()).hexdigest()[:6]
        eid = f"{sectors[0]}-{actions[0]}-{month or 'undated'}-{digest}"
        ev = _Event(
            eid, tuple(sectors), tuple(actions), _bodies(det), det.actors, month, when, when, dated
        )
        ev.hint = None if dated else det.month_hint
        self._events[eid] = ev
        return ev

    def _add(
        self, ev: _Event, article_id: str, sk: tuple[int, ...], when: datetime, dated: bool
    ) -> None:
        ev.articles.append(article_id)
        if dated and not ev.dated:  # the first dated report fixes an undated event in time
            ev.first = ev.last = when
            ev.dated = True
            ev.month = f"{when.year:04d}-{when.month:02d}"
        elif dated or not ev.dated:
            ev.first = min(ev.first, when)
            ev.last = max(ev.last, when)
        if sk and len(ev.sketches) < MAX_SKETCHES:
            ev.sketches.append((article_id, sk))
            for h in sk:
                self._by_hash[h].add(ev.id)


def _hint_conflict(det: Detection, ev: _Event, when: datetime, dated: bool) -> bool:
    """An undated report and a dated event (or the reverse) may be one action only when the
    bare month the undated text names (if any) is the dated side's month."""
    if dated:
        return ev.hint is not None and ev.hint != when.month
    return (
        det.month_hint is not None and ev.month is not None and det.month_hint != int(ev.month[5:7])
    )


def _bodies(det: Detection) -> tuple[str, ...]:
    kinds = load_lexicon().actor_kind
    return tuple(a for a in det.actors if kinds.get(a) in BODY_KINDS)
