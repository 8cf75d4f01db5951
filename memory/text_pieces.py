"""A long text in pieces of whole lines, for work that a worker thread does over it.

`str.split`, `str.count` and a regex's `findall` hold the interpreter's lock for the whole
call: over a 50 MB manuscript that is most of a second in which the window cannot paint
or take a key. Going through the text piece by piece hands the lock back between pieces.
"""

from __future__ import annotations

from collections.abc import Iterator

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
