"""Markdown styled in place, and every other look painted over the text, in one layer.

Qt lets one `QSyntaxHighlighter` own a paragraph's formats (a second one wipes them),
so the editor has exactly one, `TextStyler`: it draws the Markdown look of each line
(`ui.markdown_spans`) and merges the other layers over it, such as the authorship
tints (`authorship_layer`) and spelling marks, each a function that answers for one
paragraph. Qt calls it only for the paragraphs that change (and the ones after, while
a fence opens or closes), so a keystroke restyles one line however long the document.
The text itself is never touched: formats live in the layout, not in the document.

`HangingIndentLayout` lines up the wrapped lines of a list item with the words after
its marker (QPlainTextEdit's own layout ignores paragraph indents), from the view's
paint, so that Qt's C++ layout has no Python on its path.
"""

from __future__ import annotations

import re
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import cast

from PySide6.QtCore import QObject, QPointF, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QSyntaxHighlighter,
    QTextBlock,
    QTextCharFormat,
    QTextDocument,
    QTextLayout,
)
from PySide6.QtWidgets import QPlainTextDocumentLayout

from memory.origins import LABELS, Theme, vocabulary
from memory.positions import has_astral
from ui.authorship_view import BlockLabels, origin_format
from ui.markdown_spans import START, Role, Span, next_state, style_line

#: One layer's formats for a paragraph: (block position, text length in UTF-16 units,
#: dark theme?) -> [(offset, length, format)], offsets in UTF-16 units in the paragraph.
Layer = Callable[[int, int, bool], list[tuple[int, int, QTextCharFormat]]]

#: Heading sizes relative to the body text, by level.
HEADING_SCALE = {1: 1.6, 2: 1.35, 3: 1.18, 4: 1.08, 5: 1.0, 6: 1.0}

# Colours the Markdown look adds, light and dark: dimmed syntax, links, code and quotes.
_COLOURS: dict[bool, dict[str, str]] = {
    False: {
        "marker": "#a9a396",
        "link": "#2f5d8a",
        "url": "#625d55",
        "code": "#f0ede6",
        "quote": "#5f5b53",
        "rule": "#a9a396",
    },
    True: {
        "marker": "#6f7178",
        "link": "#94b6dc",
        "url": "#a9abb2",
        "code": "#3a3c42",
        "quote": "#b4afa4",
        "rule": "#6f7178",
    },
}

# userState: the line state in the low 15 bits, PENDING, and the list item's hang above.
_STATE_BITS = 16
_PENDING = 1 << 15  # styled later, in idle time (opening or pasting a long text)
_STATE_MASK = _PENDING - 1
#: Lines styled at once in one turn of the event loop; the rest wait for idle time.
BULK_LINES = 300
_IDLE_SLICE_S = 0.008
WAIT_MS = 50  # how often a waiting sweep asks again
#: While idle styling lays paragraphs out, the view hears the new size at most this often.
_TELL_SIZE_S = 0.25


def role_formats(dark: bool, base: QFont) -> dict[Role, QTextCharFormat]:
    """The look of each Markdown role, for the theme and the editor's font."""
    colours = _COLOURS[dark]
    mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()
    size = base.pointSizeF() if base.pointSizeF() > 0 else 13.0
    formats: dict[Role, QTextCharFormat] = {}

    def make(role: Role) -> QTextCharFormat:
        fmt = QTextCharFormat()
        formats[role] = fmt
        return fmt

    make(Role.HEADING).setFontWeight(QFont.Weight.Bold)
    make(Role.MARKER).setForeground(QColor(colours["marker"]))
    make(Role.EMPHASIS).setFontItalic(True)
    make(Role.STRONG).setFontWeight(QFont.Weight.Bold)
    make(Role.STRIKE).setFontStrikeOut(True)
    for role in (Role.CODE, Role.CODE_BLOCK):
        fmt = make(role)
        fmt.setFontFamilies([mono])
        fmt.setFontFixedPitch(True)
        fmt.setFontPointSize(size * 0.9)
        fmt.setBackground(QColor(colours["code"]))
    link = make(Role.LINK)
    link.setForeground(QColor(colours["link"]))
    link.setFontUnderline(True)
    link.setUnderlineColor(QColor(colours["link"]))
    make(Role.URL).setForeground(QColor(colours["url"]))
    quote = make(Role.QUOTE)
    quote.setForeground(QColor(colours["quote"]))
    quote.setFontItalic(True)
    make(Role.LIST_MARKER).setForeground(QColor(colours["marker"]))
    rule = make(Role.RULE)
    rule.setForeground(QColor(colours["rule"]))
    rule.setFontLetterSpacing(140.0)
    return formats


