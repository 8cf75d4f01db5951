"""Putting a long text into the editor in slices, so opening a book never freezes the window.

`QPlainTextEdit.setPlainText` lays a whole text out in one call on the GUI thread
(40-60 ms per MB), and the styler styles 300 lines of it at once: a key pressed while
a 1 MB file opens waited 140-280 ms. `EditorLoad` puts the text in one slice per turn
of the event loop instead (`FIRST_SLICE_CHARS`, then slices of about `SLICE_S`, cut
after a newline), the first styled at once so the first screen paints straight away,
each appended at the end inside one edit block with the editor's own signals held and
the layout not asked to repaint the view (the undo stack is cleared at the end: undo
off would make Qt count a later restyle as a modification), so nothing that listens for typing
(suggestions, the word count, the outline, the cursor's slots) hears the load as
typing; the styler is told it is a load (`TextStyler.set_loading`: every paragraph
after the first slice waits for its idle slices, the lines on screen first). While it
loads the editor is read-only (the session's doing). When the last slice is in, undo
starts empty, the cursor goes to the end, `textChanged` is emitted once (as
`setPlainText` does) and `on_done` runs: the session attaches the authorship then, in
one go. `cancel` stops it cleanly (closing, or opening another file mid-load);
`finish_now` puts in the rest at once (a script, a save with no library to read from).

Nothing is lost on the way: the editor holds exactly the text given, and when anything
else changed the editor's text meanwhile (it cannot from the keyboard: read-only), the
text is put in again whole before `on_done` runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QTextCursor

from memory.positions import astral_positions
from memory.utf16_offsets import Utf16Offsets
from ui.editor import DraftEditor

#: Characters put in per turn of the event loop after the first, to begin with; then
#: as many as take about `SLICE_S` (between `MIN_SLICE_CHARS` and `MAX_SLICE_CHARS`).
SLICE_CHARS = 65_536
SLICE_S = 0.010
MIN_SLICE_CHARS = 8_192
MAX_SLICE_CHARS = 1_048_576
#: While slices go in, the view hears the document's new size at most this often.
TELL_SIZE_S = 0.25
#: The first slice, styled at once: a few screens (the rest of the text waits unstyled).
FIRST_SLICE_CHARS = 16_384
#: Texts up to this long go in with one `setPlainText`, as before: nothing to wait for.
PROGRESSIVE_CHARS = 131_072


class EditorLoad(QObject):
    """One text going into `editor` slice by slice (see the module's docstring)."""

    def __init__(
        self,
        editor: DraftEditor,
        text: str,
        *,
        on_done: Callable[[], None],
        on_progress: Callable[[int, int], None] | None = None,
        slice_chars: int | None = None,
        first_chars: int | None = None,
        hold: bool = False,
    ) -> None:
        """`hold`: stop after the first slice until `go_on_with` (a file's first screen,
        shown while its authorship is worked out on a thread)."""
        super().__init__(editor)
        self.editor = editor
        self.text = text
        self.slice_chars = max(1, SLICE_CHARS if slice_chars is None else slice_chars)
        self.first_chars = max(1, FIRST_SLICE_CHARS if first_chars is None else first_chars)
        self._on_done = on_done
        self._on_progress = on_progress
        self._done = 0  # characters of `text` in the editor
        self._astral: list[int] = []  # where its code points above U+FFFF are, so far
        self._units = 0  # ...and their UTF-16 length (what the document counts)
        self._active = False
        self._hold = hold
        self._size_told_at = 0.0
        self._next = QTimer(self)
        self._next.setSingleShot(True)
        self._next.setInterval(0)
        self._next.timeout.connect(self._step)

    @property
    def active(self) -> bool:
        """Whether the text is still going in."""
        return self._active

    def positions(self) -> Utf16Offsets | None:
        """The text's UTF-16 map, found slice by slice (None until the whole text is in)."""
        if self._done < len(self.text):
            return None
        return Utf16Offsets.of_astral(len(self.text), self._astral)

    @property
    def progress(self) -> tuple[int, int]:
        """(characters in the editor, characters in all)."""
        return self._done, len(self.text)

    def start(self, *, now: bool = True) -> None:
        """Empty the editor and put the first slice in (the first screen paints with
        it): now, or in the next turn of the event loop (`now=False`); the rest
        follows one slice per turn."""
        editor = self.editor
        document = editor.document()
        self._active = True
        held = editor.blockSignals(True)
        try:
            editor.setPlainText("")  # a fresh document: no undo, no old formats
        finally:
            editor.blockSignals(held)
        document.setModified(False)
        if now:
            self._step()
        else:
            self._next.start()

    def finish_now(self) -> None:
        """Put in the rest at once and finish (waits for nothing)."""
        if self._active:
            self._next.stop()
            if self._done == 0:
                self._put(len(self.text))
            else:
                self._put(len(self.text), quietly=True)
                self.editor.viewport().update()
            self._finish()

    def go_on_with(self, text: str) -> bool:
        """Go on putting in `text` (the text to show, once known) where a held load
        stopped, when it begins with what is in the editor: the first screen painted
        while the file's authorship was worked out stays. False, with nothing changed,
        when it does not (a crash's journal brought back another text): cancel then."""
        done = self._done
        if not self._active or len(text) < done or text[:done] != self.text[:done]:
            return False
        if self.editor.document().characterCount() - 1 != self._units:
            return False  # changed by another road meanwhile
        self.text = text
        self._hold = False
        self._next.start()  # the next slice, or the finish, in its own turn
        return True

    def cancel(self) -> None:
        """Stop where it is, nothing more put in and `on_done` never run: the caller
        replaces the editor's text."""
        if not self._active:
            return
        self._active = False
        self._next.stop()
        self.editor.styler.set_loading(False)
        document = self.editor.document()
        modified = document.isModified()
        document.clearUndoRedoStacks()
        document.setModified(modified)

    def _step(self) -> None:
        if not self._active:
            return
        size = self.first_chars if self._done == 0 else self.slice_chars
        end = min(len(self.text), self._done + size)
        if end < len(self.text):
            cut = self.text.rfind("\n", self._done, end)
            if cut >= self._done:
                end = cut + 1  # whole paragraphs: none laid out and styled twice
        first = self._done == 0
        began = time.perf_counter()
        self._put(end, quietly=not first)
        if first:
            # The first slice was styled as Qt gives it (the first screen); the rest wait.
            self.editor.styler.set_loading(True)
        else:  # the next slice as large as fits in about SLICE_S on this machine now
            spent = max(time.perf_counter() - began, 0.001)
            size = int(self.slice_chars * min(2.0, max(0.5, SLICE_S / spent)))
            self.slice_chars = min(MAX_SLICE_CHARS, max(MIN_SLICE_CHARS, size, 1))
        if self._hold:
            return  # the first screen is in: the rest waits for `go_on_with`
        if self._done >= len(self.text):
            self._finish()
            return
        if self._on_progress is not None:
            self._on_progress(self._done, len(self.text))
        self._next.start()

    def _put(self, end: int, *, quietly: bool = False) -> None:
        """Append text[done:end] at the end of the editor's document. `quietly`: the
        view is not told to repaint (the text goes in below the first screen), and
        hears the document's new size at most every TELL_SIZE_S, for its scroll bar."""
        if end <= self._done:
            return
        editor = self.editor
        document = editor.document()
        if document.characterCount() - 1 != self._units:
            # Changed by another road meanwhile: start again from the whole text.
            self._done = self._units = 0
            self._astral = []
            end = len(self.text)
            held = editor.blockSignals(True)
            try:
                editor.setPlainText("")
            finally:
                editor.blockSignals(held)
        piece = self.text[self._done : end]
        modified = document.isModified()
        cursor = QTextCursor(document)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        layout = document.documentLayout()
        held = editor.blockSignals(True)  # textChanged, cursorPositionChanged, contents_changed
        # Qt's plain-text layout asks for a repaint of the whole view for any change.
        layout_held = layout.blockSignals(True) if quietly else layout.signalsBlocked()
        try:
            cursor.beginEditBlock()
            cursor.insertText(piece)
            cursor.endEditBlock()
        finally:
            layout.blockSignals(layout_held)
            editor.blockSignals(held)
        document.setModified(modified)
        start = self._done
        astral = astral_positions(piece)
        if astral:
            self._astral.extend(start + i for i in astral)
        self._done = end
        self._units += len(piece) + len(astral)
        if quietly:
            self._tell_size(now=end >= len(self.text))

    def _tell_size(self, *, now: bool) -> None:
        moment = time.perf_counter()
        if now or moment - self._size_told_at >= TELL_SIZE_S:
            self._size_told_at = moment
            layout = self.editor.document().documentLayout()
            layout.documentSizeChanged.emit(layout.documentSize())

    def _finish(self) -> None:
        self._active = False
        editor = self.editor
        document = editor.document()
        editor.styler.set_loading(False)
        modified = document.isModified()
        document.clearUndoRedoStacks()  # undo starts empty, as after setPlainText
        document.setModified(modified)
        cursor = editor.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        editor.setTextCursor(cursor)
        editor.textChanged.emit()  # once, as setPlainText does: the counts and outline
        self._on_done()
