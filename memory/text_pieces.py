"""A long text in pieces, for work that a worker thread does over it: pieces of whole
lines (`line_pieces`, `line_windows`), UTF-8 a slice at a time (`utf8_slices`), and
a document's chunks read by position without joining them (`PiecesText`).

`str.split`, `str.count` and a regex's `findall` hold the interpreter's lock for the whole
call: over a 50 MB manuscript that is most of a second in which the window cannot paint
or take a key. Going through the text piece by piece hands the lock back between pieces.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate
from typing import Protocol

#: Characters per piece, about (a piece ends after a newline; a longer line is whole).
PIECE_CHARS = 65_536


def line_pieces(
    text: str, size: int = PIECE_CHARS, start: int = 0, end: int | None = None
) -> Iterator[tuple[int, int]]:
    """(start, end) of consecutive pieces of text[start:end] (all of it by default),
    each about `size` characters and ending just after a newline (or at the stretch's
    end), so no line is cut in two."""
    n = len(text) if end is None else end
    size = max(1, size)
    while start < n:
        stop = start + size
        if stop < n:
            cut = text.rfind("\n", start, stop)
            stop = cut + 1 if cut >= start else text.find("\n", stop, n) + 1 or n
        else:
            stop = n
        yield start, stop
        start = stop


#: Characters encoded at once by `utf8_slices`.
ENCODE_CHARS = 1 << 20


def utf8_slices(
    text: str,
    start: int = 0,
    end: int | None = None,
    *,
    size: int = ENCODE_CHARS,
    errors: str = "strict",
) -> Iterator[bytes]:
    """`text[start:end]` as UTF-8, `size` characters at a time (each code point is
    encoded whole, so the slices joined are the bytes of the stretch): a 50 MB
    manuscript encoded in one call held the interpreter's lock for 250-300 ms."""
    end = len(text) if end is None else end
    for begin in range(start, end, max(1, size)):
        yield text[begin : min(begin + size, end)].encode("utf-8", errors)


#: Characters per window of `line_windows`, about (a window ends after a newline).
WINDOW_CHARS = 1 << 18

#: (start, length, label) in code points, in text order (`memory.origins.label_spans`).
Labels = Sequence[tuple[int, int, str]]


class Readable(Protocol):
    """What a reader that looks near positions needs of a text: `str`, or `PiecesText`."""

    def __len__(self) -> int: ...

    def __getitem__(self, key: int | slice, /) -> str: ...


class PiecesText:
    """The text that pieces (a document's chunks, `AuthoredText.chunks`) make joined,
    read by position and short slice without being joined: joining a 50 MB manuscript
    was one allocation of 100-200 MB holding the interpreter's lock for 50-400 ms."""

    __slots__ = ("_pieces", "_ends")

    def __init__(self, pieces: Sequence[str]) -> None:
        self._pieces = [piece for piece in pieces if piece]
        self._ends = list(accumulate(map(len, self._pieces)))

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def __getitem__(self, key: int | slice, /) -> str:
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self))
            if step != 1:
                raise ValueError("PiecesText slices in steps of one")
            return self._slice(start, stop)
        index = key + len(self) if key < 0 else key
        if not 0 <= index < len(self):
            raise IndexError(f"index {key} outside a text of {len(self)} characters")
        return self._slice(index, index + 1)

    def find_char(self, char: str, start: int = 0) -> int:
        """The first index at or after `start` of the one character `char`, or -1."""
        pieces, ends = self._pieces, self._ends
        k = bisect_right(ends, max(0, start))
        while k < len(pieces):
            base = ends[k] - len(pieces[k])
            at = pieces[k].find(char, max(0, start - base))
            if at >= 0:
                return base + at
            k += 1
        return -1

    def _slice(self, start: int, stop: int) -> str:
        return slice_of_pieces(self._pieces, self._ends, start, stop) if start < stop else ""


def slice_of_pieces(pieces: Sequence[str], ends: Sequence[int], start: int, stop: int) -> str:
    """`text[start:stop]` of the text that non-empty `pieces` make joined (`ends`: where
    each ends in it; 0 <= start < stop <= the text's length), copying only the pieces
    the stretch touches: one slice of one piece when it lies inside it."""
    k = bisect_right(ends, start)  # the piece holding `start`
    base = ends[k] - len(pieces[k])
    if stop <= ends[k]:
        return pieces[k][start - base : stop - base]
    m = bisect_left(ends, stop, k)  # the piece holding the last character
    parts = [pieces[k][start - base :], *pieces[k + 1 : m]]
    parts.append(pieces[m][: stop - (ends[m] - len(pieces[m]))])
    return "".join(parts)


def line_windows(
    pieces: Sequence[str], labels: Labels, size: int = WINDOW_CHARS
) -> list[tuple[int, str, list[tuple[int, int, str]]]]:
    """The text the `pieces` make, as (offset, window, its labels) windows of about
    `size` characters, each ending just after a newline (a line longer than `size` is a
    window of its own, whole), with `labels` cut at the windows' edges and counted from
    each window's start.
    What reads lines, sentences and names in the writer's own text (the memory lane's
    learning after a save) reads them window by window as it would in the whole text,
    and no copy is longer than a window."""
    text = PiecesText(pieces)
    n = len(text)
    size = max(1, size)
    windows: list[tuple[int, str, list[tuple[int, int, str]]]] = []
    k = 0  # the first label not wholly before the window
    start = 0
    while start < n:
        window = text[start : start + size]
        if start + len(window) < n:
            cut = window.rfind("\n")
            if cut >= 0:
                window = window[: cut + 1]
            else:  # a line longer than a window: the whole line
                newline = text.find_char("\n", start + size)
                window = text[start : n if newline < 0 else newline + 1]
        end = start + len(window)
        while k < len(labels) and labels[k][0] + labels[k][1] <= start:
            k += 1
        inside: list[tuple[int, int, str]] = []
        j = k
        while j < len(labels) and labels[j][0] < end:
            lo, hi = max(labels[j][0], start), min(labels[j][0] + labels[j][1], end)
            if hi > lo:
                inside.append((lo - start, hi - lo, labels[j][2]))
            j += 1
        windows.append((start, window, inside))
        start = end
    return windows
