"""Voice passages: samples of how this writer writes, taken only from their own text.

Draftsmith knows which characters the writer typed. A passage is a sentence run (one
paragraph or part of one) whose every character is labelled human, or model text the
writer then edited; accepted model text is never a sample, so the model is not taught
its own voice.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from memory.origins import HUMAN, MODEL_EDITED

#: The labels whose text counts as the writer's own.
OWN_LABELS = frozenset({HUMAN, MODEL_EDITED})
MIN_CHARS = 60
MAX_CHARS = 400
MAX_PASSAGES = 12
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'”’)\]]*|$)")
_PARAGRAPH = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class Passage:
    """A sample of the writer's own text and where it came from."""

    text: str
    start: int
    end: int

    def evidence(self, doc_key: str) -> dict[str, Any]:
        return {"kind": "span", "doc": doc_key, "start": self.start, "end": self.end}


def own_ranges(labels: Sequence[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """Merged [start, end) ranges of the writer's own text."""
    out: list[tuple[int, int]] = []
    for start, length, label in sorted(labels):
        if label not in OWN_LABELS or length <= 0:
            continue
        if out and out[-1][1] == start:
            out[-1] = (out[-1][0], start + length)
        else:
            out.append((start, start + length))
    return out


def choose_passages(
    text: str,
    labels: Sequence[tuple[int, int, str]],
    max_passages: int = MAX_PASSAGES,
) -> list[Passage]:
    """Up to `max_passages` passages of the writer's own text, longest sentence runs first
    (whole sentences, MIN_CHARS..MAX_CHARS; of runs as long, the earlier), returned in
    document order. Read in place and only the longest kept while going (a heap): copying
    each stretch out and keeping every run of a 50 MB manuscript held the interpreter's
    lock on the memory lane, and so froze the window, for 0.1-0.3 s at a time."""
    return choose_passages_in([(0, text, labels)], max_passages)


def choose_passages_in(
    windows: Iterable[tuple[int, str, Sequence[tuple[int, int, str]]]],
    max_passages: int = MAX_PASSAGES,
) -> list[Passage]:
    """`choose_passages` of a text read as (offset, window, the window's labels) windows
    that end after newlines (`memory.text_pieces.line_windows`): the same passages as in
    the whole text, which is never joined (no passage spans a line)."""
    runs = (
        (offset + s, offset + e, offset, text)
        for offset, text, labels in windows
        for lo, hi in own_ranges(labels)
        for paragraph in _PARAGRAPH.finditer(text, lo, hi)
        for s, e in _sentence_runs(text, paragraph.start(), paragraph.end())
    )
    longest = heapq.nlargest(max(0, max_passages), runs, key=lambda run: run[1] - run[0])
    return [
        Passage(text[s - offset : e - offset], s, e)
        for s, e, offset, text in sorted(longest, key=lambda run: run[0])
    ]


def _sentence_runs(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """(start, end) of whole sentences inside [lo, hi), grouped into runs of at most
    MAX_CHARS (and at least MIN_CHARS)."""
    runs: list[tuple[int, int]] = []
    start = end = -1
    for m in _SENTENCE.finditer(text, lo, hi):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        if s >= e:
            continue
        if not (m.group().rstrip()[-1:] in ".!?\"'”’)]" or e == hi and _ends_sentence(text, e)):
            continue  # a fragment cut by someone else's text
        if start >= 0 and e - start <= MAX_CHARS:
            end = e
            continue
        if start >= 0 and end - start >= MIN_CHARS:
            runs.append((start, end))
        start, end = (s, e) if e - s <= MAX_CHARS else (-1, -1)
    if start >= 0 and end - start >= MIN_CHARS:
        runs.append((start, end))
    return runs


def _ends_sentence(text: str, at: int) -> bool:
    """Whether text[:at] ends a sentence (its last character but spaces is . ! or ?,
    or there is none), looking back from `at`: `text[:at].rstrip()` copied the text up
    to there, 50 MB per fragment of a manuscript, holding the interpreter's lock."""
    i = at
    while i > 0 and text[i - 1].isspace():
        i -= 1
    return i == 0 or text[i - 1] in ".!?"


def passages_from_labels_string(text: str, labels: str) -> list[Passage]:
    """Passages from one-letter-per-character labels ("h" human), as CoAuthor replays give."""
    spans: list[tuple[int, int, str]] = []
    for m in re.finditer(r"h+", labels):
        spans.append((m.start(), m.end() - m.start(), HUMAN))
    return choose_passages(text, spans)
