"""Memory views: the memory panel (what Draftsmith learned, with its evidence, all of it
the writer's to search, edit, pin and forget; proposals to accept or dismiss), its
editor dialog, and "Why this suggestion?" (what the prompt held).

Widgets only: the panel shows plain `memory.memories.Memory` data and reports the
writer's wishes as signals; the app carries them out on the memory lane."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # memory.memories imports numpy: kept off the start-up path
    from memory.memories import Memory


class WhyDialog(QDialog):
    """Shows what went into the last suggestion's prompt, the rules, the model, the prompt."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Why This Suggestion?")
        self.resize(640, 480)
        self.view = QPlainTextEdit(self)
        self.view.setReadOnly(True)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.view.setPlainText(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)

    @property
    def text(self) -> str:
        return self.view.toPlainText()


# --- the memory panel -------------------------------------------------------------------

#: How each kind reads in the panel.
KIND_WORDS = {
    "character": "Character",
    "place": "Place",
    "term": "Term",
    "claim": "Claim",
    "style": "Style rule",
    "avoid": "Phrase you refuse",
    "voice": "Your voice",
    "note": "Note",
}
SCOPE_WORDS = {"everywhere": "Everywhere", "project": "This folder", "document": "This document"}
#: Kinds the writer can add by hand (voice passages and refused phrases are learned).
EDITABLE_KINDS = ("character", "place", "term", "claim", "style", "note")


@dataclass(frozen=True)
class MemoryDraft:
    """What the writer typed in the memory editor."""

    kind: str
    text: str
    name: str
    keywords: str
    scope: str


