"""The project panel (Ctrl+Shift+P): a project folder's chapters in order.

Click a chapter to open it; drag chapters to reorder them; New Chapter and Rename
under the list (also on each chapter's context menu); a find field searches every
chapter and lists the hits, a click opening the chapter at the hit. The panel only
shows plain data (names and paths) and reports what the writer asked for; the app
keeps the project and its order file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

PATH_ROLE = Qt.ItemDataRole.UserRole
OFFSET_ROLE = Qt.ItemDataRole.UserRole + 1


class ProjectPanel(QDockWidget):
    """The chapters of the open project, and find across them."""

    chapter_chosen = Signal(Path)
    hit_chosen = Signal(Path, int, int)  # chapter, code point offset, length
    order_changed = Signal(list)  # chapter file names in the new order
    new_chapter_requested = Signal(str, object)  # title, after (Path or None)
    rename_requested = Signal(Path, str)
    find_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Project", parent)
        self.setObjectName("projectPanel")
        body = QWidget(self)
        self.title = QLabel(body)
        self.title.setObjectName("projectTitle")
        self.chapters = QListWidget(body)
        self.chapters.setObjectName("chapterList")
        self.chapters.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.chapters.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.chapters.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.chapters.itemActivated.connect(self._activated)
        self.chapters.itemClicked.connect(self._activated)
        self.chapters.model().rowsMoved.connect(self._moved)
        self.chapters.customContextMenuRequested.connect(self._menu)
        self.new_button = QPushButton("New Chapter…", body)
        self.rename_button = QPushButton("Rename…", body)
        self.new_button.clicked.connect(self.ask_new_chapter)
        self.rename_button.clicked.connect(self.ask_rename)
        self.find_field = QLineEdit(body)
        self.find_field.setPlaceholderText("Find in all chapters")
        self.find_field.setClearButtonEnabled(True)
        self.find_field.returnPressed.connect(
            lambda: self.find_requested.emit(self.find_field.text())
        )
        self.hits = QListWidget(body)
        self.hits.setObjectName("projectHits")
        self.hits.itemActivated.connect(self._hit)
        self.hits.itemClicked.connect(self._hit)
        self.hits.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.rename_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.chapters, 3)
        layout.addLayout(buttons)
        layout.addWidget(self.find_field)
        layout.addWidget(self.hits, 2)
        self.setWidget(body)

    # What the app shows

    def show_project(self, title: str, chapters: Sequence[Path], current: Path | None) -> None:
        """List the chapters in order, the open one selected."""
        self.title.setText(title)
        self.chapters.blockSignals(True)
        self.chapters.clear()
        for path in chapters:
            item = QListWidgetItem(path.stem, self.chapters)
            item.setData(PATH_ROLE, str(path))
            item.setToolTip(str(path))
            if current is not None and path == current:
                self.chapters.setCurrentItem(item)
        self.chapters.blockSignals(False)
        self.rename_button.setEnabled(bool(chapters))

    def show_hits(self, hits: Sequence[tuple[Path, int, int, int, int, str]]) -> None:
        """Find results as (chapter, line, column, offset, length, excerpt)."""
        self.hits.clear()
        for chapter, line, _column, offset, length, excerpt in hits:
            item = QListWidgetItem(f"{chapter.stem} · {line}: {excerpt}", self.hits)
            item.setData(PATH_ROLE, str(chapter))
            item.setData(OFFSET_ROLE, (offset, length))
        if not hits:
            QListWidgetItem("No matches in this project", self.hits).setFlags(
                Qt.ItemFlag.NoItemFlags
            )
        self.hits.show()

    def order(self) -> list[str]:
        """The chapter file names as the list now shows them."""
        return [
            Path(self.chapters.item(row).data(PATH_ROLE)).name
            for row in range(self.chapters.count())
        ]

    def selected_chapter(self) -> Path | None:
        item = self.chapters.currentItem()
        return Path(item.data(PATH_ROLE)) if item is not None else None

    # What the writer does

    def _activated(self, item: QListWidgetItem) -> None:
        self.chapter_chosen.emit(Path(item.data(PATH_ROLE)))

    def _hit(self, item: QListWidgetItem) -> None:
        if item.data(PATH_ROLE) is None:
            return
        offset, length = item.data(OFFSET_ROLE)
        self.hit_chosen.emit(Path(item.data(PATH_ROLE)), int(offset), int(length))

    def _moved(self, *_args: object) -> None:
        self.order_changed.emit(self.order())

    def ask_new_chapter(self) -> None:
        title, ok = QInputDialog.getText(self, "New Chapter", "Chapter name:")
        if ok and title.strip():
            self.new_chapter_requested.emit(title.strip(), self.selected_chapter())

    def ask_rename(self) -> None:
        chapter = self.selected_chapter()
        if chapter is None:
            return
        title, ok = QInputDialog.getText(
            self, "Rename Chapter", "New name:", QLineEdit.EchoMode.Normal, chapter.stem
        )
        if ok and title.strip() and title.strip() != chapter.stem:
            self.rename_requested.emit(chapter, title.strip())

    def _menu(self, point: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction("New Chapter…", self.ask_new_chapter)
        if self.chapters.itemAt(point) is not None:
            menu.addAction("Rename…", self.ask_rename)
        menu.exec(self.chapters.viewport().mapToGlobal(point))
