"""The open document: its file, its unsaved state, its authorship, opening and saving it.

Files are UTF-8 Markdown or text, saved atomically. A file that cannot be read
gives a plain message and leaves the current text untouched; closing with unsaved
changes asks first. Every edit goes into the document's ledger (through the
authorship bridge), which is flushed at least once a second: after a crash,
reopening the file offers the unsaved text back with its authorship.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox

from app.authorship_bridge import AuthorshipBridge
from app.files import FileProblem, read_text, write_text_atomically
from app import messages
from app.settings import Settings
from app.window_state import WindowState
from memory.events import Author, How, SourceKind
from ui.main_window import MainWindow

log = logging.getLogger(__name__)

UNTITLED = "Untitled"
MARKDOWN_SUFFIXES = (".md", ".markdown")


class DocumentSession(QObject):
    """Which file the editor shows, and whether it has unsaved changes."""

    recent_changed = Signal()
    opened = Signal()
    saved = Signal(str)

    def __init__(
        self, window: MainWindow, settings: Settings, state: WindowState, store: Any = None
    ) -> None:
        super().__init__()
        self.window = window
        self.editor = window.editor
        self.settings = settings
        self.state = state
        self.store = store  # memory.store.Store, or None when the database is unusable
        self.path: Path | None = None
        self.authored: Any = None  # memory.document.AuthoredDocument
        self._annotations: Any = None  # the open file's parsed authorship block, if any
        self.bridge: AuthorshipBridge | None = None
        self.editor.document().modificationChanged.connect(self.window.setWindowModified)
        self._journal = QTimer(self)
        self._journal.setInterval(int(settings["autosave_interval_ms"]))
        self._journal.timeout.connect(self.flush)
        self._journal.start()
        self._attach(None, "")
        self._update_title()

    # --- authorship ---------------------------------------------------------------
    def writer(self) -> Author:
        return Author(SourceKind.PERSON, self.settings.writer_name)

    def _attach(self, path: Path | None, text: str, *, imported: bool = False) -> None:
        """Give the editor the authored document for `path` and show `text` in it."""
        self._detach()
        if self.store is not None:
            try:
                self.authored = self._authored_for(path, text, imported=imported)
            except Exception as exc:  # noqa: BLE001 - a bad store must not cost the text
                log.exception("authorship unavailable")
                self.authored = None
                messages.warning(
                f"Authorship is not being recorded for this document: {exc}",
                )
        shown = self.authored.text if self.authored is not None else text
        self._show_text(shown)
        if self.authored is not None:
            self.bridge = AuthorshipBridge(self.editor, self.authored, self.writer)
            self.editor.document().setModified(shown != text)

    def _authored_for(self, path: Path | None, text: str, *, imported: bool) -> Any:
        from memory.document import AuthoredDocument, recoverable

        key = str(path.resolve()) if path else None
        doc_id = self.store.document_for_path(key) if key else None
        if doc_id is None and path is not None and self._trusted_annotations() is not None:
            return self._authored_from_annotations(path, text)
        if doc_id is None:
            title = path.name if path else "Untitled"
            source = Author(SourceKind.IMPORT, path.name) if (imported and path) else self.writer()
            return AuthoredDocument.create(
                self.store, key, title, initial_text=text, initial_author=source
            )
        document = AuthoredDocument.open(self.store, doc_id)
        if document.text == text:
            return document
        if path is not None and self._trusted_annotations() is not None:
            # The file carries its own, verified account: it wins over a stale ledger.
            self.store.set_document_path(doc_id, None)
            return self._authored_from_annotations(path, text)
        if recoverable(self.store, doc_id, text):
            self._offer_recovery(document, text)
            return document
        document.reconcile_with_disk(text)
        messages.info(
                f"“{path.name if path else 'This file'}” was changed outside Draftsmith. "
            "The changed text is marked as written by an unknown author.",
        )
        return document

    def _trusted_annotations(self) -> Any:
        annotations = self._annotations
        if annotations is None or annotations.needs_review:
            return None
        return annotations

    def _authored_from_annotations(self, path: Path, text: str) -> Any:
        """A new ledger whose first events restore the authorship the file declares."""
        from app.provenance import annotated_runs
        from memory.document import AuthoredDocument, text_sha256

        annotations = self._annotations
        document = AuthoredDocument.create(self.store, None, path.name)
        imported = Author(SourceKind.IMPORT, path.name)
        for start, length, author in annotated_runs(text, annotations, imported):
            document.record(start, 0, text[start : start + length], author, How.IMPORT)
        self.store.set_document_path(document.doc_id, str(path.resolve()))
        document.flush()
        document.mark_saved(text_sha256(text))
        return document

    def _offer_annotations(self, path: Path, text: str, annotations: Any) -> None:
        """The file's authorship block does not match its text: ask, never guess."""

        def apply_anyway() -> None:
            if self.path != path:
                return
            annotations.problems.clear()
            annotations.hash_ok = True
            self._annotations = annotations
            if self.store is not None:
                doc_id = self.store.document_for_path(str(path.resolve()))
                if doc_id is not None:
                    self.store.set_document_path(doc_id, None)
            self._attach(path, text, imported=True)

        reason = "; ".join(annotations.problems) or "the text changed after it was written"
        messages.warning(
                f"“{path.name}” has an authorship block that does not match its text ({reason}). "
            "Its text is treated as imported until you decide.",
            actions=[("Apply Its Authorship Anyway", apply_anyway), ("Keep as Imported", lambda: None)],
        )

    def _offer_recovery(self, document: Any, disk_text: str) -> None:
        name = self.path.name if self.path else "this document"

        def discard() -> None:
            if self.authored is document and self.bridge is not None:
                self._replace_editor_text(disk_text)

        messages.warning(
                f"Draftsmith kept unsaved changes to “{name}” from before it last closed. "
            "They are shown now; save to keep them.",
            actions=[("Keep Recovered Text", lambda: None), ("Go Back to the Saved File", discard)],
        )

    def _replace_editor_text(self, text: str) -> None:
        """Replace the whole text as one undoable edit by the writer."""
        cursor = self.editor.textCursor()
        cursor.select(cursor.SelectionType.Document)
        cursor.insertText(text)
        self.editor.document().setModified(False)

    def _detach(self) -> None:
        if self.bridge is not None:
            self.bridge.detach()
            self.bridge = None
        if self.authored is not None:
            self.flush()
            self.authored = None

    def flush(self) -> None:
        """Journal pending edits (runs at least once a second while the window is open)."""
        if self.authored is None:
            return
        try:
            self.authored.flush()
        except Exception as exc:  # noqa: BLE001 - disk full, locked database...
            log.exception("journal write failed")
            self._journal.stop()
            messages.error(
                f"Draftsmith could not journal your recent edits ({exc}). Your text is still "
                "open: save it to a file now.",
            )

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
        """Put `text` in the editor as a fresh document (no undo history, no recording)."""
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
        self._attach(None, "")
        self._update_title()
        self.opened.emit()

    def start_at(self, path: Path) -> None:
        """`draftsmith FILE` for a file that does not exist yet: saved there later."""
        self.path = path
        self._attach(None, "")
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
            content = read_text(path)
        except FileProblem as problem:
            messages.error(
                str(problem))
            return False
        if not self.confirm_discard():
            return False
        self.path = path
        text, annotations = split_annotations(path, content)
        self._annotations = annotations
        self._attach(path, text, imported=True)
        if annotations is not None and annotations.needs_review:
            self._offer_annotations(path, text, annotations)
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
            write_text_atomically(path, self.file_text(text, path))
        except FileProblem as problem:
            messages.error(
                str(problem))
            return False
        self.path = path
        if self.authored is not None:
            if self.store is not None:
                self.store.set_document_path(self.authored.doc_id, str(path.resolve()))
            self.authored.mark_saved(hashlib.sha256(text.encode("utf-8")).hexdigest())
        self.editor.document().setModified(False)
        self._update_title()
        self.window.status.showMessage(f"Saved {path.name} at {time.strftime('%H:%M')}", 4000)
        self.saved.emit(text)
        return True

    def file_text(self, text: str, path: Path | None = None) -> str:
        """What goes into the file: Markdown carries its authorship block by default."""
        path = path or self.path
        wants_block = self.settings["markdown_authorship_block"] and path is not None
        if not wants_block or path.suffix.lower() not in MARKDOWN_SUFFIXES:
            return text
        if self.authored is None or not text:
            return text
        from app.export.annotations import write_annotated_markdown
        from app.provenance import record_for

        return write_annotated_markdown(record_for(self.authored, path.stem))

    def confirm_discard(self) -> bool:
        """True when it is fine to replace or close the current text."""
        if not self.modified:
            return True
        answer = self.window.ask_save_changes(self.name)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def close(self) -> None:
        """Journal the last edits and release the document (called once on shutdown)."""
        self._journal.stop()
        self._detach()
        if self.store is not None:
            self.store.close()
            self.store = None


def split_annotations(path: Path, content: str) -> tuple[str, Any]:
    """The text of a Markdown file without its authorship block, and the parsed block."""
    if path.suffix.lower() not in MARKDOWN_SUFFIXES:
        return content, None
    from app.export.annotations import parse_annotated_markdown

    parsed = parse_annotated_markdown(content)
    if not parsed.has_block:
        return content, None
    return parsed.text, parsed
