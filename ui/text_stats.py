"""Counting a writer's words, reading time and sentences (plain functions, no Qt).

Markdown's marks are not words: "#", "-", "*", ">", "---" and list numbers ("1.")
stand alone in the text but are not counted; a word is any run with a letter or digit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from memory.text_pieces import line_pieces

#: Words a minute of silent reading (adult prose; Brysbaert 2019).
READING_WPM = 238

# A token of marks only ("#", "-", "---", ">", "—") is no word; nor is a list number
# ("1.") opening a line.
_HAS_WORD = re.compile(r"[^\W_]")
_LIST_NUMBER_AT_START = re.compile(r"(?m)^[ \t]*\d{1,9}[.)](?=\s|$)")
# A sentence ends at . ! ? … (and closing quotes or brackets after them) and a space.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")


#: A long text is counted in pieces of about this many characters, whole lines
#: (`memory.text_pieces`): counting a 50 MB manuscript in one go on a worker thread held
#: the interpreter's lock, and froze the window, for 0.6 s.
PIECE_CHARS = 65_536


def count_words(text: str) -> int:
    """Words in `text`, not counting Markdown's marks or list numbers."""
    return count_words_in((text,))


def count_words_in(pieces: Iterable[str]) -> int:
    """Words in the text `pieces` make joined (`AuthoredText.chunks`, cut anywhere),
    counted a piece of whole lines at a time, never joining them all."""
    count, carry = 0, ""
    for piece in pieces:
        text = carry + piece if carry else piece
        carry = ""
        for start, end in line_pieces(text, PIECE_CHARS):
            if end == len(text) and text[-1] != "\n":
                carry = text[start:]  # its last line may go on in the next piece
            else:
                count += _count_piece(text, start, end)
    return count + (_count_piece(carry, 0, len(carry)) if carry else 0)


def _count_piece(text: str, start: int, end: int) -> int:
    """Words of text[start:end], whole lines (`^` sees the line starts of `text`)."""
    tokens = text[start:end].split()
    marks = sum(1 for t in tokens if not t[0].isalnum() and not _HAS_WORD.search(t))
    return len(tokens) - marks - len(_LIST_NUMBER_AT_START.findall(text, start, end))


class ChunkWordCounter:
    """Counts the words of a text held in chunks (`AuthoredText.chunks`) again after
    each edit, counting only what changed: each chunk's whole lines are counted once, a
    piece of about `PIECE_CHARS` at a time, and remembered (by the chunk, an immutable
    string, with each piece's count); only the lines that run across chunk boundaries
    are counted each time. A chunk that is the start or the end of one counted before
    (an edit cuts a long chunk into the text before it, about 8 KB around it, and the
    text after) takes that chunk's pieces, and only the piece it cuts is counted again.
    The same count as `count_words_in` over the same chunks. Recounting a 50 MB
    manuscript after one keystroke took seconds of Python on a worker thread, which
    shared the interpreter's lock with the window (a save meanwhile stalled it 400-590
    ms); a 1 MB text cut by its first edit was counted whole again (28.9 ms; 1.9 now).
    Not for use from two threads at once (the "words" lane runs one count at a time)."""

    def __init__(self) -> None:
        self._known: dict[int, _Counted] = {}
        self._order: list[_Counted] = []

    def count(self, pieces: Iterable[str]) -> int:
        known = self._known
        before = self._order  # the last count's chunks, in order
        at = {id(entry): i for i, entry in enumerate(before)}
        fresh: dict[int, _Counted] = {}
        order: list[_Counted] = []
        count = 0
        carry: list[str] = []  # the line that runs on from the chunks before
        next_old = 0  # the first of the last count's chunks not met again yet
        for piece in pieces:
            entry = known.get(id(piece))
            if entry is not None and entry.piece is piece:
                next_old = at[id(entry)] + 1
            else:
                old = before[next_old] if next_old < len(before) else None
                entry = (_from_part(piece, old) if old is not None else None) or _Counted.of(piece)
            fresh[id(piece)] = entry
            order.append(entry)
            if entry.first < 0:
                carry.append(piece)
                continue
            carry.append(piece[: entry.first + 1])
            line = "".join(carry)
            count += _count_piece(line, 0, len(line)) + entry.body
            carry = [piece[entry.last + 1 :]] if entry.last + 1 < len(piece) else []
        self._known = fresh
        self._order = order
        if carry:
            line = "".join(carry)
            count += _count_piece(line, 0, len(line))
        return count


class _Counted:
    """One chunk's whole lines counted: its first and last newline, and the words of
    each piece between them ((start, end, words), whole lines)."""

    __slots__ = ("piece", "first", "last", "table", "body")

    def __init__(
        self, piece: str, first: int, last: int, table: tuple[tuple[int, int, int], ...]
    ) -> None:
        self.piece, self.first, self.last, self.table = piece, first, last, table
        self.body = sum(words for _, _, words in table)

    @classmethod
    def of(cls, piece: str) -> _Counted:
        first, last = piece.find("\n"), piece.rfind("\n")
        return cls(
            piece, first, last, _count_lines(piece, first + 1, last + 1) if first >= 0 else ()
        )


def _from_part(piece: str, old: _Counted) -> _Counted | None:
    """`piece` counted from `old`'s pieces when it is the start or the end of `old`'s
    chunk (only the piece it cuts is counted again); None when it is neither."""
    whole = old.piece
    if len(piece) >= len(whole):
        return None
    if whole.startswith(piece):
        first = old.first if 0 <= old.first < len(piece) else -1
        if first < 0:
            return _Counted(piece, -1, -1, ())
        last = piece.rfind("\n")
        kept = tuple(t for t in old.table if t[1] <= last + 1)
        begin = kept[-1][1] if kept else first + 1
        return _Counted(piece, first, last, kept + _count_lines(piece, begin, last + 1))
    if whole.endswith(piece):
        shift = len(whole) - len(piece)
        last = old.last - shift if old.last >= shift else -1
        if last < 0:
            return _Counted(piece, -1, -1, ())
        first = piece.find("\n")
        kept = tuple((a - shift, b - shift, w) for a, b, w in old.table if a - shift > first)
        stop = kept[0][0] if kept else last + 1
        return _Counted(piece, first, last, _count_lines(piece, first + 1, stop) + kept)
    return None


def _count_lines(text: str, start: int, end: int) -> tuple[tuple[int, int, int], ...]:
    """(start, end, words) of text[start:end]'s pieces of about `PIECE_CHARS`, whole
    lines."""
    return tuple(
        (a, b, _count_piece(text, a, b)) for a, b in line_pieces(text, PIECE_CHARS, start, end)
    )


def reading_minutes(words: int) -> int:
    """Minutes to read `words` silently, at least 1 for any text."""
    return 0 if words <= 0 else max(1, round(words / READING_WPM))


def sentence_bounds(text: str, position: int) -> tuple[int, int]:
    """The sentence of one paragraph `text` around `position` (code points): [start, end)."""
    start = 0
    for end_mark in _SENTENCE_END.finditer(text):
        end = end_mark.end()
        if position < end or (position == end and end == len(text)):
            break
        start = end
    else:
        end = len(text)
    while start < len(text) and text[start].isspace() and start < position:
        start += 1
    return start, max(start, end)
