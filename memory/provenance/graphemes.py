"""Grapheme clusters (what people and iA Writer count) versus code points (what Python counts).

Extended grapheme clusters as `regex` finds them with `\\X`, the rule of `memory.positions`
(a test holds the two together). `memory.positions` converts one index per call by
rescanning the text; exports convert thousands of ranges, so one pass builds a map here.

A save, an open or an export asks for the map of the same text several times (the
annotations, the manifest, the check after writing): the last text's cluster starts are
kept, so the text is split once (about 0.25 s per million non-ASCII characters), and
text where no code point can join a neighbour (ASCII, or curly quotes, accents and CJK
without combining marks) needs no split at all.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate

import regex

_CLUSTER = regex.compile(r"\X", regex.DOTALL)
# The code points that can join a cluster with a neighbour (Unicode's grapheme break
# rules GB3 and GB6-GB13 all need one of these): CR (before LF), Extend, ZWJ,
# SpacingMark, Prepend, regional indicators and Hangul L/V/T jamo. Text with none of
# them is one cluster per code point, which a look at its distinct characters
# (`_has_joiner`) finds far faster than a split.
_JOINERS = regex.compile(
    r"[\r\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}\p{GCB=Prepend}"
    r"\p{GCB=Regional_Indicator}\p{GCB=L}\p{GCB=V}\p{GCB=T}]"
)
_SLICE = 32_768  # characters per set in `_has_joiner` (about 1 ms each)
_last: tuple[str, Sequence[int]] | None = None
_last_lock = threading.Lock()


def _split(text: str) -> Sequence[int]:
    # concurrent: the scan lets go of the GIL (a str never changes), so a save or an
    # export splitting a long text on a lane does not stall the GUI thread meanwhile.
    if (text.isascii() and "\r\n" not in text) or not _has_joiner(text):
        return range(len(text) + 1)  # every character its own cluster: nothing to store
    return list(accumulate(map(len, _CLUSTER.findall(text, concurrent=True)), initial=0))


def _has_joiner(text: str) -> bool:
    """Whether any code point of `text` can join a neighbour (`_any_joiner`)."""
    return _any_joiner((text,))


def _any_joiner(pieces: Iterable[str]) -> bool:
    """Whether any code point of the text made of `pieces` can join a neighbour
    (`_JOINERS`). Asked of each distinct code point, not searched through the text: the
    sets of a megabyte of prose are made at C speed (a few dozen distinct characters,
    about 25 ms), where the property search over every character took 0.18 s. In
    slices, so that a save on its lane lets the GUI thread run between them (a set holds
    the GIL while it is made)."""
    seen: set[str] = set()
    for text in pieces:
        for start in range(0, len(text), _SLICE):
            new = set(text[start : start + _SLICE]) - seen
            if new:
                if any(_JOINERS.match(char) for char in new):
                    return True
                seen |= new
    return False


def cluster_starts_of_pieces(pieces: Sequence[str]) -> Sequence[int]:
    """`cluster_starts` of the text the `pieces` make joined, without joining them (a
    save holds a long text as the chunks the editor left it in: joined, 50 MB was one
    allocation of 100-200 MB holding the interpreter's lock for 50-400 ms). A cluster
    can run over the seam between two pieces, so the last cluster found so far is split
    again with the next piece: what comes after a cluster never moves the boundaries
    before it (Unicode's break rules look one code point ahead)."""
    pieces = [piece for piece in pieces if piece]
    if len(pieces) <= 1:
        return cluster_starts(pieces[0] if pieces else "")
    total = sum(map(len, pieces))
    if not _any_joiner(pieces):
        return range(total + 1)
    starts = [0]
    position = 0  # where `carry` starts in the whole text
    carry = ""  # the last cluster found so far: the next piece may extend it
    for piece in pieces:
        text = carry + piece
        sizes = list(map(len, _CLUSTER.findall(text, concurrent=True)))
        ends = list(accumulate(sizes[:-1], initial=position))
        starts.extend(ends[1:])
        position = ends[-1]
        carry = text[len(text) - sizes[-1] :]
    starts.append(total)
    return starts


def cluster_starts(text: str) -> Sequence[int]:
    """Code point offsets where each grapheme cluster starts, followed by `len(text)`.
    The list is shared with the next caller asking about the same text: do not change it."""
    global _last
    last = _last
    if last is not None and (last[0] is text or last[0] == text):
        return last[1]
    starts = _split(text)
    with _last_lock:
        _last = (text, starts)
    return starts


class GraphemeMap:
    """Converts offsets of one text between code points and grapheme clusters."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = cluster_starts(text)
        self._length = len(text)

    @classmethod
    def of_pieces(cls, pieces: Sequence[str]) -> GraphemeMap:
        """The map of the text `pieces` make joined, which is not joined: `text` is
        the first piece only when there is one (`cluster` needs the text)."""
        out = cls.__new__(cls)
        out.text = pieces[0] if len(pieces) == 1 else ""
        out._starts = cluster_starts_of_pieces(pieces)
        out._length = out._starts[-1]
        return out

    @property
    def count(self) -> int:
        return len(self._starts) - 1

    def to_grapheme(self, index: int) -> int:
        """The cluster that starts at or contains code point `index` (`count` at the end)."""
        return bisect_right(self._starts, index) - 1 if index < self._length else self.count

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