def heading_format(level: int, base: QFont, bold: QTextCharFormat) -> QTextCharFormat:
    fmt = QTextCharFormat(bold)
    size = base.pointSizeF() if base.pointSizeF() > 0 else 13.0
    fmt.setFontPointSize(round(size * HEADING_SCALE.get(level, 1.0), 1))
    return fmt


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # two UTF-16 units each


def utf16_offsets(text: str) -> list[int] | None:
    """UTF-16 offset of each code point position (None when they are the same). Built
    from ranges between the astral characters (C speed: a paragraph with an emoji
    opened in a long file cost 1 ms a paragraph character by character)."""
    if not has_astral(text):  # O(1): the string's storage width (`max` read every character)
        return None
    offsets: list[int] = []
    begin = shift = 0  # the first position not written yet; astral characters before it
    for astral in _ASTRAL.finditer(text):
        end = astral.start() + 1
        offsets.extend(range(begin + shift, end + shift))
        begin, shift = end, shift + 1
    offsets.extend(range(begin + shift, len(text) + 1 + shift))
    return offsets


def authorship_layer(labels_for_block: BlockLabels) -> Layer:
    """The authorship tints as a layer: each origin's tint and line, for the theme."""
    words = vocabulary()
    cache: dict[bool, dict[str, QTextCharFormat]] = {}

    def tints(position: int, length: int, dark: bool) -> list[tuple[int, int, QTextCharFormat]]:
        formats = cache.get(dark)
        if formats is None:
            theme: Theme = "dark" if dark else "light"
            formats = {label: origin_format(words[label], theme) for label in LABELS}
            cache[dark] = formats
        found = []
        for offset, span, label in labels_for_block(position, length):
            fmt = formats.get(label)
            if fmt is not None and not fmt.isEmpty():
                found.append((offset, span, fmt))
        return found

    return tints


