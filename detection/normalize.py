"""Text normalisation applied before any matching, so one lexicon serves every variant.

Full-width forms become ASCII (NFKC), traditional Chinese becomes simplified (OpenCC t2s),
pinyin glosses that some mirror sites append to characters ("經(jīng)濟(jì)") are dropped,
Latin letters are lower-cased and whitespace collapses to single spaces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Protocol

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
# A parenthesised pinyin syllable (with tone mark, or a few toneless particles) right
# after a CJK character; NFKC has already turned full-width parentheses into ASCII.
_PINYIN_GLOSS = re.compile(
    rf"(?<=[\u4e00-\u9fff])\((?:[a-z{_TONED}]*[{_TONED}][a-z{_TONED}]*|de|le|me|men|zi|ge)\)"
)
_SPACE = re.compile(r"\s+")
# Quotation marks touching a CJK character: scare quotes around a coined word (反“内卷”,
# 行业「内卷」, “内卷式”竞争) hide the term they quote from matching and split its n-grams.
_CJK_QUOTE = re.compile(
    r"(?<=[\u4e00-\u9fff])[\"“”「」『』‘’]+|[\"“”「」『』‘’]+(?=[\u4e00-\u9fff])"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_WHITESPACE = re.compile(r"\s")


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@lru_cache(maxsize=1)
def _converter() -> _Converter:
    """OpenCC is created once per process: building it costs far more than a conversion."""
    import opencc

    converter: _Converter = opencc.OpenCC("t2s")
    return converter


def to_simplified(text: str) -> str:
    """Traditional → simplified; ASCII-only text skips the converter entirely."""
    if not text or text.isascii():
        return text
    return _converter().convert(text)


def normalize(text: str | None) -> str:
    """Canonical form used for matching and fingerprints (idempotent)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _PINYIN_GLOSS.sub("", text)
    text = to_simplified(text)
    text = _CJK_QUOTE.sub("", text)
    text = _SPACE.sub(" ", text).strip()
    return text.lower()


def cjk_ratio(text: str) -> float:
    """Share of CJK characters among non-space characters (language sniffing)."""
    sample = text[:2000]
    letters = len(sample) - len(_WHITESPACE.findall(sample))  # regex: C speed on the hot path
    if not letters:
        return 0.0
    return len(_CJK.findall(sample)) / letters


def detect_lang(text: str) -> str:
    """'zh' when CJK characters are a visible share of the text, else 'en'."""
    return "zh" if cjk_ratio(text) >= 0.15 else "en"
