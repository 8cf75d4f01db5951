"""Find and replace, as a bar under the text (Ctrl+F, Ctrl+H, F3, Esc).

The bar says how many matches there are and which one is selected ("3 of 12"), and
every match is highlighted while it is open (a layer of the editor's `TextStyler`, so
the Markdown look and the authorship tints stay under it); Match case and Whole words
apply to finding, counting, highlighting and replacing alike.
"""

from __future__ import annotations

import bisect
import re

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from memory.events import How
from ui.editor import DraftEditor, EditIntent
from ui.markdown_style import utf16_offsets
from ui.theme import restyle

Range = tuple[int, int, QTextCharFormat]
_HIGHLIGHT = {False: "#f3df8a", True: "#6b5a1e"}  # every match, light and dark


def match_pattern(needle: str, *, case: bool, whole_words: bool) -> re.Pattern[str] | None:
    """The matches of `needle` as a regular expression (None for an empty needle)."""
    if not needle:
        return None
    body = re.escape(needle)
    if whole_words:
        body = rf"(?<![^\W_]){body}(?![^\W_])"
    return re.compile(body, 0 if case else re.IGNORECASE)


def replace_all(
    editor: DraftEditor, needle: str, replacement: str, *, case: bool, whole_words: bool = False
) -> int:
    """Replace every occurrence as one undoable step attributed to the writer."""
    if not needle:
        return 0
    document = editor.document()
    flags = QTextDocument.FindFlag.FindCaseSensitively if case else QTextDocument.FindFlag(0)
    if whole_words:
        flags |= QTextDocument.FindFlag.FindWholeWords
    count = 0
    edit = QTextCursor(document)
    with editor.intent(EditIntent(How.REPLACE)):  # Qt reports the change when the block ends
        edit.beginEditBlock()
        found = document.find(needle, 0, flags)
        while not found.isNull():
            found.insertText(replacement)
            count += 1
            found = document.find(needle, found.position(), flags)
        edit.endEditBlock()
    return count


