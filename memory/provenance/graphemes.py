"""Grapheme clusters (what people and iA Writer count) versus code points (what Python counts).

Extended grapheme clusters as `regex` finds them with `\\X`, the rule of `memory.positions`
(a test holds the two together). `memory.positions` converts one index per call by
rescanning the text; exports convert thousands of ranges, so one pass builds a map here.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

import regex

_CLUSTER = regex.compile(r"\X", regex.DOTALL)


def cluster_starts(text: str) -> list[int]:
    """Code point offsets where each grapheme cluster starts, followed by `len(text)`."""
    starts = [m.start() for m in _CLUSTER.finditer(text)]
    starts.append(len(text))
    return starts


class GraphemeMap:
    """Converts offsets of one text between code points and grapheme clusters."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = cluster_starts(text)

    @property
    def count(self) -> int:
        return len(self._starts) - 1

    def to_grapheme(self, index: int) -> int:
        """The cluster that starts at or contains code point `index` (`count` at the end)."""
        return bisect_right(self._starts, index) - 1 if index < len(self.text) else self.count

    def first_cluster_at_or_after(self, index: int) -> int:
        """The first cluster whose first code point is at or after `index`."""
        return bisect_left(self._starts, index)

    def to_index(self, grapheme: int) -> int:
        """The code point offset where cluster `grapheme` starts (`len(text)` at the end)."""
        if grapheme < 0 or grapheme > self.count:
            raise IndexError(f"grapheme {grapheme} outside 0..{self.count}")
        return self._starts[grapheme]

    def cluster(self, grapheme: int) -> str:
        return self.text[self._starts[grapheme] : self._starts[grapheme + 1]]

    def span_to_graphemes(self, start: int, length: int) -> tuple[int, int]:
        """Code point span -> cluster span; a cluster belongs to the span holding its first
        code point, so spans that split a cluster lose or gain that part of it."""
        first = self.first_cluster_at_or_after(start)
        last = self.first_cluster_at_or_after(start + length)
        return first, last - first

    def span_to_index(self, start: int, length: int) -> tuple[int, int]:
        """Cluster span -> code point span."""
        begin = self.to_index(start)
        return begin, self.to_index(start + length) - begin


def grapheme_count(text: str) -> int:
    return len(cluster_starts(text)) - 1
