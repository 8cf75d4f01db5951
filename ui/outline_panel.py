"""The outline (View > Outline, Ctrl+Shift+O): the document's headings in a side panel.

Clicking a heading moves the cursor there and brings it to the middle of the window.
The list is rebuilt once typing pauses (one regex over the text finds the lines that can
be headings or code fences; no parse), and the heading the cursor is under is selected
as the cursor moves.
"""

from __future__ import annotations

import bisect

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QDockWidget, QListWidget, QListWidgetItem, QWidget

from ui.editor import DraftEditor
from ui.markdown_spans import Heading, outline_of_text

LINE_ROLE = Qt.ItemDataRole.UserRole


class OutlinePanel(QDockWidget):
    """The headings of the editor's document; click one to go there."""

    def __init__(self, editor: DraftEditor, parent: QWidget | None = None) -> None:
        super().__init__("Outline", parent)
        self.setObjectName("OutlinePanel")
        self.editor = editor
        self.headings: list[Heading] = []
        self.list = QListWidget(self)
        self.list.setObjectName("OutlineList")
        self.list.setUniformItemSizes(True)
        self.list.itemClicked.connect(self._clicked)
        self.list.itemActivated.connect(self._clicked)
        self.setWidget(self.list)
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(500)
        self._refresh.timeout.connect(self.refresh)
        self._listening = False  # to the editor's changes: only while shown (see `showEvent`)

    def _changed(self) -> None:
        if self.isVisible():
            self._refresh.start()

    def _listen(self, on: bool) -> None:
        """Hear the editor's text and cursor while shown only: a hidden outline has
        nothing to follow, and each slot of a keystroke's signals is a call into Python."""
        if on == self._listening:
            return
        self._listening = on
        if on:
            self.editor.textChanged.connect(self._changed)
            self.editor.cursorPositionChanged.connect(self._follow_cursor)
        else:
            self.editor.textChanged.disconnect(self._changed)
            self.editor.cursorPositionChanged.disconnect(self._follow_cursor)

    def showEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        super().showEvent(event)
        self._listen(True)
        self.refresh()

    def hideEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        super().hideEvent(event)
        self._listen(False)
        self._refresh.stop()

    def refresh(self) -> None:
        """Read the headings again (now)."""
        # The raw text (U+2029 between paragraphs, a soft line break stays inside its
        # paragraph, as in a block's text): one copy (10 MB: 33 ms), one regex over it.
        headings = outline_of_text(self.editor.document().toRawText(), "\u2029")
        if headings == self.headings and self.list.count() == len(headings):
            return
        self.headings = headings
        self.list.clear()
        top = min((h.level for h in headings), default=1)
        for heading in headings:
            item = QListWidgetItem("    " * (heading.level - top) + heading.title)
            item.setData(LINE_ROLE, heading.line)
            item.setToolTip(heading.title)
            self.list.addItem(item)
        self._follow_cursor()

    def jump_to(self, line: int) -> None:
        """Put the cursor at the start of `line` (a heading) and show it mid-window."""
        block = self.editor.document().findBlockByNumber(line)
        if not block.isValid():
            return
        cursor = QTextCursor(block)
        self.editor.setTextCursor(cursor)
        self.editor.centerCursor()
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _clicked(self, item: QListWidgetItem) -> None:
        self.jump_to(int(item.data(LINE_ROLE)))

    def _follow_cursor(self) -> None:
        """Select the heading the cursor is under."""
        if not self.headings or not self.isVisible():
            return
        line = self.editor.textCursor().blockNumber()
        index = bisect.bisect_right([h.line for h in self.headings], line) - 1
        blocked = self.list.blockSignals(True)
        try:
            if index < 0:
                self.list.clearSelection()
            else:
                self.list.setCurrentRow(index)
        finally:
            self.list.blockSignals(blocked)
