"""Spelling marks as you type, checked off the keystroke path.

`words_to_check` finds a line's words outside code spans, code blocks, URLs and the
authorship block (from the Markdown spans of `ui.markdown_spans`). `SpellingMarks` is
a layer of the editor's `TextStyler`: while Qt restyles a paragraph it only reads
marks already found for that paragraph's text; a paragraph not yet checked is queued
and checked once typing pauses (in slices of a few milliseconds, so a long document
is checked in idle time), then restyled with its wavy underlines. The dictionary is
whoever implements `SpellingDictionary` (the app: pyspellchecker and the writer's own
words).
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QColor, QTextBlock, QTextCharFormat, QTextDocument

from ui.markdown_spans import START, Role, style_line
from ui.markdown_style import TextStyler, state_before, utf16_offsets

#: A word: letters, with apostrophes or hyphens inside ("don’t", "well-known").
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# Lines of the authorship block (iA Markdown Annotations) as the editor may show it.
_AUTHORSHIP_LINE = re.compile(r"^(?:Annotations: \d+,\d+ SHA-256 [0-9a-fA-F]+|[@&]\S.*:)")
_NOT_CHECKED = {Role.CODE, Role.CODE_BLOCK, Role.URL}
_UNDERLINES = {False: "#d0433a", True: "#ff7b72"}
PAUSE_MS = 400
_SLICE_S = 0.008
WAIT_MS = 100  # how often waiting checks ask again


class SpellingDictionary(Protocol):
    """What the marks need from a dictionary (the app provides one)."""

    def unknown(self, words: Iterable[str]) -> set[str]:
        """The words it does not know (as given)."""
        ...

    def suggestions(self, word: str) -> list[str]:
        """Likely corrections, best first."""
        ...


@dataclass(frozen=True)
class Misspelling:
    start: int  # code points into the line
    end: int
    word: str


def words_to_check(text: str, state: int = START) -> list[tuple[int, int, str]]:
    """(start, end, word) of each word of one line that spelling looks at."""
    if _AUTHORSHIP_LINE.match(text) or text.strip() == "...":
        return []
    skipped = [
        (s.start, s.end)
        for s in style_line(text, state).spans
        if s.role in _NOT_CHECKED
        or (s.role == Role.LINK and _looks_like_url(text[s.start : s.end]))
    ]
    found = []
    for match in _WORD.finditer(text):
        start, end = match.span()
        if any(a < end and start < b for a, b in skipped):
            continue
        word = match.group()
        if len(word) < 2 or word.isupper():  # single letters and acronyms
            continue
        found.append((start, end, word))
    return found


def _looks_like_url(text: str) -> bool:
    return "://" in text or text.startswith("www.") or "@" in text


def misspellings(
    text: str, dictionary: SpellingDictionary, state: int = START
) -> list[Misspelling]:
    """The words of one line that `dictionary` does not know."""
    words = words_to_check(text, state)
    if not words:
        return []
    unknown = dictionary.unknown({_plain(w) for _s, _e, w in words})
    return [Misspelling(s, e, w) for s, e, w in words if _plain(w) in unknown]


def _plain(word: str) -> str:
    """Curly apostrophes as dictionaries spell them."""
    return word.replace("’", "'")


class SpellingMarks(QObject):
    """Wavy underlines under unknown words: a layer of `styler`, checked after a pause."""

    def __init__(self, document: QTextDocument, styler: TextStyler) -> None:
        super().__init__(styler)
        self._document = document
        self._styler = styler
        self.dictionary: SpellingDictionary | None = None
        self.enabled = True
        self._found: OrderedDict[tuple[str, int], list[Misspelling]] = OrderedDict()
        self._queue: dict[int, QTextBlock] = {}  # block position -> block
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PAUSE_MS)
        self._timer.timeout.connect(self._check_queued)
        self._formats: dict[bool, QTextCharFormat] = {}
        #: Asked before each check: while it says True the checks wait (the app: while a
        #: save is written or a suggestion streams, so neither waits for a slice of checking).
        self.wait_while: Callable[[], bool] | None = None

    # --- what the writer chooses --------------------------------------------------
    def set_dictionary(self, dictionary: SpellingDictionary | None) -> None:
        """Check with `dictionary` from now on (None: no marks), all paragraphs again."""
        self.dictionary = dictionary
        self._found.clear()
        self._attach()

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        self._attach()

    def _attach(self) -> None:
        on = self.enabled and self.dictionary is not None
        self._styler.set_layer("spelling", self.layer if on else None)

    def word_added(self, word: str) -> None:
        """`word` is now known: its marks go, in every paragraph that has it."""
        plain = _plain(word)
        for key, marks in list(self._found.items()):
            if any(_plain(m.word) == plain for m in marks):
                self._found[key] = [m for m in marks if _plain(m.word) != plain]
        block = self._document.firstBlock()
        while block.isValid():
            if word in block.text():
                self._styler.layer_changed(block)
            block = block.next()

    # --- asked while Qt restyles a paragraph: never checks, only reads ------------
    def layer(
        self, position: int, length: int, dark: bool
    ) -> list[tuple[int, int, QTextCharFormat]]:
        block = self._document.findBlock(position)
        if not block.isValid() or self.dictionary is None:
            return []
        key = (block.text(), state_before(block))
        marks = self._found.get(key)
        if marks is None:
            self._queue[block.position()] = block
            self._timer.start(PAUSE_MS)  # start(0) below changes the interval: set it again
            return []
        self._found.move_to_end(key)
        if not marks:
            return []
        fmt = self._format(dark)
        offsets = utf16_offsets(key[0])
        ranges = []
        for mark in marks:
            if offsets is None:
                ranges.append((mark.start, mark.end - mark.start, fmt))
            else:
                ranges.append((offsets[mark.start], offsets[mark.end] - offsets[mark.start], fmt))
        return ranges

    def _format(self, dark: bool) -> QTextCharFormat:
        fmt = self._formats.get(dark)
        if fmt is None:
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
            fmt.setUnderlineColor(QColor(_UNDERLINES[dark]))
            self._formats[dark] = fmt
        return fmt

    # --- after a pause ---------------------------------------------------------------
    def pending(self) -> bool:
        """Whether paragraphs wait to be checked."""
        return bool(self._queue)

    def _check_queued(self) -> None:
        dictionary = self.dictionary
        if dictionary is None:
            self._queue.clear()
            return
        if self.wait_while is not None and self.wait_while():
            self._timer.start(WAIT_MS)
            return
        deadline = time.perf_counter() + _SLICE_S
        while self._queue and time.perf_counter() < deadline:
            position, _queued = self._queue.popitem()
            # Found again by position: a block kept from before the document was
            # emptied (another file opened) points into freed memory.
            block = self._document.findBlock(position)
            if not block.isValid() or block.position() != position:
                continue
            key = (block.text(), state_before(block))
            if key not in self._found:
                self._found[key] = misspellings(key[0], dictionary, key[1])
                while len(self._found) > 20_000:
                    self._found.popitem(last=False)
            if self._found[key]:
                self._styler.layer_changed(block)
        if self._queue:
            self._timer.start(0)  # the rest in the next idle moment

    def misspelling_at(self, position: int) -> tuple[QTextBlock, Misspelling] | None:
        """The unknown word at document `position` (UTF-16 units), if there is one."""
        block = self._document.findBlock(position)
        if not block.isValid() or self.dictionary is None or not self.enabled:
            return None
        key = (block.text(), state_before(block))
        marks = self._found.get(key)
        if not marks:
            return None
        offsets = utf16_offsets(key[0])
        inside = position - block.position()
        for mark in marks:
            start = mark.start if offsets is None else offsets[mark.start]
            end = mark.end if offsets is None else offsets[mark.end]
            if start <= inside <= end:
                return block, mark
        return None