class TextStyler(QSyntaxHighlighter):
    """The editor's one highlighter: the Markdown look, then each layer over it."""

    def __init__(self, document: QTextDocument, *, dark: bool = False) -> None:
        super().__init__(document)
        # The document owns its highlighter. Said again through setParent so that PySide
        # knows it too: otherwise the wrapper may delete it a second time.
        self.setParent(document)
        self.dark = dark
        self.markdown = True
        self._layers: dict[str, Layer] = {}
        self._formats: dict[Role, QTextCharFormat] = {}
        self._headings: dict[int, QTextCharFormat] = {}
        self._heading_marks: dict[int, QTextCharFormat] = {}
        self._font_key = ""
        # Opening a long document styles its first lines at once and the rest in idle
        # time, the lines on screen first, so the window never freezes on a book.
        self._lines_this_turn = 0
        self._turn = QTimer(self)
        self._turn.setSingleShot(True)
        self._turn.setInterval(0)
        self._turn.timeout.connect(self._new_turn)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(1)
        self._idle.timeout.connect(self._style_pending)
        #: Asked before each idle slice: while it says True, only the paragraphs on
        #: screen are styled (the app: while a save is written or a suggestion is
        #: generated, work on a lane whose Python the slice's calls into Qt would wait on
        #: for the interpreter's lock, each of them: a 50 MB manuscript's save stalled
        #: the window up to 380 ms in one slice).
        self.wait_while: Callable[[], bool] | None = None
        self._pending_from = -1  # the first block number that may wait; -1: none
        self._stale = False  # every paragraph from `_pending_from` on waits, marked or not
        self._ahead: set[int] = set()  # ...but these (numbers), styled on screen already
        document.blockCountChanged.connect(self._renumbered)
        self._target: QTextBlock | None = None
        self._lists_told = False  # the layout knows the document has list items
        self._visible: weakref.WeakMethod[Callable[[], Iterator[QTextBlock]]] | None = None
        self._size_untold = False  # paragraphs laid out here changed the document's size
        self._size_told_at = 0.0
        self._loading = False  # a file is being put in: every paragraph waits (`set_loading`)

    # --- what is drawn ------------------------------------------------------------
    def set_markdown(self, on: bool) -> None:
        """Style the Markdown (on) or show the plain characters only (off)."""
        if on != self.markdown:
            self.markdown = on
            self.rehighlight()

    def set_dark(self, dark: bool) -> None:
        """Colours for the dark or the light theme (restyles every paragraph)."""
        if dark != self.dark:
            self.dark = dark
            self._formats = {}
            self.rehighlight()

    def font_changed(self) -> None:
        """The editor's font changed: heading and code sizes follow it."""
        self._formats = {}
        self.rehighlight()

    def set_layer(self, name: str, layer: Layer | None) -> None:
        """Draw `layer` over the Markdown look (None removes it); restyles the text."""
        if layer is None and name not in self._layers:
            return
        if layer is None:
            del self._layers[name]
        else:
            self._layers[name] = layer
        self._restyle_everything_lazily()

    def _restyle_everything_lazily(self) -> None:
        """A layer changed, which changes no paragraph's state for the next line: every
        paragraph waits to be styled again, those on screen now and the rest in idle
        slices, instead of `rehighlight` running every paragraph through Python."""
        document = self.document()
        if document is None:
            return
        if document.firstBlock().userState() < 0 or document.lastBlock().userState() < 0:
            self.rehighlight()  # never styled: Qt's way, which carries states on
            return
        # Every paragraph from the first waits (`_stale`), none marked one by one: a
        # walk over the 120,000 paragraphs of a 50 MB book took 405 ms on the GUI thread.
        self._pending_from = 0
        self._stale = True
        self._ahead.clear()
        visible = self._visible() if self._visible is not None else None
        if visible is not None:
            for shown in visible():
                self._style_now(shown)
        self._idle.start()

    def set_visible_blocks(self, visible: Callable[[], Iterator[QTextBlock]] | None) -> None:
        """Who says which paragraphs are on screen (styled first when styling waits): a
        method of the view, held weakly (the view owns this styler, not the other way).

        The styler lives as long as the document, which may outlive the view's C++ side
        (a Python wrapper still holding the document): when the view is destroyed, the
        styling that waits stops, so no timer ever reaches into a deleted view."""
        self._visible = None if visible is None else weakref.WeakMethod(visible)  # type: ignore[arg-type]
        view = getattr(visible, "__self__", None)
        if isinstance(view, QObject):
            view.destroyed.connect(self._view_destroyed)

    def _view_destroyed(self, *_view: object) -> None:
        self._visible = None
        self._idle.stop()
        self._turn.stop()
        self._lines_this_turn = 0

    def wake(self, *_scrolled: object) -> None:
        """The view scrolled: style what waits, the lines on screen first."""
        if self._pending_from >= 0 and not self._idle.isActive():
            self._idle.start()

    def set_loading(self, loading: bool) -> None:
        """A file is being put into the document in slices (`app.editor_load`): while
        it is, every paragraph added waits for the idle slices (those on screen first)
        instead of 300 of them being styled at once for each slice."""
        self._loading = loading
        if not loading and self._pending_from >= 0 and not self._idle.isActive():
            self._idle.start()

    def pending(self) -> bool:
        """Whether some paragraphs still wait to be styled."""
        return self._pending_from >= 0

    def has_layer(self, name: str) -> bool:
        return name in self._layers

    def layer_changed(self, block: QTextBlock) -> None:
        """A layer's answer for `block` changed (a spelling check finished, say)."""
        if block.isValid():
            self._restyle(block)
            self._tell_size(now=not self.pending())

    # --- Qt's call per paragraph ------------------------------------------------------
    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        block = self.currentBlock()
        previous = self.previousBlockState()
        state = START if previous < 0 else previous & _STATE_MASK
        if self._waits(block):
            self.setCurrentBlockState(next_state(text, state) | _PENDING)
            number = block.blockNumber()
            if self._pending_from < 0 or number < self._pending_from:
                self._pending_from = number
            if not self._idle.isActive():
                self._idle.start()
            return
        new_state, ranges = self._style(block, text, state)
        self.setCurrentBlockState(new_state)
        if ranges:
            for start, length, fmt in _flatten(ranges):
                self.setFormat(start, length, fmt)

    def _style(
        self, block: QTextBlock, text: str, state: int
    ) -> tuple[int, list[tuple[int, int, QTextCharFormat]]]:
        """The state `block` leaves and its formats (the Markdown look, then each layer),
        given the state the lines before it leave."""
        ranges: list[tuple[int, int, QTextCharFormat]] = []
        if self.markdown:
            style = style_line(text, state)
            offsets = utf16_offsets(text)
            if style.spans:
                ranges.extend(self._markdown_ranges(style.spans, offsets))
            hang = style.hang if offsets is None else offsets[style.hang]
            new_state = style.state | (hang << _STATE_BITS)
            if hang and not self._lists_told:
                self._tell_list_items()
        else:
            new_state = next_state(text, state)
        if self._layers and text:
            position, length = block.position(), block.length() - 1
            for layer in self._layers.values():
                ranges.extend(layer(position, length, self.dark))
        return new_state, ranges

    def _style_directly(self, block: QTextBlock) -> bool:
        """Style a paragraph by setting its formats on its layout, as `QSyntaxHighlighter`
        does, but without the edit block it wraps around them: that one emits
        `textChanged` for a change of look (every slot that listens for typing runs:
        the word count, the suggestions, the outline) and lays the paragraph out twice.
        One Qt has not laid out (off screen, waiting to be styled) is then laid out once,
        as Qt would when it is first shown (so the scroll bar counts its wrapped lines),
        quietly, the view told the new size once a slice (`_tell_size`), not once a
        paragraph; one Qt has laid out already (on screen, or measured for the view) is
        told to Qt's layout as a change of its contents, which lays it out again and
        repaints it. False (nothing done) when its state for the next line would
        change: then Qt's way restyles the lines after it too."""
        document = self.document()
        qt_layout = document.documentLayout() if document is not None else None
        if document is None or qt_layout is None:
            return False
        stored = block.userState()
        new_state, ranges = self._style(block, block.text(), state_before(block))
        if stored >= 0 and (stored & _STATE_MASK) != (new_state & _STATE_MASK):
            return False
        formats = []
        if ranges:
            for start, length, fmt in _merged(_flatten(ranges), block.length() - 1):
                piece = QTextLayout.FormatRange()
                piece.start, piece.length, piece.format = start, length, fmt
                formats.append(piece)
        block.setUserState(new_state)
        layout = block.layout()
        if layout.lineCount() > 0:  # laid out: Qt lays it out again and repaints it
            if formats or layout.formats():
                layout.setFormats(formats)
                document.markContentsDirty(block.position(), block.length())
            return True
        held = qt_layout.blockSignals(True)  # off screen: nothing to repaint, size told later
        try:
            if formats or layout.formats():
                layout.setFormats(formats)  # notes a change of the paragraph's look...
                # ...that Qt's layout must hear now, not with the next keystroke
                document.markContentsDirty(block.position(), block.length())
            qt_layout.blockBoundingRect(block)  # laid out (C++), as when it is shown
        finally:
            qt_layout.blockSignals(held)
        self._size_untold = True
        return True

    def _tell_list_items(self) -> None:
        document = self.document()
        layout = document.documentLayout() if document is not None else None
        if isinstance(layout, HangingIndentLayout):
            layout.has_list_items = True
        self._lists_told = True

    def _waits(self, block: QTextBlock) -> bool:
        """Whether `block` is left for idle time (its state is still carried on)."""
        if self._target is not None:  # styling one waiting block: the rest keep waiting
            stored = block.userState()
            return block != self._target and stored >= 0 and bool(stored & _PENDING)
        if self._loading or self._lines_this_turn >= BULK_LINES:
            return True
        if self._lines_this_turn == 0:
            self._turn.start()
        self._lines_this_turn += 1
        return False

    def _new_turn(self) -> None:
        self._lines_this_turn = 0

    def _style_pending(self) -> None:
        """Style waiting paragraphs for a few milliseconds, those on screen first."""
        self._idle.setInterval(1)  # after a wait (`wait_while`), the next slice at once
        document = self.document()
        if document is None or self._pending_from < 0:
            return
        deadline = time.perf_counter() + _IDLE_SLICE_S
        visible = self._visible() if self._visible is not None else None
        if visible is not None:
            for block in visible():
                self._style_now(block)
        if self.wait_while is not None and self.wait_while():
            self._idle.start(WAIT_MS)  # what is on screen is styled; the rest can wait
            return
        number = self._pending_from
        block = document.findBlockByNumber(number)
        stale, ahead = self._stale, self._ahead
        while block.isValid() and time.perf_counter() < deadline:
            stored = block.userState()  # marked waiting, or swept and not styled ahead
            if stored >= 0 and (stored & _PENDING or (stale and number not in ahead)):
                self._restyle(block)
            ahead.discard(number)
            block = block.next()
            number += 1
        if block.isValid():
            self._pending_from = block.blockNumber()
            self._idle.start()
        else:
            self._pending_from = -1
            self._stale = False
            ahead.clear()
        self._tell_size(now=self._pending_from < 0)

    def _style_now(self, block: QTextBlock) -> None:
        stored = block.userState()
        if stored < 0:
            return
        if stored & _PENDING:
            self._restyle(block)
        elif self._stale:
            number = block.blockNumber()
            if number >= self._pending_from and number not in self._ahead:
                self._ahead.add(number)
                self._restyle(block)

    def _renumbered(self, *_count: int) -> None:
        """Paragraphs came or went: those styled ahead of a sweep are styled again."""
        self._ahead.clear()

    def _restyle(self, block: QTextBlock) -> None:
        """Style `block` again now: directly, or through Qt when the lines after it must
        be restyled too."""
        if self._style_directly(block):
            return
        self._target = block
        try:
            self.rehighlightBlock(block)
        finally:
            self._target = None

    def _tell_size(self, *, now: bool = False) -> None:
        """Tell the view the document's size, when paragraphs laid out here changed it
        (at most every `_TELL_SIZE_S` while styling goes on, and when it ends)."""
        if not self._size_untold:
            return
        moment = time.perf_counter()
        if not now and moment - self._size_told_at < _TELL_SIZE_S:
            return
        document = self.document()
        layout = document.documentLayout() if document is not None else None
        self._size_untold = False
        self._size_told_at = moment
        if layout is not None:
            layout.documentSizeChanged.emit(layout.documentSize())

    def _markdown_ranges(
        self, spans: list[Span], offsets: list[int] | None
    ) -> list[tuple[int, int, QTextCharFormat]]:
        formats = self._role_formats()
        found = []
        for span in spans:
            if span.end <= span.start:
                continue
            if span.role == Role.HEADING:
                fmt = self._headings[span.level]
            else:
                fmt = formats[span.role]
            if offsets is None:
                found.append((span.start, span.end - span.start, fmt))
            else:
                start = offsets[span.start]
                found.append((start, offsets[span.end] - start, fmt))
        # Heading marks are as large as the heading's words, only dimmer.
        heading = next((s for s in spans if s.role == Role.HEADING), None)
        if heading is not None:
            marks = self._heading_marks[heading.level]
            marker = formats[Role.MARKER]
            found = [(a, n, marks if f is marker else f) for a, n, f in found]
        return found

    def _role_formats(self) -> dict[Role, QTextCharFormat]:
        document = self.document()
        font = document.defaultFont() if document is not None else QFont()
        key = f"{font.toString()}|{self.dark}"
        if not self._formats or key != self._font_key:
            self._font_key = key
            self._formats = role_formats(self.dark, font)
            self._headings = {
                level: heading_format(level, font, self._formats[Role.HEADING])
                for level in HEADING_SCALE
            }
            self._heading_marks = {}
            for level, fmt in self._headings.items():
                marks = QTextCharFormat(fmt)
                marks.merge(self._formats[Role.MARKER])
                self._heading_marks[level] = marks
        return self._formats


