"""How archive search finds its candidates: decisions only, no SQL (db/search.py).

The search first tests the newest SAMPLE_ROWS articles row by row, stopping as soon as it has
enough matches and counting each word (filters ignored). When that comes up short, the match
rate gives the cost of the two ways on: walking further (the rows needed for the rest) or the
index lookup (every match in the archive is fetched and rechecked, because a GIN bitmap is not
in time order). The word counts choose the lookup: only the rare words drive it, frequent ones
are tested on the few rows it returns. Costs measured at 1M rows under load
(bench/bench_search.py): a posting-list entry ~0.2 us, a candidate row fetched and rechecked
~12 us, a row walked in time order 3-7 us.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

SAMPLE_ROWS = 2_000
WALK_MARGIN = 1.3  # walk this many times the rows the match rate says are needed
POSTING_US = 0.2  # one posting-list entry read from a GIN index
RECHECK_US = 12.0  # one candidate row fetched and rechecked
WALK_US = 6.0  # one row walked in time order and tested
WINDOW_SHARE = 0.25  # confine a lookup to the newest rows when they are at most this share


@dataclass(frozen=True)
class Sample:
    """What the newest `seen` articles (in the time range) showed."""

    seen: int  # rows walked
    ids: list[int]  # newest first: rows matching every word and filter
    word_rows: tuple[int, ...]  # per query word: rows containing it (filters ignored)
    all_rows: int  # rows containing every word (filters ignored)
    complete: bool = False  # it walked every article in the range: `ids` are all matches
    newest_at: datetime | None = None  # time of the first row walked
    oldest_at: datetime | None = None  # time of the last row walked (when not stopped early)

    def share(self, count: int) -> float:
        """A share estimated from the sample; an unseen word counts as half a row."""
        return max(count, 0.5) / max(self.seen, 1)


@dataclass(frozen=True)
class Lookup:
    """The words an index lookup uses, the share of the archive it will recheck and the
    posting-list entries it reads (per table row)."""

    words: set[int]
    share: float
    postings: float


def needed_rows(found: int, seen: int, want: int) -> int:
    """`found` matches in `seen` rows: the rows that hold `want` matches at a pessimistic
    match rate (two standard deviations below the sample's), 0 when no rate can be trusted."""
    low = found - 2 * math.sqrt(found)
    return int(want * seen / low * WALK_MARGIN) if low > 0 else 0


def walk_rows(found: int, seen: int, want: int, table_rows: float, lookup: Lookup) -> int:
    """`found` matches in the newest `seen` rows: how many newest rows to walk for `want`
    matches when that is cheaper than the index lookup, else 0. The walk is costed at a
    pessimistic match rate: a walk that comes up short is paid twice, and its cost grows as
    the rate falls."""
    rows = needed_rows(found, seen, want)
    if not rows:
        return 0
    lookup_us = table_rows * (lookup.share * RECHECK_US + lookup.postings * POSTING_US)
    return rows if rows * WALK_US < lookup_us else 0


def lookup_words(sample: Sample, short: tuple[bool, ...]) -> Lookup:
    """The rarest word, and each other one whose posting list is cheaper to read than
    rechecking the rows it would remove from the candidates. `short[i]`: word i is looked up
    in the gram index (1-2 characters); a lookup never mixes it with trigram words (a trigram
    hit is rechecked on the row, and that recheck would recompute the grams)."""
    order = sorted(range(len(sample.word_rows)), key=lambda i: sample.word_rows[i])
    left = sample.share(sample.word_rows[order[0]])
    chosen, postings = {order[0]}, left
    for i in order[1:]:
        if short[i] != short[order[0]]:
            continue
        share = sample.share(sample.word_rows[i])
        after = sample.share(sample.all_rows) if len(order) == 2 else left * share
        if share * POSTING_US < (left - after) * RECHECK_US:
            chosen.add(i)
            left, postings = after, postings + share
    return Lookup(chosen, left, postings)


def lookup_window(sample: Sample, want: int, walk_rows_total: float) -> datetime | None:
    """Where an index lookup may start instead of reading the whole archive: the newest rows
    that hold `want` matches at the pessimistic rate, as a time, by stretching the span the
    sample's rows covered (rows arrive at a roughly steady pace; if not, the confined lookup
    comes up short and the whole one follows, so only its cost is at stake). The lookup still
    reads the words' whole posting lists, but rechecks only the matches in the window (a GIN
    bitmap is not in time order). None when the window would hold more than WINDOW_SHARE of
    the rows the walk reads from (`walk_rows_total`) or the sample says too little."""
    rows = needed_rows(len(sample.ids), sample.seen, want)
    if not rows or rows > walk_rows_total * WINDOW_SHARE:
        return None
    if sample.newest_at is None or sample.oldest_at is None:
        return None
    span = sample.newest_at - sample.oldest_at
    return sample.newest_at - span * (rows / max(sample.seen, 1))