class MemoryEditor(QDialog):
    """Add or edit one memory: kind, name, text, keywords, scope."""

    def __init__(
        self, draft: MemoryDraft, *, title: str = "Remember", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(480, 320)
        form = QFormLayout()
        self.kind = QComboBox(self)
        for kind in EDITABLE_KINDS:
            self.kind.addItem(KIND_WORDS[kind], kind)
        if draft.kind not in EDITABLE_KINDS:
            self.kind.addItem(KIND_WORDS.get(draft.kind, draft.kind), draft.kind)
        self.kind.setCurrentIndex(max(0, self.kind.findData(draft.kind)))
        self.name = QLineEdit(draft.name, self)
        self.name.setPlaceholderText("e.g. Captain Mara Voss (recalled when it appears)")
        self.text = QPlainTextEdit(draft.text, self)
        self.text.setPlaceholderText("What Draftsmith should remember")
        self.keywords = QLineEdit(draft.keywords, self)
        self.keywords.setPlaceholderText("other words that recall it, separated by commas")
        self.scope = QComboBox(self)
        for scope, words in SCOPE_WORDS.items():
            self.scope.addItem(words, scope)
        self.scope.setCurrentIndex(max(0, self.scope.findData(draft.scope)))
        form.addRow("Kind", self.kind)
        form.addRow("Name", self.name)
        form.addRow("Text", self.text)
        form.addRow("Keywords", self.keywords)
        form.addRow("Applies", self.scope)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.text.setFocus()

    def draft(self) -> MemoryDraft:
        return MemoryDraft(
            kind=str(self.kind.currentData()),
            text=self.text.toPlainText().strip(),
            name=self.name.text().strip(),
            keywords=self.keywords.text().strip(),
            scope=str(self.scope.currentData()),
        )

    def _save(self) -> None:
        if not self.draft().text:
            self.text.setFocus()
            return
        self.accept()


class MemoryPanel(QDockWidget):
    """What Draftsmith has learned, with its evidence; the writer edits all of it.

    Plain data in (`show_memories`), the writer's wishes out (signals); the app runs
    every change on the memory lane and calls `show_memories` again."""

    search_changed = Signal(str)
    add_requested = Signal(object)  # MemoryDraft
    edit_requested = Signal(int, object)  # memory id, MemoryDraft
    pin_requested = Signal(int, bool)
    delete_requested = Signal(int)
    accept_requested = Signal(int)
    dismiss_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Memory", parent)
        self.setObjectName("MemoryPanel")
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 8, 8, 8)
        self.search = QLineEdit(body)
        self.search.setPlaceholderText("Search what Draftsmith remembers")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(lambda: self.search_changed.emit(self.search.text()))
        self.search.textChanged.connect(self._search_timer.start)
        layout.addWidget(self.search)
        self.proposals_label = QLabel("Draftsmith asks:", body)
        layout.addWidget(self.proposals_label)
        self.proposals = QListWidget(body)
        self.proposals.setMaximumHeight(110)
        layout.addWidget(self.proposals)
        proposal_buttons = QHBoxLayout()
        self.accept_button = QPushButton("Remember", body)
        self.dismiss_button = QPushButton("No, Thanks", body)
        proposal_buttons.addWidget(self.accept_button)
        proposal_buttons.addWidget(self.dismiss_button)
        proposal_buttons.addStretch(1)
        layout.addLayout(proposal_buttons)
        self.accept_button.clicked.connect(lambda: self._proposal_chosen(accept=True))
        self.dismiss_button.clicked.connect(lambda: self._proposal_chosen(accept=False))
        self.tree = QTreeWidget(body)
        self.tree.setHeaderLabels(["Remembered", "Kind", "Applies", "Evidence"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)
        self.tree.itemDoubleClicked.connect(lambda _item, _col: self._edit())
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.tree, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add…", body)
        self.edit_button = QPushButton("Edit…", body)
        self.pin_button = QPushButton("Pin", body)
        self.delete_button = QPushButton("Forget", body)
        for button in (self.add_button, self.edit_button, self.pin_button, self.delete_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(lambda: self.ask_to_add(""))
        self.edit_button.clicked.connect(self._edit)
        self.pin_button.clicked.connect(self._toggle_pin)
        self.delete_button.clicked.connect(self._delete)
        self.status = QLabel("", body)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.setWidget(body)
        self._memories: dict[int, Memory] = {}
        self._proposals: list[Memory] = []
        self._selection_changed()
        self.show_memories([], [])

    # --- data in ----------------------------------------------------------------------
    def show_memories(self, memories: Sequence[Memory], proposals: Sequence[Memory]) -> None:
        """Show `memories` (pinned first) and the entries Draftsmith proposes."""
        selected = self.selected_id()
        self._memories = {m.id: m for m in memories}
        self._proposals = list(proposals)
        self.tree.clear()
        for memory in memories:
            pin = "📌 " if memory.pinned else ""
            item = QTreeWidgetItem(
                [
                    pin + memory.label,
                    KIND_WORDS.get(memory.kind, memory.kind),
                    SCOPE_WORDS.get(memory.scope, memory.scope),
                    describe_evidence(memory),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, memory.id)
            item.setToolTip(0, memory_tooltip(memory))
            self.tree.addTopLevelItem(item)
            if memory.id == selected:
                item.setSelected(True)
        self.tree.resizeColumnToContents(1)
        self.proposals.clear()
        for proposal in proposals:
            entry = QListWidgetItem(
                f"Remember “{proposal.name or proposal.text}” as a "
                f"{KIND_WORDS.get(proposal.kind, proposal.kind).lower()}?"
            )
            entry.setData(Qt.ItemDataRole.UserRole, proposal.id)
            self.proposals.addItem(entry)
        if proposals:
            self.proposals.setCurrentRow(0)
        has_proposals = bool(proposals)
        for widget in (
            self.proposals_label,
            self.proposals,
            self.accept_button,
            self.dismiss_button,
        ):
            widget.setVisible(has_proposals)
        count = len(memories)
        self.status.setText(
            "Nothing remembered yet. Select text and use Assistant > Remember…, or Add…."
            if not count
            else f"{count} {'entry' if count == 1 else 'entries'}."
        )
        self._selection_changed()

    def selected_id(self) -> int | None:
        items = self.tree.selectedItems()
        if not items:
            return None
        return int(items[0].data(0, Qt.ItemDataRole.UserRole))

    # --- the writer's wishes out ---------------------------------------------------------
    def ask_to_add(self, text: str) -> None:
        """Open the editor for a new memory, with `text` (a selection) filled in."""
        editor = MemoryEditor(MemoryDraft("note", text, "", "", "everywhere"), parent=self)
        if editor.exec() == QDialog.DialogCode.Accepted:
            self.add_requested.emit(editor.draft())

    def _edit(self) -> None:
        memory = self._memories.get(self.selected_id() or -1)
        if memory is None:
            return
        draft = MemoryDraft(
            memory.kind, memory.text, memory.name, ", ".join(memory.keywords), memory.scope
        )
        editor = MemoryEditor(draft, title="Edit Memory", parent=self)
        if editor.exec() == QDialog.DialogCode.Accepted:
            self.edit_requested.emit(memory.id, editor.draft())

    def _toggle_pin(self) -> None:
        memory = self._memories.get(self.selected_id() or -1)
        if memory is not None:
            self.pin_requested.emit(memory.id, not memory.pinned)

    def _delete(self) -> None:
        memory_id = self.selected_id()
        if memory_id is not None:
            self.delete_requested.emit(memory_id)

    def _proposal_chosen(self, *, accept: bool) -> None:
        item = self.proposals.currentItem()
        if item is None:
            return
        memory_id = int(item.data(Qt.ItemDataRole.UserRole))
        (self.accept_requested if accept else self.dismiss_requested).emit(memory_id)

    def _selection_changed(self) -> None:
        memory = self._memories.get(self.selected_id() or -1)
        for button in (self.edit_button, self.pin_button, self.delete_button):
            button.setEnabled(memory is not None)
        self.pin_button.setText("Unpin" if memory is not None and memory.pinned else "Pin")


def describe_evidence(memory: Memory) -> str:
    """Where a memory came from, in a few words."""
    if not memory.evidence:
        return "—"
    kinds = [str(e.get("kind", "")) for e in memory.evidence]
    first = kinds[0]
    if first == "suggestions":
        phrase = f"refused {memory.evidence[0].get('refused', 'several')} times"
    elif first == "span":
        phrase = "from your own text"
    elif first == "typed":
        phrase = "you added it"
    else:
        phrase = first or "learned"
    return phrase if len(kinds) == 1 else f"{phrase} (+{len(kinds) - 1})"


def memory_tooltip(memory: Memory) -> str:
    lines = [memory.text]
    if memory.keywords:
        lines.append("Recalled by: " + ", ".join(memory.triggers()))
    created = time.strftime("%d %b %Y %H:%M", time.localtime(memory.created_at))
    lines.append(f"Remembered {created}")
    if memory.history:
        lines.append(f"Edited {len(memory.history)} time(s); earlier: “{memory.history[-1].text}”")
    return "\n".join(lines)