def _flatten(
    ranges: list[tuple[int, int, QTextCharFormat]],
) -> list[tuple[int, int, QTextCharFormat]]:
    """Formats that do not overlap, merged where `ranges` overlap (later ranges on top)."""
    ordered = sorted(enumerate(ranges), key=lambda item: item[1][0])
    if all(
        a[1][0] + a[1][1] <= b[1][0] for a, b in zip(ordered, ordered[1:], strict=False)
    ):  # no two ranges overlap: nothing to merge
        return ranges
    cuts = sorted({p for start, length, _f in ranges for p in (start, start + length)})
    active: list[tuple[int, int, QTextCharFormat]] = []  # (layer order, end, format)
    following = 0
    out = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        while following < len(ordered) and ordered[following][1][0] <= left:
            order, (start, length, fmt) = ordered[following]
            active.append((order, start + length, fmt))
            following += 1
        active = [item for item in active if item[1] > left]
        if not active:
            continue
        if len(active) == 1:
            out.append((left, right - left, active[0][2]))
            continue
        layered = sorted(active, key=lambda item: item[0])
        merged = QTextCharFormat(layered[0][2])
        for _order, _end, fmt in layered[1:]:
            merged.merge(fmt)
        out.append((left, right - left, merged))
    return out


def _merged(
    pieces: list[tuple[int, int, QTextCharFormat]], length: int
) -> list[tuple[int, int, QTextCharFormat]]:
    """What `QSyntaxHighlighter` makes of `setFormat` calls for non-overlapping `pieces`
    in a line of `length` UTF-16 units: clipped to the line, no empty formats, and
    neighbours with equal formats joined."""
    out: list[tuple[int, int, QTextCharFormat]] = []
    for start, count, fmt in sorted(pieces, key=lambda piece: piece[0]):
        end = min(start + count, length)
        if start < 0 or end <= start or fmt.isEmpty():
            continue
        if out and out[-1][0] + out[-1][1] == start and out[-1][2] == fmt:
            out[-1] = (out[-1][0], end - out[-1][0], fmt)
        else:
            out.append((start, end - start, fmt))
    return out


