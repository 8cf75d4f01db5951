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
    each edit, counting only the chunks that changed: each chunk's whole lines are
    counted once and remembered (by the chunk, an immutable string), and only the lines
    that run across chunk boundaries are counted each time. The same count as
    `count_words_in` over the same chunks. Recounting a 50 MB manuscript after one
    keystroke took seconds of Python on a worker thread, which shared the interpreter's
    lock with the window (a save meanwhile stalled it 400-590 ms); now it is one chunk.
    Not for use from two threads at once (the "words" lane runs one count at a time)."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[str, int, int, int]] = {}

    def count(self, pieces: Iterable[str]) -> int:
        known = self._known
        fresh: dict[int, tuple[str, int, int, int]] = {}
        count = 0
        carry: list[str] = []  # the line that runs on from the chunks before
        for piece in pieces:
            entry = known.get(id(piece))
            if entry is None or entry[0] is not piece:
                first, last = piece.find("\n"), piece.rfind("\n")
                body = _count_lines(piece, first + 1, last + 1) if first >= 0 else 0
                entry = (piece, first, body, last)
            fresh[id(piece)] = entry
            _, first, body, last = entry
            if first < 0:
                carry.append(piece)
                continue
            carry.append(piece[: first + 1])
            line = "".join(carry)
            count += _count_piece(line, 0, len(line)) + body
            carry = [piece[last + 1 :]] if last + 1 < len(piece) else []
        self._known = fresh
        if carry:
            line = "".join(carry)
            count += _count_piece(line, 0, len(line))
        return count


def _count_lines(text: str, start: int, end: int) -> int:
    """Words of text[start:end], whole lines, a piece of about `PIECE_CHARS` at a time."""
    return sum(_count_piece(text, a, b) for a, b in line_pieces(text, PIECE_CHARS, start, end))


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
