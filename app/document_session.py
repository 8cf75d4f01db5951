"""The open document: its file, its unsaved state, opening and saving it.

Files are UTF-8 Markdown or text, saved atomically. A file that cannot be read
gives a plain message and leaves the current text untouched; closing with unsaved
changes asks first.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from app.files import FileProblem, read_text, write_text_atomically
from app.settings import Settings
from app.window_state import WindowState
from ui.main_window import MainWindow
from ui.messages import Level

log = logging.getLogger(__name__)

UNTITLED = "Untitled"


class DocumentSession(QObject):
    """Which file the editor shows, and whether it has unsaved changes."""

    recent_changed = Signal()
    opened = Signal()
    saved = Signal(str)

    def __init__(self, window: MainWindow, settings: Settings, state: WindowState) -> None:
        super().__init__()
        self.window = window
        self.editor = window.editor
        self.settings = settings
        self.state = state
        self.path: Path | None = None
        self.editor.document().modificationChanged.connect(self.window.setWindowModified)
        self._update_title()

    @property
    def name(self) -> str:
        return self.path.name if self.path else UNTITLED

    @property
    def modified(self) -> bool:
        return self.editor.document().isModified()

    def _update_title(self) -> None:
        self.window.setWindowTitle(f"{self.name}[*] — Draftsmith")
        self.window.setWindowModified(self.modified)

    def _show_text(self, text: str) -> None:
        self.editor.clear_ghost(notify=True)
        self.editor.setPlainText(text)
        self.editor.document().setModified(False)
        cursor = self.editor.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.editor.setTextCursor(cursor)

    # --- commands ----------------------------------------------------------------
    def new_document(self) -> None:
        if not self.confirm_discard():
            return
        self.path = None
        self._show_text("")
        self._update_title()
        self.opened.emit()

    def start_at(self, path: Path) -> None:
        """`draftsmith FILE` for a file that does not exist yet: saved there later."""
        self.path = path
        self._show_text("")
        self._update_title()
        self.opened.emit()

    def ask_and_open(self) -> None:
        folder = str(self.path.parent) if self.path else ""
        chosen = self.window.ask_open_path(folder)
        if chosen:
            self.open_path(chosen)

    def open_path(self, path: str | Path) -> bool:
        """Open a file; on failure say why and keep the current document."""
        path = Path(path)
        if self.path is not None and path.resolve() == self.path.resolve() and not self.modified:
            return True
        try:
            text = read_text(path)
        except FileProblem as problem:
            self.window.messages.show_message(Level.ERROR, str(problem))
            return False
        if not self.confirm_discard():
            return False
        self.path = path
        self._show_text(text)
        self._update_title()
        self.state.add_recent(path)
        self.recent_changed.emit()
        self.opened.emit()
        return True

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        suggested = str(self.path) if self.path else str(Path.home() / f"{UNTITLED}.md")
        chosen = self.window.ask_save_path(suggested)
        if not chosen:
            return False
        if not self._write(Path(chosen)):
            return False
        self.state.add_recent(Path(chosen))
        self.recent_changed.emit()
        return True

    def _write(self, path: Path) -> bool:
        text = self.editor.toPlainText()
        try:
            write_text_atomically(path, self.file_text(text))
        except FileProblem as problem:
            self.window.messages.show_message(Level.ERROR, str(problem))
            return False
        self.path = path
        self.editor.document().setModified(False)
        self._update_title()
        self.window.status.showMessage(f"Saved {path.name}", 3000)
        self.saved.emit(text)
        return True

    def file_text(self, text: str) -> str:
        """What goes into the file for the editor's `text`."""
        return text

    def confirm_discard(self) -> bool:
        """True when it is fine to replace or close the current text."""
        if not self.modified:
            return True
        answer = self.window.ask_save_changes(self.name)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def close(self) -> None:
        """Release what the document holds (called once on shutdown)."""
