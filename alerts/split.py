"""Split Telegram HTML into messages that each fit the limit and each parse on their own.

Telegram counts lengths in UTF-16 code units, so that is what is measured here. A cut never
falls inside a tag, an entity (`&amp;`), a surrogate pair (we cut between code points) or a
character with its combining marks / emoji joiners; tags open at a cut are closed at the end
of one part and reopened (with their attributes) at the start of the next. Cuts prefer a line
break, then a space, then any character boundary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TELEGRAM_LIMIT = 4096

# a tag, an entity, or one user-perceived character (base + marks, ZWJ sequences, flags)
_MARKS = (
    "\u0300-\u036f\u1ab0-\u1aff\u20d0-\u20ff\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
)
_ATOM = re.compile(
    r"<[^>]*>"
    r"|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);"
    rf"|[\U0001f1e6-\U0001f1ff]{{2}}"
    rf"|(?:.|\n)[{_MARKS}]*(?:\u200d(?:.|\n)[{_MARKS}]*)*",
    re.DOTALL,
)
_CHAR = re.compile(
    rf"[\U0001f1e6-\U0001f1ff]{{2}}|(?:.|\n)[{_MARKS}]*(?:\u200d(?:.|\n)[{_MARKS}]*)*", re.DOTALL
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    name: str
    tag: str  # the opening tag as written, to reopen it in the next part


def _closers(stack: list[_Open]) -> str:
    return "".join(f"</{item.name}>" for item in reversed(stack))


def _apply(stack: list[_Open], atom: str) -> list[_Open]:
    match = _TAG.fullmatch(atom)
    if not match:
        return stack
    closing, name = match.group(1), match.group(2).lower()
    if closing:
        for i in range(len(stack) - 1, -1, -1):
            if stack[i].name == name:
                return stack[:i] + stack[i + 1 :]
        return stack
    if atom.endswith("/>"):
        return stack
    return [*stack, _Open(name, atom)]


def split_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Parts of at most `limit` UTF-16 units each, every one balanced on its own."""
    return _split(_ATOM.findall(text), limit, markup=True)


def split_plain(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The same for text sent without parse mode (no tags, no entities)."""
    return _split(_CHAR.findall(text), limit, markup=False)


def _split(atoms: list[str], limit: int, *, markup: bool) -> list[str]:
    atoms = _fit_atoms(atoms, limit, markup)
    parts: list[str] = []
    stack: list[_Open] = []
    i, n = 0, len(atoms)
    while i < n:
        prefix = "".join(item.tag for item in stack)
        used = utf16_len(prefix)
        local = list(stack)
        j = i
        best_line = best_space = None  # (index after the atom, stack there)
        while j < n:
            atom = atoms[j]
            after = _apply(local, atom) if markup else local
            if used + utf16_len(atom) + utf16_len(_closers(after)) > limit:
                break
            used += utf16_len(atom)
            local = after
            j += 1
            if atom == "\n":
                best_line = (j, local)
            elif atom == " ":
                best_space = (j, local)
        if j == n:
            end, end_stack = j, local
        elif j == i:  # the reopened tags alone fill the part: give up their formatting
            atoms = [a for a in atoms[:i]] + [a for a in atoms[i:] if not _TAG.fullmatch(a)]
            n, stack = len(atoms), []
            continue
        else:
            floor = i + (j - i) // 2  # do not make tiny parts just to cut at a newline
            if best_line and best_line[0] > floor:
                end, end_stack = best_line
            elif best_space and best_space[0] > floor:
                end, end_stack = best_space
            else:
                end, end_stack = j, local
        body = "".join(atoms[i:end])
        if body.strip():
            parts.append(prefix + body + (_closers(end_stack) if markup else ""))
        stack = end_stack
        i = end
        while i < n and atoms[i] == "\n":  # a part never starts with blank lines
            i += 1
    return parts


def _fit_atoms(atoms: list[str], limit: int, markup: bool) -> list[str]:
    """Drops tags that could never fit (an `<a>` with a giant URL) together with their closing
    tag, and breaks an absurdly long character cluster into code points."""
    out: list[str] = []
    dropped: list[str] = []
    for atom in atoms:
        match = _TAG.fullmatch(atom) if markup else None
        if match and utf16_len(atom) > limit // 2:
            dropped.append(match.group(2).lower())
            continue
        if match and match.group(1) and match.group(2).lower() in dropped:
            dropped.remove(match.group(2).lower())
            continue
        if not match and utf16_len(atom) > limit and not (markup and atom.startswith("&")):
            out.extend(atom)
            continue
        out.append(atom)
    return out
