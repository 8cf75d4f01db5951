"""Where the writer hears from Draftsmith: a stack of slim bars above the text.

Several messages can be visible at once, newest on top. A message with an id replaces
only the bar with the same id; a bar with buttons (a decision) is never pushed out by a
notice: when the stack is full, the oldest notice goes first. The widgets know nothing
of where messages come from (`app.messages` feeds them); levels are plain strings
("info", "warning", "error") so this module needs nothing from the app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

ActionList = Sequence[tuple[str, Callable[[], None]]]

#: How many bars show at once; older notices beyond this are closed.
MAX_VISIBLE = 4


class MessageBar(QFrame):
    """One message: its text, optional action buttons and a close button."""

    closed = Signal(object)  # the bar

    def __init__(
        self,
        level: str,
        text: str,
        actions: ActionList = (),
        message_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBar")
        self.setProperty("level", level)
        self.level = level
        self.message_id = message_id
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        self._label = QLabel(text, self)
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Wrapped text asks for the height it needs at the width it gets, never more width.
        self._label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout.addWidget(self._label, 1)
        self.buttons: list[QPushButton] = []
        for label, callback in actions:
            button = QPushButton(label, self)
            button.clicked.connect(lambda _checked=False, c=callback: self._choose(c))
            layout.addWidget(button)
            self.buttons.append(button)
        close = QToolButton(self)
        close.setText("✕")
        close.setToolTip("Dismiss")
        close.setAutoRaise(True)
        close.clicked.connect(self.dismiss)
        layout.addWidget(close)

    @property
    def text(self) -> str:
        return self._label.text()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        """Grow to the wrapped text's height at the width the bar has now (a main window's
        layout does not ask its widgets' height-for-width, so the bar does it itself)."""
        layout = self.layout()
        if layout is None:
            return
        margins = layout.contentsMargins()
        text = self._label.heightForWidth(max(self._label.width(), 1))
        controls = max((b.sizeHint().height() for b in self.buttons), default=0)
        needed = max(text, controls) + margins.top() + margins.bottom()
        if needed > 0 and self.minimumHeight() != needed:
            self.setMinimumHeight(needed)

    @property
    def is_decision(self) -> bool:
        return bool(self.buttons)

    def _choose(self, callback: Callable[[], None]) -> None:
        self.dismiss()
        callback()

    def dismiss(self) -> None:
        self.hide()
        self.closed.emit(self)


class MessageStack(QWidget):
    """The bars on show, newest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageStack")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        self.bars: list[MessageBar] = []  # newest first
        self.hide()

    # --- what the app calls -------------------------------------------------------
    def show_message(
        self,
        level: str,
        text: str,
        actions: ActionList = (),
        message_id: str | None = None,
    ) -> MessageBar:
        """Show a message on top; with `message_id`, in place of that id's earlier bar."""
        level = str(level)
        if message_id is not None:
            self.retract(message_id)
        bar = MessageBar(level, text, actions, message_id, self)
        bar.closed.connect(self._closed)
        self.bars.insert(0, bar)
        self._layout.insertWidget(0, bar)
        self._trim()
        bar.show()  # a child added to a visible widget stays hidden until shown
        self.show()
        return bar

    def retract(self, message_id: str) -> None:
        for bar in [b for b in self.bars if b.message_id == message_id]:
            bar.dismiss()

    def clear(self) -> None:
        for bar in list(self.bars):
            bar.dismiss()

    # --- what tests and the window read ---------------------------------------------
    @property
    def newest(self) -> MessageBar | None:
        return self.bars[0] if self.bars else None

    @property
    def text(self) -> str:
        """Every message on show, newest first, one a line."""
        return "\n".join(bar.text for bar in self.bars)

    def find_text(self, fragment: str) -> MessageBar | None:
        """The newest bar whose text contains `fragment`."""
        return next((bar for bar in self.bars if fragment in bar.text), None)

    # --- housekeeping ---------------------------------------------------------------
    def _trim(self) -> None:
        while len(self.bars) > MAX_VISIBLE:
            notices = [bar for bar in self.bars[1:] if not bar.is_decision]
            if not notices:
                return  # decisions wait for the writer, however many there are
            notices[-1].dismiss()

    def _closed(self, bar: MessageBar) -> None:
        if bar in self.bars:
            self.bars.remove(bar)
            self._layout.removeWidget(bar)
            bar.deleteLater()
        if not self.bars:
            self.hide()
