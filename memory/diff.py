"""One diff for the authorship engine: what really changed between two texts.

The editor reports a change window that can be much wider than the change (Qt reports a
whole replace-all as one window), and a file changed on disk arrives as a whole new
text. Both must keep the authors of every character that did not change, so both ask
this module for the changed stretches. Offsets are code points.

Both drop what the texts share at either end, then diff what is left by character
while that stays cheap. Beyond that they differ on purpose: `hunks` runs on the GUI
thread for every change the editor reports, so a window too big to diff cheaply
(`CHAR_PAIRS_LIMIT` compared pairs) is one hunk; `opcodes`, for a file changed on disk
(once, when it is opened), diffs long stretches line by line and then by character
inside replaced lines (`CHAR_DIFF_LIMIT`), so unchanged lines keep their authors.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Literal

#: `hunks`: above this many compared character pairs (removed * inserted), one hunk.
CHAR_PAIRS_LIMIT = 4_000_000
#: `opcodes`: stretches longer than this are diffed by lines, then by character.
CHAR_DIFF_LIMIT = 4000

Tag = Literal["equal", "replace", "delete", "insert"]
Opcode = tuple[Tag, int, int, int, int]  # as difflib: tag, a[i1:i2], b[j1:j2]
Hunk = tuple[int, int, int, int]  # (old offset, removed, new offset, inserted)


def common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix, by halving (C-speed comparisons)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def common_suffix(a: str, b: str) -> int:
    """Length of the longest common suffix."""
    return common_prefix(a[::-1], b[::-1])


def trim_common(old: str, new: str) -> tuple[int, int, int]:
    """(prefix, removed, inserted) after dropping what `old` and `new` share at both ends;
    the suffix never overlaps the prefix."""
    prefix = common_prefix(old, new)
    suffix = common_suffix(old[prefix:], new[prefix:])
    return prefix, len(old) - prefix - suffix, len(new) - prefix - suffix


def opcodes(a: str, b: str, limit: int = CHAR_DIFF_LIMIT) -> list[Opcode]:
    """Opcodes (difflib's, `equal` included) turning `a` into `b`: by character when both
    are at most `limit` long, else by line, then by character inside replaced lines that
    are at most `limit` long on either side."""
    if len(a) <= limit and len(b) <= limit:
        return _char_opcodes(a, b, 0, 0)
    a_lines = a.splitlines(keepends=True)
    b_lines = b.splitlines(keepends=True)
    a_pos = _offsets(a_lines)
    b_pos = _offsets(b_lines)
    out: list[Opcode] = []
    matcher = difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        ca1, ca2, cb1, cb2 = a_pos[i1], a_pos[i2], b_pos[j1], b_pos[j2]
        if tag == "replace" and max(ca2 - ca1, cb2 - cb1) <= limit:
            out.extend(_char_opcodes(a[ca1:ca2], b[cb1:cb2], ca1, cb1))
        else:
            out.append((_tag(tag), ca1, ca2, cb1, cb2))
    return out


def hunks(old: str, new: str, limit: int = CHAR_PAIRS_LIMIT) -> list[Hunk]:
    """The real changes from `old` to `new` as (old offset, removed, new offset, inserted),
    left to right; [] when the texts are equal. What remains after the shared ends is
    diffed by character, or is one hunk when that would compare over `limit` pairs."""
    prefix, removed, inserted = trim_common(old, new)
    if removed == 0 and inserted == 0:
        return []
    if removed == 0 or inserted == 0 or removed * inserted > limit:
        return [(prefix, removed, prefix, inserted)]
    middle = _char_opcodes(old[prefix : prefix + removed], new[prefix : prefix + inserted], 0, 0)
    return [
        (prefix + i1, i2 - i1, prefix + j1, j2 - j1)
        for tag, i1, i2, j1, j2 in middle
        if tag != "equal"
    ]


def _char_opcodes(a: str, b: str, a_base: int, b_base: int) -> list[Opcode]:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [
        (_tag(tag), a_base + i1, a_base + i2, b_base + j1, b_base + j2)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


def _tag(tag: str) -> Tag:
    for known in _TAGS:
        if tag == known:
            return known
    raise ValueError(f"unknown diff tag {tag!r}")


_TAGS: tuple[Tag, ...] = ("equal", "replace", "delete", "insert")


def _offsets(lines: list[str]) -> list[int]:
    """Where each line starts, then the total length."""
    return [0, *_running(lines)]


def _running(lines: list[str]) -> Iterator[int]:
    total = 0
    for line in lines:
        total += len(line)
        yield total
