"""Find and replace, as a bar under the text (Ctrl+F, Ctrl+H, F3, Esc)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor, QTextDocument
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
from ui.theme import restyle


def replace_all(editor: DraftEditor, needle: str, replacement: str, *, case: bool) -> int:
    """Replace every occurrence as one undoable step attributed to the writer."""
    if not needle:
        return 0
    document = editor.document()
    flags = QTextDocument.FindFlag.FindCaseSensitively if case else QTextDocument.FindFlag(0)
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
            self.status,
            done,
        ):
            layout.addWidget(widget)
        layout.setStretch(0, 2)
        layout.setStretch(3, 2)
        self.find_field.returnPressed.connect(self.find_next)
        self.find_field.textChanged.connect(lambda _t: self._say(""))
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

    def close_bar(self) -> None:
        self.hide()
        self.editor.setFocus()
        self.closed.emit()

    def _flags(self, backward: bool = False) -> QTextDocument.FindFlag:
        flags = QTextDocument.FindFlag(0)
        if self.case_box.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        if backward:
            flags |= QTextDocument.FindFlag.FindBackward
        return flags

    def _find(self, backward: bool) -> bool:
        needle = self.find_field.text()
        if not needle:
            return False
        if self.editor.find(needle, self._flags(backward)):
            self._say("")
            return True
        cursor = self.editor.textCursor()  # wrap around
        cursor.movePosition(
            QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start
        )
        self.editor.setTextCursor(cursor)
        found = self.editor.find(needle, self._flags(backward))
        self._say("" if found else "Not found", found=found)
        return found

    def find_next(self) -> bool:
        return self._find(backward=False)

    def find_previous(self) -> bool:
        return self._find(backward=True)

    def replace_one(self) -> None:
        cursor = self.editor.textCursor()
        needle = self.find_field.text()
        selected = cursor.selectedText()
        matches = (
            selected == needle
            if self.case_box.isChecked()
            else (selected.lower() == needle.lower())
        )
        if needle and matches:
            with self.editor.intent(EditIntent(How.REPLACE)):
                cursor.insertText(self.replace_field.text())
        self.find_next()

    def replace_everything(self) -> None:
        count = replace_all(
            self.editor,
            self.find_field.text(),
            self.replace_field.text(),
            case=self.case_box.isChecked(),
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
