"""Coordinate conversion: the one place UTF-16 units, code points and graphemes meet.

Qt (and browsers) count UTF-16 code units, Python counts code points, people count
grapheme clusters. Everything inside `memory/` works in code points; convert at the
edges with these functions and nowhere else.

Rounding rule: an offset that falls inside a unit of the coarser coordinate (a UTF-16
offset between the two halves of a surrogate pair, a code point index inside a
grapheme cluster) rounds *down* to the start of that unit.
"""

from __future__ import annotations

import regex

_GRAPHEME = regex.compile(r"\X")
_HIGH_SURROGATES = range(0xD800, 0xDC00)


def utf16_length(s: str) -> int:
    """Length of `s` in UTF-16 code units (what Qt calls its length)."""
    if s.isascii():
        return len(s)
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def index_to_utf16(text: str, index: int) -> int:
    """UTF-16 offset of code point `index` in `text` (0 <= index <= len(text))."""
    if not 0 <= index <= len(text):
        raise ValueError(f"code point index {index} outside 0..{len(text)}")
    if text.isascii():
        return index
    return utf16_length(text[:index])


def utf16_to_index(text: str, offset16: int) -> int:
    """Code point index of UTF-16 `offset16`; inside a surrogate pair rounds down."""
    if offset16 < 0:
        raise ValueError(f"UTF-16 offset {offset16} is negative")
    if text.isascii():
        if offset16 > len(text):
            raise ValueError(f"UTF-16 offset {offset16} outside 0..{len(text)}")
        return offset16
    # Every code point takes at least one unit, so the first `offset16` code points
    # hold the whole prefix: encode only those, in C.
    units = text[:offset16].encode("utf-16-le", "surrogatepass")
    if offset16 * 2 > len(units):
        raise ValueError(f"UTF-16 offset {offset16} outside 0..{len(units) // 2}")
    prefix = units[: offset16 * 2].decode("utf-16-le", "surrogatepass")
    n = len(prefix)
    if n and ord(prefix[-1]) in _HIGH_SURROGATES and text[n - 1] != prefix[-1]:
        return n - 1  # the offset split a surrogate pair: round down to its start
    return n


def _is_trivially_segmented(text: str) -> bool:
    """True when every code point is its own grapheme (ASCII with no CR LF pair)."""
    return text.isascii() and "\r\n" not in text


def grapheme_count(text: str) -> int:
    """Number of extended grapheme clusters (user-perceived characters) in `text`."""
    if _is_trivially_segmented(text):
        return len(text)
    return len(_GRAPHEME.findall(text))


def index_to_grapheme(text: str, index: int) -> int:
    """Grapheme ordinal containing code point `index`; inside a cluster rounds down."""
    if not 0 <= index <= len(text):
        raise ValueError(f"code point index {index} outside 0..{len(text)}")
    if _is_trivially_segmented(text):
        return index
    if index == 0:
        return 0
    # Boundaries before `index` do not depend on what follows `index`, so the clusters
    # of the prefix are the real clusters, except perhaps a cut-off last one.
    clusters = _GRAPHEME.findall(text, 0, index)
    last_start = index - len(clusters[-1])
    match = _GRAPHEME.match(text, last_start)
    if match is not None and match.end() > index:
        return len(clusters) - 1
    return len(clusters)


def grapheme_to_index(text: str, g: int) -> int:
    """Code point index where grapheme cluster `g` starts (`g == count` gives the end)."""
    if g < 0:
        raise ValueError(f"grapheme index {g} is negative")
    if _is_trivially_segmented(text):
        if g > len(text):
            raise ValueError(f"grapheme index {g} outside 0..{len(text)}")
        return g
    if g == 0:
        return 0
    match = regex.match(r"(?:\X){" + str(g) + "}", text)
    if match is None:
        raise ValueError(f"grapheme index {g} outside 0..{grapheme_count(text)}")
    return match.end()
