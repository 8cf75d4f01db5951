"""Counting a writer's words, reading time and sentences (plain functions, no Qt).

Markdown's marks are not words: "#", "-", "*", ">", "---" and list numbers ("1.")
stand alone in the text but are not counted; a word is any run with a letter or digit.
"""

from __future__ import annotations

import re

#: Words a minute of silent reading (adult prose; Brysbaert 2019).
READING_WPM = 238

# A token of marks only ("#", "-", "---", ">", "—") is no word; nor is a list number
# ("1.") opening a line.
_HAS_WORD = re.compile(r"[^\W_]")
_LIST_NUMBER_AT_START = re.compile(r"(?m)^[ \t]*\d{1,9}[.)](?=\s|$)")
# A sentence ends at . ! ? … (and closing quotes or brackets after them) and a space.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")


#: A long text is counted in pieces of about this many characters, cut after a newline:
#: `str.split` and a regex hold the interpreter's lock for the whole call, so counting a
#: 50 MB manuscript in one go on a worker thread froze the window for 0.6 s.
PIECE_CHARS = 65_536


def count_words(text: str) -> int:
    """Words in `text`, not counting Markdown's marks or list numbers."""
    count, start, n = 0, 0, len(text)
    while start < n:
        end = start + PIECE_CHARS
        if end < n:  # after a newline, so no word (and no line) is cut in two
            cut = text.rfind("\n", start, end)
            end = cut + 1 if cut >= start else text.find("\n", end) + 1 or n
        else:
            end = n
        count += _count_piece(text, start, end)
        start = end
    return count


def _count_piece(text: str, start: int, end: int) -> int:
    """Words of text[start:end], whole lines (`^` sees the line starts of `text`)."""
    tokens = text[start:end].split()
    marks = sum(1 for t in tokens if not t[0].isalnum() and not _HAS_WORD.search(t))
    return len(tokens) - marks - len(_LIST_NUMBER_AT_START.findall(text, start, end))


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
