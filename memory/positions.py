"""Coordinate conversion: the one place UTF-16 units, code points and graphemes meet.

Qt (and browsers) count UTF-16 code units, Python counts code points, people count
grapheme clusters. Everything inside `memory/` works in code points; convert at the
edges with these functions and nowhere else.

Rounding rule: an offset that falls inside a unit of the coarser coordinate (a UTF-16
offset between the two halves of a surrogate pair, a code point index inside a
grapheme cluster) rounds *down* to the start of that unit.
"""

from __future__ import annotations

import sys
from bisect import bisect_left

import regex

_GRAPHEME = regex.compile(r"\X")
_HIGH_SURROGATES = range(0xD800, 0xDC00)
_ASTRAL = regex.compile("[\U00010000-\U0010ffff]")


def _kind_probe() -> int | None:
    """CPython stores a string in the narrowest of 1, 2 or 4 bytes per code point
    (PEP 393), so its size says in O(1) whether it holds a code point above U+FFFF.
    The header size for 4-byte strings, or None where that does not hold."""
    if sys.implementation.name != "cpython":
        return None
    header = sys.getsizeof("\U00010000") - 8
    probes = {"\u00e9x": False, "\u201c": False, "a\U0001f600": True, "\U0001f600" * 3: True}
    for probe, wide in probes.items():
        if (sys.getsizeof(probe) == header + 4 * (len(probe) + 1)) != wide:
            return None
    return header


_WIDE_HEADER = _kind_probe()


def has_astral(s: str) -> bool:
    """True when `s` holds a code point above U+FFFF (two UTF-16 units: a surrogate pair).
    Text without one has UTF-16 offsets equal to its code point offsets."""
    if s.isascii():
        return False
    if _WIDE_HEADER is not None and sys.getsizeof(s) < _WIDE_HEADER + 4 * (len(s) + 1):
        return False  # stored narrower than four bytes a character: nothing above U+FFFF
    # Four bytes a character, or a narrower string with the UTF-8 copy CPython keeps once
    # something asked for one (sqlite3 binding it does), which its size also counts and
    # can make it read as wide ("\u2014" bound once did): look (stops at the first one).
    return _ASTRAL.search(s) is not None


def utf16_length(s: str) -> int:
    """Length of `s` in UTF-16 code units (what Qt calls its length)."""
    if not has_astral(s):
        return len(s)
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def index_to_utf16(text: str, index: int) -> int:
    """UTF-16 offset of code point `index` in `text` (0 <= index <= len(text))."""
    if not 0 <= index <= len(text):
        raise ValueError(f"code point index {index} outside 0..{len(text)}")
    if not has_astral(text):
        return index
    return utf16_length(text[:index])


def utf16_to_index(text: str, offset16: int) -> int:
    """Code point index of UTF-16 `offset16`; inside a surrogate pair rounds down."""
    if offset16 < 0:
        raise ValueError(f"UTF-16 offset {offset16} is negative")
    if not has_astral(text):
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


def astral_positions(text: str) -> list[int]:
    """Code point indices of the code points above U+FFFF in `text`, in order."""
    if not has_astral(text):
        return []
    return [m.start() for m in _ASTRAL.finditer(text)]


def astral_to_utf16(astral: list[int], length: int, index: int) -> int:
    """UTF-16 offset of code point `index` (0 <= index <= length) of a text of `length`
    code points whose code points above U+FFFF are at `astral` (sorted)."""
    if not 0 <= index <= length:
        raise ValueError(f"code point index {index} outside 0..{length}")
    return index + bisect_left(astral, index)


def astral_to_index(astral: list[int], length16: int, offset16: int) -> int:
    """Code point index of UTF-16 `offset16` in such a text of `length16` UTF-16 units;
    inside a surrogate pair rounds down."""
    if not 0 <= offset16 <= length16:
        raise ValueError(f"UTF-16 offset {offset16} outside 0..{length16}")
    if not astral:
        return offset16
    # The k-th astral code point starts at UTF-16 offset astral[k] + k; those before
    # `offset16` each add one unit. An offset between the halves of a pair gives the
    # pair's own index: rounding down comes for free.
    before = bisect_left(range(len(astral)), offset16, key=lambda k: astral[k] + k)
    return offset16 - before


def shift_astral(astral: list[int], start: int, removed: int, inserted: str) -> None:
    """Follow text[start:start+removed] = inserted in `astral` (the sorted indices of a
    text's code points above U+FFFF), in place: the pairs after the change move."""
    added = [start + i for i in astral_positions(inserted)]
    if astral or added:
        end = start + removed
        lo = bisect_left(astral, start)
        hi = bisect_left(astral, end, lo)
        delta = len(inserted) - removed
        tail = astral[hi:]
        if delta:
            tail = [i + delta for i in tail]
        astral[lo:] = added + tail


class Utf16Map:
    """UTF-16 <-> code point offsets of one text that keeps changing, without re-encoding.

    Only code points above U+FFFF (surrogate pairs) make the two differ, so the map keeps
    their code point indices, sorted: a conversion is a binary search, and an edit
    shifts the indices after it (nothing at all for text without any, ASCII or not).
    Same rounding rule as the functions above.
    """

    __slots__ = ("_astral", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._astral = astral_positions(text)

    @property
    def text(self) -> str:
        return self._text

    @property
    def length16(self) -> int:
        return len(self._text) + len(self._astral)

    def to_utf16(self, index: int) -> int:
        """UTF-16 offset of code point `index` (0 <= index <= len(text))."""
        return astral_to_utf16(self._astral, len(self._text), index)

    def to_index(self, offset16: int) -> int:
        """Code point index of UTF-16 `offset16`; inside a surrogate pair rounds down."""
        return astral_to_index(self._astral, self.length16, offset16)

    def replace(self, start: int, removed: int, inserted: str, text: str | None = None) -> None:
        """Follow the change text[start:start+removed] = inserted; `text` is the new text
        when the caller has it already (it is not rebuilt then)."""
        old = self._text
        end = start + removed
        if not 0 <= start <= end <= len(old):
            raise ValueError(f"change {start}+{removed} outside a text of {len(old)} characters")
        if text is None:
            text = old[:start] + inserted + old[end:]
        elif len(text) != len(old) - removed + len(inserted):
            raise ValueError("the new text does not match the change")
        shift_astral(self._astral, start, removed, inserted)
        self._text = text


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
