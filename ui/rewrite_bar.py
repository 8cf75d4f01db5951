"""The rewrite command bar (Ctrl+K): a small line over the text with the rewrite choices.

Typing filters the choices; Enter runs the highlighted choice, or the typed words as a
free instruction when none matches; Esc closes. The bar only reports what was chosen.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QListWidget, QVBoxLayout, QWidget


class RewriteBar(QFrame):
    """Choices for rewriting the selection, and a field for a free instruction."""

    chosen = Signal(str, str)  # label, instruction
    closed = Signal()

    def __init__(self, choices: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rewriteBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.choices = dict(choices)
        self.title = QLabel("Rewrite the selection", self)
        self.title.setObjectName("rewriteBarTitle")
        self.field = QLineEdit(self)
        self.field.setPlaceholderText("Choose, or type an instruction and press Enter")
        self.field.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.addItems(list(self.choices))
        self.list.setCurrentRow(0)
        self.list.itemClicked.connect(lambda item: self._choose(item.text()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.field)
        layout.addWidget(self.list)
        self.field.textEdited.connect(self._filter)
        self.field.installEventFilter(self)
        self.setFixedWidth(340)
        self.list.setFixedHeight(self.list.sizeHintForRow(0) * len(self.choices) + 6)
        self.hide()

    def open_at(self, point: QPoint, scope: str) -> None:
        """Show the bar with its top-left at `point` (parent coordinates)."""
        self.title.setText(f"Rewrite {scope}")
        self.field.clear()
        self._filter("")
        self.adjustSize()
        parent = self.parentWidget()
        if parent is not None:
            x = min(max(point.x(), 8), max(parent.width() - self.width() - 8, 8))
            y = min(max(point.y(), 8), max(parent.height() - self.height() - 8, 8))
            point = QPoint(x, y)
        self.move(point)
        self.show()
        self.raise_()
        self.field.setFocus(Qt.FocusReason.PopupFocusReason)

    def close_bar(self) -> None:
        if self.isVisible():
            self.hide()
            self.closed.emit()

    def _filter(self, typed: str) -> None:
        words = typed.lower().split()
        first = -1
        for row in range(self.list.count()):
            item = self.list.item(row)
            match = all(w in item.text().lower() for w in words)
            item.setHidden(not match)
            if match and first < 0:
                first = row
        self.list.setCurrentRow(first) if first >= 0 else self.list.setCurrentRow(-1)

    def _visible_rows(self) -> list[int]:
        return [r for r in range(self.list.count()) if not self.list.item(r).isHidden()]

    def _choose(self, label: str) -> None:
        self.hide()
        self.chosen.emit(label, self.choices[label])

    def run(self) -> None:
        """Enter: the highlighted choice, else the typed words as the instruction."""
        typed = self.field.text().strip()
        item = self.list.currentItem()
        if item is not None and not item.isHidden():
            self._choose(item.text())
        elif typed:
            self.hide()
            self.chosen.emit("Custom", typed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.run()
                return True
            if key == Qt.Key.Key_Escape:
                self.close_bar()
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                rows = self._visible_rows()
                if rows:
                    current = self.list.currentRow()
                    step = 1 if key == Qt.Key.Key_Down else -1
                    index = rows.index(current) + step if current in rows else 0
                    self.list.setCurrentRow(rows[index % len(rows)])
                return True
        return super().eventFilter(watched, event)
