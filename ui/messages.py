"""One place the writer hears from Draftsmith: a dismissible bar above the text.

Everything the program has to tell the writer (a model that would not load, a file
that is not UTF-8, a save that failed) goes through `MessageBar.show_message`, never
a scattered dialog or a line on stderr.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget


class Level(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_STYLE = {
    Level.INFO: ("#eef4fb", "#2f5d8a", "#b9d0e8"),
    Level.WARNING: ("#fdf6e3", "#7a5a00", "#ead9a5"),
    Level.ERROR: ("#fdeeee", "#9b1c1c", "#efc2c2"),
}


class MessageBar(QFrame):
    """A slim bar with a message, optional action buttons and a close button."""

    shown = Signal(str, str)  # level, text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBar")
        self.level = Level.INFO
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self._label, 1)
        self._buttons: list[QPushButton] = []
        self._buttons_layout = QHBoxLayout()
        layout.addLayout(self._buttons_layout)
        close = QToolButton(self)
        close.setText("✕")
        close.setToolTip("Dismiss")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        layout.addWidget(close)
        self.hide()

    @property
    def text(self) -> str:
        return self._label.text()

    def show_message(
        self,
        level: Level,
        text: str,
        actions: list[tuple[str, Callable[[], None]]] | None = None,
    ) -> None:
        """Show `text`; each action is a (button label, callback) pair that also dismisses."""
        self.level = level
        background, foreground, border = _STYLE[level]
        self.setStyleSheet(
            f"#MessageBar {{ background: {background}; border-bottom: 1px solid {border}; }}"
            f"#MessageBar QLabel {{ color: {foreground}; }}"
        )
        self._label.setText(text)
        for button in self._buttons:
            button.deleteLater()
        self._buttons = []
        for label, callback in actions or []:
            button = QPushButton(label, self)
            button.clicked.connect(callback)
            button.clicked.connect(self.hide)
            self._buttons_layout.addWidget(button)
            self._buttons.append(button)
        self.show()
        self.shown.emit(level.value, text)
