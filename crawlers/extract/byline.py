"""The 来源/作者 byline of a Chinese article: "来源：新华社", "作者：张三", "（记者 李四）"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_STOP = r"[\s,，;；|丨/<>（）()【】\[\]]"
_AUTHOR = re.compile(rf"(?:作者|撰文|文)\s*[:：/丨|]\s*([^\s:：{_STOP[1:-1]}]{{2,20}})")
_REPORTER = re.compile(
    r"记者\s*[:：]?\s*"
    r"([\u4e00-\u9fa5·]{2,4}(?:[、 ][\u4e00-\u9fa5·]{2,4})*?)"
    r"(?=[）)\s　/]|报道|摄|$)"
)
_SOURCE = re.compile(rf"(?:来源|來源|出处|稿源)\s*[:：]\s*([^\s:：{_STOP[1:-1]}]{{2,30}})")
_EN_BY = re.compile(r"^\s*By\s+([A-Z][\w.'-]+(?:[ \t]+(?:and[ \t]+)?[A-Z][\w.'-]+){0,5})", re.M)


@dataclass(frozen=True)
class Byline:
    author: str | None  # the writer or reporter
    source: str | None  # the outlet the text comes from (来源)

    @property
    def best(self) -> str | None:
        """What capwatch stores as `author`: the writer when named, else the outlet."""
        return self.author or self.source


def parse_byline(text: str | None) -> Byline:
    """Writer and outlet named in a byline-like text; None for what is not there."""
    if not text:
        return Byline(None, None)
    author = None
    match = _AUTHOR.search(text)
    if match:
        author = match.group(1)
    else:
        match = _REPORTER.search(text)
        if match:
            author = match.group(1).replace(" ", "、")
        else:
            match = _EN_BY.search(text)
            author = match.group(1) if match else None
    match = _SOURCE.search(text)
    source = match.group(1) if match else None
    return Byline(author, source)