class FindBar(QWidget):
    """A find/replace strip; it searches the editor it is given."""

    closed = Signal()

    def __init__(self, editor: DraftEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.setObjectName("FindBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)  # paint the theme's strip
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.find_field = QLineEdit(self)
        self.find_field.setPlaceholderText("Find")
        self.find_field.setClearButtonEnabled(True)
        self.replace_field = QLineEdit(self)
        self.replace_field.setPlaceholderText("Replace with")
        self.case_box = QCheckBox("Match case", self)
        self.whole_box = QCheckBox("Whole words", self)
        self._highlight = QTimer(self)  # counting and highlighting wait for a pause
        self._highlight.setSingleShot(True)
        self._highlight.setInterval(150)
        self._highlight.timeout.connect(self.update_matches)
        self.pattern: re.Pattern[str] | None = None
        self.matches = 0
        self.status = QLabel("", self)
        self.status.setObjectName("FindStatus")
        previous = QPushButton("Previous", self)
        following = QPushButton("Next", self)
        self.replace_button = QPushButton("Replace", self)
        self.replace_all_button = QPushButton("Replace All", self)
        done = QPushButton("Done", self)
        for widget in (
            self.find_field,
            previous,
            following,
            self.replace_field,
            self.replace_button,
            self.replace_all_button,
            self.case_box,
            self.whole_box,
            self.status,
            done,
        ):
            layout.addWidget(widget)
        layout.setStretch(0, 2)
        layout.setStretch(3, 2)
        self.find_field.returnPressed.connect(self.find_next)
        self.find_field.textChanged.connect(lambda _t: self._highlight.start())
        self.case_box.toggled.connect(lambda _on: self._highlight.start())
        self.whole_box.toggled.connect(lambda _on: self._highlight.start())
        self.replace_field.returnPressed.connect(self.replace_one)
        previous.clicked.connect(self.find_previous)
        following.clicked.connect(self.find_next)
        self.replace_button.clicked.connect(self.replace_one)
        self.replace_all_button.clicked.connect(self.replace_everything)
        done.clicked.connect(self.close_bar)
        self.hide()

    def open(self, *, replace: bool) -> None:
        selected = self.editor.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.find_field.setText(selected)
        for widget in (self.replace_field, self.replace_button, self.replace_all_button):
            widget.setVisible(replace)
        self.show()
        self.find_field.setFocus()
        self.find_field.selectAll()
        self.update_matches()

    def close_bar(self) -> None:
        self.hide()
        self._highlight.stop()
        self.pattern = None
        self.editor.styler.set_layer("find", None)
        self.editor.setFocus()
        self.closed.emit()

    def _flags(self, backward: bool = False) -> QTextDocument.FindFlag:
        flags = QTextDocument.FindFlag(0)
        if self.case_box.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        if self.whole_box.isChecked():
            flags |= QTextDocument.FindFlag.FindWholeWords
        if backward:
            flags |= QTextDocument.FindFlag.FindBackward
        return flags

    def _find(self, backward: bool) -> bool:
        needle = self.find_field.text()
        if not needle:
            return False
        if self.editor.find(needle, self._flags(backward)):
            self._say(self._where())
            return True
        cursor = self.editor.textCursor()  # wrap around
        cursor.movePosition(
            QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start
        )
        self.editor.setTextCursor(cursor)
        found = self.editor.find(needle, self._flags(backward))
        self._say(self._where() if found else "Not found", found=found)
        return found

    # --- counting and highlighting every match ------------------------------------
    def update_matches(self) -> int:
        """Count the matches and highlight them all (now); returns the count."""
        self._highlight.stop()
        pattern = match_pattern(
            self.find_field.text(),
            case=self.case_box.isChecked(),
            whole_words=self.whole_box.isChecked(),
        )
        self.pattern = pattern
        if pattern is None:
            self.matches = 0
            self.editor.styler.set_layer("find", None)
            self._say("")
            return 0
        self.matches = sum(1 for _ in pattern.finditer(self.editor.toPlainText()))
        self.editor.styler.set_layer("find", self._layer)
        if self.matches:
            self._say(self._where())
        else:
            self._say("Not found", found=False)
        return self.matches

    def _where(self) -> str:
        """ "3 of 12" when the selection is a match, else "12 matches"."""
        if self.pattern is None:
            return ""
        text = self.editor.toPlainText()
        self.matches = total = sum(1 for _ in self.pattern.finditer(text))
        cursor = self.editor.textCursor()
        if cursor.hasSelection():
            start16 = cursor.selectionStart()
            before = text[: _code_points(text, start16)]
            index = sum(1 for _ in self.pattern.finditer(before)) + 1
            if self.pattern.fullmatch(cursor.selectedText()) and index <= total:
                return f"{index} of {total}"
        return f"{total} match{'es' if total != 1 else ''}"

    def _layer(
        self, position: int, _length: int, dark: bool
    ) -> list[tuple[int, int, QTextCharFormat]]:
        pattern = self.pattern
        if pattern is None:
            return []
        text = self.editor.document().findBlock(position).text()
        found = list(pattern.finditer(text))
        if not found:
            return []
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(_HIGHLIGHT[dark]))
        offsets = utf16_offsets(text)
        if offsets is None:
            return [(m.start(), m.end() - m.start(), fmt) for m in found]
        return [(offsets[m.start()], offsets[m.end()] - offsets[m.start()], fmt) for m in found]

    def find_next(self) -> bool:
        return self._find(backward=False)

    def find_previous(self) -> bool:
        return self._find(backward=True)

    def replace_one(self) -> None:
        cursor = self.editor.textCursor()
        needle = self.find_field.text()
        selected = cursor.selectedText()
        pattern = match_pattern(
            needle, case=self.case_box.isChecked(), whole_words=self.whole_box.isChecked()
        )
        if pattern is not None and pattern.fullmatch(selected):
            with self.editor.intent(EditIntent(How.REPLACE)):
                cursor.insertText(self.replace_field.text())
        self.find_next()

    def replace_everything(self) -> None:
        count = replace_all(
            self.editor,
            self.find_field.text(),
            self.replace_field.text(),
            case=self.case_box.isChecked(),
            whole_words=self.whole_box.isChecked(),
        )
        self._say(f"Replaced {count}" if count else "Not found", found=bool(count))

    def _say(self, text: str, *, found: bool = True) -> None:
        """Show `text` beside the fields; the theme marks a search that found nothing."""
        self.status.setText(text)
        if self.status.property("found") != found:
            self.status.setProperty("found", found)
            restyle(self.status)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
            return
        super().keyPressEvent(event)


def _code_points(text: str, utf16: int) -> int:
    """The code point index of UTF-16 position `utf16` in `text`."""
    offsets = utf16_offsets(text)
    if offsets is None:
        return utf16
    return bisect.bisect_left(offsets, utf16)