def state_before(block: QTextBlock) -> int:
    """The Markdown line state the lines before `block` leave (a fence open, say)."""
    previous = block.previous()
    state = previous.userState() if previous.isValid() else -1
    return START if state < 0 else state & _STATE_MASK


def block_hang(block: QTextBlock) -> int:
    """UTF-16 units the list marker of `block` takes (0: not a list item)."""
    state = block.userState()
    return 0 if state < 0 else state >> _STATE_BITS


class HangingIndentLayout(QPlainTextDocumentLayout):
    """QPlainTextEdit's layout, with the wrapped lines of list items hung under the words.

    Qt's own layout (C++) lays every paragraph out and answers every size question: no
    Python override is on its path, which Qt calls about a hundred times a keystroke (a
    `blockBoundingRect` override cost a few tenths of a millisecond a key). QPlainTextEdit's
    layout ignores paragraph indents, so the view calls `hang_list_items` with the
    paragraphs on screen just before it paints: a list item Qt laid out since (an edit,
    a new width) is laid out again with its second and later lines indented to the
    marker's width, once; the others cost a look at their state. The one Python override
    is `documentChanged`, called once a change (it tells Qt an edit inside one paragraph
    as that paragraph, so a keystroke repaints its paragraph, not the view).
    """

    #: Whether the styler has seen a list item in this document (until then, painting
    #: costs nothing more than a QPlainTextEdit's).
    has_list_items = False

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._blocks = document.blockCount()  # as of the last change Qt told
        self._typed = False  # the next change told is an edit of the text (not a restyle)
        document.contentsChange.connect(self._text_changed)  # the first to hear it

    def _text_changed(self, *_change: int) -> None:
        self._typed = True

    def documentChanged(self, position: int, removed: int, added: int) -> None:  # noqa: N802 - Qt override
        """Qt looks for the paragraphs to lay out again over `removed + added` characters
        from `position`, in the new text. When an edit changes a paragraph's formats
        too (the highlighter restyles it while the edit is told), the whole paragraph
        is merged into the change, removed and added, which makes that span run past
        the paragraph: Qt then repaints the whole view at every key instead of the one
        paragraph. The changed text is [position, position + added): when that is one
        paragraph and no paragraph came or went, it is told as such, so Qt lays out
        that paragraph again and repaints only it, as it does for a paragraph without
        formats. A restyle alone (no edit of the text) is told as Qt tells it: Qt then
        only forgets the paragraph's layout, which is cheaper for many paragraphs."""
        document = self.document()
        blocks = document.blockCount()
        if self._typed and removed and blocks == self._blocks:
            first = document.findBlock(position)
            last = position + max(added, 1) - 1
            if (
                first.isValid()
                and document.findBlock(last) == first
                and document.findBlock(position + removed + added - 1) != first
            ):
                removed, added = 0, max(added, 1)
        self._typed = False
        self._blocks = blocks
        super().documentChanged(position, removed, added)

    def hang_list_items(self, blocks: Iterable[QTextBlock]) -> None:
        """Hang the wrapped lines of the list items among `blocks` (those on screen)."""
        if not self.has_list_items:
            return
        for block in blocks:
            state = block.userState()
            if state >= 1 << _STATE_BITS:
                self._hang(block, state >> _STATE_BITS)

    def _hang(self, block: QTextBlock, hang: int) -> None:
        if not block.isVisible():
            return
        layout = block.layout()
        if layout.lineCount() == 0:
            self.blockBoundingRect(block)  # Qt lays it out first (C++)
        if layout.lineCount() < 2:
            return
        margin = self.document().documentMargin()
        first = layout.lineAt(0)
        # PySide returns (x, position) for cursorToX's in-out argument.
        where = cast(tuple[float, int], first.cursorToX(min(hang, block.length() - 1)))
        indent = where[0] - first.x()
        available = first.width()  # Qt lays the first line out as wide as the page
        if indent <= 0 or indent > available / 2:
            return
        if abs(layout.lineAt(1).x() - (margin + indent)) < 0.5:
            return  # hung already
        layout.beginLayout()
        height = 0.0
        number = 0
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            shift = indent if number else 0.0
            line.setLeadingIncluded(True)
            line.setLineWidth(available - shift)
            line.setPosition(QPointF(margin + shift, height))
            height += line.height()
            number += 1
        layout.endLayout()
        block.setLineCount(layout.lineCount())
