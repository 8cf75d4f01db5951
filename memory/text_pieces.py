"""A long text in pieces of whole lines, for work that a worker thread does over it.

`str.split`, `str.count` and a regex's `findall` hold the interpreter's lock for the whole
call: over a 50 MB manuscript that is most of a second in which the window cannot paint
or take a key. Going through the text piece by piece hands the lock back between pieces.
"""

from __future__ import annotations

from collections.abc import Iterator

#: Characters per piece, about (a piece ends after a newline; a longer line is whole).
PIECE_CHARS = 65_536


def line_pieces(text: str, size: int = PIECE_CHARS) -> Iterator[tuple[int, int]]:
    """(start, end) of consecutive pieces of `text`, each about `size` characters and
    ending just after a newline (or at the end), so no line is cut in two."""
    start, n = 0, len(text)
    size = max(1, size)
    while start < n:
        end = start + size
        if end < n:
            cut = text.rfind("\n", start, end)
            end = cut + 1 if cut >= start else text.find("\n", end) + 1 or n
        else:
            end = n
        yield start, end
        start = end
