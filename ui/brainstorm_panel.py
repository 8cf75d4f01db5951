"""The brainstorm side panel (Ctrl+Shift+B): ask for ideas, see them arrive, use them.

The panel shows a kind of request (what happens next, titles, names, arguments,
questions, or a free request), an optional "about" line, the ideas as a list with
Insert / Copy / Dismiss / More like this on each, and the document's earlier
brainstorms. It only reports what the writer asked for; the app does the asking.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class IdeaCard(QFrame):
    """One idea with its buttons."""

    def __init__(self, idea: str, panel: BrainstormPanel) -> None:
        super().__init__()
        self.idea = idea
        self.setObjectName("ideaCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(idea, self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.insert_button = self._button(
            "Insert", "Insert at the cursor (recorded as the model's)"
        )
        self.copy_button = self._button("Copy", "Copy to the clipboard")
        self.more_button = self._button("More like this", "Ask for variations of this idea")
        self.dismiss_button = self._button("✕", "Dismiss this idea")
        self.insert_button.clicked.connect(lambda: panel.insert_requested.emit(idea))
        self.copy_button.clicked.connect(lambda: panel.copy_idea(idea))
        self.more_button.clicked.connect(lambda: panel.more_requested.emit(idea))
        self.dismiss_button.clicked.connect(lambda: panel.dismiss_idea(idea))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(4)
        for button in (self.insert_button, self.copy_button, self.more_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.dismiss_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addWidget(self.label)
        layout.addLayout(buttons)

    def _button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        return button


class BrainstormPanel(QDockWidget):
    """Ideas from the model, kept per document."""

    asked = Signal(str, str)  # kind, about
    stop_requested = Signal()
    insert_requested = Signal(str)
    more_requested = Signal(str)
    dismissed = Signal(str)
    history_chosen = Signal(int)  # index into the history list

    def __init__(self, kinds: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__("Brainstorm", parent)
        self.setObjectName("brainstormPanel")
        self.setAllowedAreas(
            Qt.DockWidgetArea.RightDockWidgetArea | Qt.DockWidgetArea.LeftDockWidgetArea
        )
        body = QWidget(self)
        self.kind = QComboBox(body)
        for key, label in kinds.items():
            self.kind.addItem(label, key)
        self.about = QLineEdit(body)
        self.about.setPlaceholderText("About (optional): a character, a claim, a scene…")
        self.ask_button = QPushButton("Ask", body)
        self.ask_button.setDefault(True)
        self.stop_button = QPushButton("Stop", body)
        self.stop_button.setEnabled(False)
        self.status = QLabel("", body)
        self.status.setWordWrap(True)
        self.status.setObjectName("brainstormStatus")
        self.ideas = QListWidget(body)
        self.ideas.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.ideas.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.history = QComboBox(body)
        self.history.setPlaceholderText("Earlier brainstorms for this document")
        row = QHBoxLayout()
        row.addWidget(self.ask_button)
        row.addWidget(self.stop_button)
        row.addStretch(1)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.kind)
        layout.addWidget(self.about)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.ideas, 1)
        layout.addWidget(QLabel("History", body))
        layout.addWidget(self.history)
        self.setWidget(body)
        self.setMinimumWidth(300)
        self.ask_button.clicked.connect(self._ask)
        self.about.returnPressed.connect(self._ask)
        self.stop_button.clicked.connect(self.stop_requested.emit)
        self.history.activated.connect(self.history_chosen.emit)

    # --- what the writer asks -------------------------------------------------------------
    def _ask(self) -> None:
        self.asked.emit(str(self.kind.currentData()), self.about.text().strip())

    def set_about(self, text: str) -> None:
        self.about.setText(text)

    def select_kind(self, kind: str) -> None:
        index = self.kind.findData(kind)
        if index >= 0:
            self.kind.setCurrentIndex(index)

    # --- what the app shows ---------------------------------------------------------------
    def set_busy(self, busy: bool, text: str = "") -> None:
        self.ask_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        self.status.setText(text)

    def clear_ideas(self) -> None:
        self.ideas.clear()

    def add_idea(self, idea: str) -> None:
        card = IdeaCard(idea, self)
        item = QListWidgetItem(self.ideas)
        item.setData(Qt.ItemDataRole.UserRole, idea)
        item.setSizeHint(card.sizeHint())
        self.ideas.addItem(item)
        self.ideas.setItemWidget(item, card)
        self.ideas.scrollToItem(item)

    def show_ideas(self, ideas: Sequence[str]) -> None:
        self.clear_ideas()
        for idea in ideas:
            self.add_idea(idea)

    def shown_ideas(self) -> list[str]:
        return [
            str(self.ideas.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.ideas.count())
        ]

    def card(self, idea: str) -> IdeaCard | None:
        for row in range(self.ideas.count()):
            item = self.ideas.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == idea:
                widget = self.ideas.itemWidget(item)
                return widget if isinstance(widget, IdeaCard) else None
        return None

    def dismiss_idea(self, idea: str) -> None:
        for row in range(self.ideas.count()):
            if self.ideas.item(row).data(Qt.ItemDataRole.UserRole) == idea:
                self.ideas.takeItem(row)
                break
        self.dismissed.emit(idea)

    def copy_idea(self, idea: str) -> None:
        QApplication.clipboard().setText(idea)
        self.status.setText("Copied.")

    def set_history(self, titles: Sequence[str]) -> None:
        self.history.clear()
        self.history.addItems(list(titles))
        self.history.setCurrentIndex(-1)
