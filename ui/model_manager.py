"""Assistant > Models…: every model found and every server, their facts, and who does what.

A widget only: the rows, the per-task choices and the results of checks are handed in
as plain data, and every action goes out through a callback (the app checks models in
the background and answers with `show_check`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

#: The tasks a model can be chosen for, and how the window names them.
TASK_LABELS = (
    ("suggest", "Inline suggestions"),
    ("rewrite", "Rewrite"),
    ("brainstorm", "Brainstorm"),
)
#: The choice for rewrite/brainstorm that follows the suggestion model.
SAME_AS_SUGGESTIONS = ""

COLUMNS = (
    "Name",
    "Source",
    "Parameters",
    "Quantization",
    "Context",
    "Size",
    "Chat",
    "Fits in memory",
    "",
    "Check result",
)
CHECK_COLUMN = 8
RESULT_COLUMN = 9


@dataclass(frozen=True)
class ModelRow:
    """One model as the window lists it (all strings, already in the writer's words)."""

    ref: str  # how the app names it: "bundled", a GGUF path, "server:URL#MODEL"
    name: str
    source: str
    location: str  # the file or the server's URL (the tooltip)
    parameters: str = ""
    quantization: str = ""
    context: str = ""
    size: str = ""
    chat: str = ""
    fits: str = ""
    problem: str = ""
    removable: bool = False  # a server the writer added


@dataclass(frozen=True)
class ModelManagerActions:
    """What the window asks the app to do."""

    check: Callable[[str], None]
    choose: Callable[[str, str], None]  # task, ref
    add_server: Callable[[str, str, str], str]  # url, model, key -> a problem or ""
    remove_server: Callable[[str], None]
    add_folder: Callable[[str], None]
    refresh: Callable[[], None]


class ServerForm(QDialog):
    """Base URL, model name and an optional API key for a new server."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a Model Server")
        self.url = QLineEdit(self)
        self.url.setPlaceholderText("http://192.168.1.20:8080")
        self.model = QLineEdit(self)
        self.model.setPlaceholderText("the model's name on the server, e.g. llama3.1:8b")
        self.key = QLineEdit(self)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("optional; kept in the system keyring")
        form = QFormLayout(self)
        form.addRow("Server address:", self.url)
        form.addRow("Model name:", self.model)
        form.addRow("API key:", self.key)
        self.problem = QLabel("", self)
        self.problem.setWordWrap(True)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class ModelManager(QDialog):
    """The model manager window."""

    def __init__(self, actions: ModelManagerActions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Models")
        self.resize(980, 460)
        self.requests = actions
        self.rows: list[ModelRow] = []
        self.choices: dict[str, str] = {}
        self.results: dict[str, str] = {}
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Models found on this computer (used where they are, never copied) and the "
            "servers you added. A small fast model suits inline suggestions; a larger one "
            "suits rewrite and brainstorm.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        # Facts take the width they need; the name and the check's result share the rest.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(RESULT_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table)

        form = QFormLayout()
        self.task_boxes: dict[str, QComboBox] = {}
        for task, label in TASK_LABELS:
            box = QComboBox(self)
            box.activated.connect(lambda _i, t=task: self._chosen(t))
            self.task_boxes[task] = box
            form.addRow(f"{label}:", box)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.add_server_button = QPushButton("Add Server…", self)
        self.add_server_button.clicked.connect(self.ask_server)
        self.remove_button = QPushButton("Remove Server", self)
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self._remove_selected)
        self.add_folder_button = QPushButton("Add Folder…", self)
        self.add_folder_button.clicked.connect(self._ask_folder)
        self.refresh_button = QPushButton("Look Again", self)
        self.refresh_button.clicked.connect(actions.refresh)
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        for button in (
            self.add_server_button,
            self.remove_button,
            self.add_folder_button,
            self.refresh_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)

    # --- what the app hands in ------------------------------------------------------
    def set_rows(self, rows: list[ModelRow]) -> None:
        """List these models (keeping check results of the ones still listed)."""
        self.rows = list(rows)
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            cells = (
                row.name,
                row.source,
                row.parameters,
                row.quantization,
                row.context,
                row.size,
                row.chat,
                row.fits,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(row.location if column == 0 else text)
                self.table.setItem(index, column, item)
            button = QPushButton("Check", self.table)
            button.setToolTip("Load it (or ask the server) and write a few words")
            button.clicked.connect(lambda _c=False, r=row.ref: self.check(r))
            self.table.setCellWidget(index, CHECK_COLUMN, button)
            result = row.problem or self.results.get(row.ref, "")
            self.table.setItem(index, RESULT_COLUMN, QTableWidgetItem(result))
        self._fill_choices()

    def set_choices(self, choices: dict[str, str]) -> None:
        """Which model each task uses: {"suggest": ref, "rewrite": ref, ...}."""
        self.choices = dict(choices)
        self._fill_choices()

    def show_check(self, ref: str, ok: bool, text: str) -> None:
        """The result of checking `ref`."""
        self.results[ref] = ("✓ " if ok else "✗ ") + text
        row = self._row_index(ref)
        if row is not None:
            item = QTableWidgetItem(self.results[ref])
            item.setToolTip(text)
            self.table.setItem(row, RESULT_COLUMN, item)
            button = self.table.cellWidget(row, CHECK_COLUMN)
            if button is not None:
                button.setEnabled(True)

    # --- what the writer does -----------------------------------------------------
    def check(self, ref: str) -> None:
        row = self._row_index(ref)
        if row is not None:
            self.table.setItem(row, RESULT_COLUMN, QTableWidgetItem("Checking…"))
            button = self.table.cellWidget(row, CHECK_COLUMN)
            if button is not None:
                button.setEnabled(False)
        self.requests.check(ref)

    def choose(self, task: str, ref: str) -> None:
        """Use `ref` for `task` (what picking it in the task's list does)."""
        self.choices[task] = ref
        self._fill_choices()
        self.requests.choose(task, ref)

    def add_server(self, url: str, model: str, key: str = "") -> str:
        """Add a server; returns a problem to show, or "" when it was added."""
        if not url.strip() or not model.strip():
            return "Give the server's address and the model's name."
        return self.requests.add_server(url.strip(), model.strip(), key)

    def ask_server(self) -> None:
        form = ServerForm(self)
        while form.exec() == QDialog.DialogCode.Accepted:
            problem = self.add_server(form.url.text(), form.model.text(), form.key.text())
            if not problem:
                return
            form.problem.setText(problem)

    def _ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "A Folder with GGUF Models")
        if folder:
            self.requests.add_folder(folder)

    def _remove_selected(self) -> None:
        row = self._selected()
        if row is not None and row.removable:
            self.requests.remove_server(row.ref)

    def _selected(self) -> ModelRow | None:
        index = self.table.currentRow()
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def _selection_changed(self) -> None:
        row = self._selected()
        self.remove_button.setEnabled(row is not None and row.removable)

    def _chosen(self, task: str) -> None:
        box = self.task_boxes[task]
        ref = box.currentData()
        if isinstance(ref, str) and ref != self.choices.get(task):
            self.choose(task, ref)

    def _row_index(self, ref: str) -> int | None:
        for index, row in enumerate(self.rows):
            if row.ref == ref:
                return index
        return None

    def _fill_choices(self) -> None:
        for task, box in self.task_boxes.items():
            box.blockSignals(True)
            box.clear()
            if task != "suggest":
                box.addItem("The suggestion model (a copy of its own)", SAME_AS_SUGGESTIONS)
            for row in self.rows:
                if not row.problem:
                    box.addItem(f"{row.name} ({row.source})", row.ref)
            chosen = self.choices.get(task, SAME_AS_SUGGESTIONS)
            found = box.findData(chosen)
            if found < 0 and chosen:
                box.addItem(chosen, chosen)
                found = box.count() - 1
            box.setCurrentIndex(max(found, 0))
            box.setEnabled(box.count() > 0)
            box.blockSignals(False)

    def row_for(self, ref: str) -> ModelRow | None:
        index = self._row_index(ref)
        return self.rows[index] if index is not None else None

    def result_text(self, ref: str) -> str:
        index = self._row_index(ref)
        if index is None:
            return ""
        item = self.table.item(index, RESULT_COLUMN)
        return item.text() if item is not None else ""
