"""Near-duplicate fingerprints: a consistent sample of hashed shingles per text.

Chinese is shingled as 4-grams of CJK characters only, so junk interleaved by scrapers
("4 z- x6 x*") and punctuation differences vanish; Latin text as 3-word shingles. Keeping the
hashes divisible by SAMPLE (hash-mod sampling) makes sketches comparable for both Jaccard and
containment (a brief inside a longer write-up), which bottom-k MinHash cannot give.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

SAMPLE = 4
CAP = 600
_NOT_CJK = re.compile(r"[^\u4e00-\u9fff0-9]+")
_WORD = re.compile(r"[a-z0-9]+")


def shingle_hashes(norm_text: str) -> set[int]:
    """Hashes of the character 4-grams (CJK) and word 3-grams (Latin) of normalised text."""
    out: set[int] = set()
    cjk = _NOT_CJK.sub("", norm_text)
    if sum(1 for ch in cjk if not ch.isdigit()) >= 8:
        for i in range(len(cjk) - 3):
            out.add(zlib.crc32(cjk[i : i + 4].encode()))
    words = _WORD.findall(norm_text)
    if len(words) >= 12:
        for i in range(len(words) - 2):
            out.add(zlib.crc32(" ".join(words[i : i + 3]).encode()))
    return out


def sketch(norm_text: str) -> tuple[int, ...]:
    """Sorted sample of shingle hashes (at most CAP of the smallest)."""
    sample = sorted(h for h in shingle_hashes(norm_text) if h % SAMPLE == 0)
    return tuple(sample[:CAP])


@dataclass(frozen=True)
class Similarity:
    jaccard: float
    containment: float
    shared: int

    def is_near_duplicate(self) -> bool:
        """Copies and noisy reposts: high overlap, or one text mostly inside the other."""
        if self.shared < 4:
            return False
        return self.jaccard >= 0.45 or (self.containment >= 0.7 and self.shared >= 8)


def compare(a: tuple[int, ...], b: tuple[int, ...]) -> Similarity:
    if not a or not b:
        return Similarity(0.0, 0.0, 0)
    sa, sb = set(a), set(b)
    # Sketches capped at CAP only agree below the smaller of the two maxima.
    limit = min(a[-1], b[-1]) if len(a) >= CAP or len(b) >= CAP else None
    if limit is not None:
        sa = {h for h in sa if h <= limit}
        sb = {h for h in sb if h <= limit}
    inter = len(sa & sb)
    union = len(sa | sb) or 1
    return Similarity(inter / union, inter / (min(len(sa), len(sb)) or 1), inter)
