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

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox

from app import messages
from app.authorship_bridge import AuthorshipBridge
from app.files import FileProblem, read_text, write_text_atomically
from app.settings import Settings
from app.version import app_version
from app.window_state import WindowState
from memory.document import AuthoredDocument
from memory.events import Author, SourceKind
from memory.provenance import record_for, trust
from memory.provenance.annotations import ParsedAnnotations, write_annotated_markdown
from memory.provenance.trust import BlockChoice, KnownLedger, Source, TrustDecision
from memory.store import Store
from ui.main_window import MainWindow

log = logging.getLogger(__name__)

#: How long after the last keystroke the journal is written (see `DocumentSession`).
SETTLE_MS = 150
JOURNAL_MESSAGE = "journal"
CHANGED_ON_DISK_MESSAGE = "changed-on-disk"

UNTITLED = "Untitled"
MARKDOWN_SUFFIXES = trust.MARKDOWN_SUFFIXES


class DocumentSession(QObject):
    """Which file the editor shows, and whether it has unsaved changes."""

    recent_changed = Signal()
    opened = Signal()
    saved = Signal(str)

    def __init__(
        self,
        window: MainWindow,
        settings: Settings,
        state: WindowState,
        store: Store | None = None,
    ) -> None:
        super().__init__()
        self.window = window
        self.editor = window.editor
        self.settings = settings
        self.state = state
        self.store = store  # None when the database is unusable
        self.path: Path | None = None
        self.authored: AuthoredDocument | None = None
        self.trust: TrustDecision | None = None  # how the open file's authorship was decided
        self._annotations: ParsedAnnotations | None = None  # the open file's block, if any
        self._known: KnownLedger | None = None  # the ledger as it was when the file opened
        self.bridge: AuthorshipBridge | None = None
        self.editor.document().modificationChanged.connect(self.window.setWindowModified)
        self._journal = QTimer(self)
        self._journal.setInterval(int(settings["autosave_interval_ms"]))
        self._journal.timeout.connect(self.flush)
        self._journal.start()
        # A pause in typing journals at once, so a crash just after the last key loses
        # next to nothing (the interval above bounds it while typing goes on).
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.flush)
        self.editor.document().contentsChange.connect(lambda *_: self._settle.start())
        self._journal_failing = False
        self._on_disk: str | None = None  # SHA-256 of the file as last read or written
        self._attach(None, "")
        self._update_title()

    # --- authorship ---------------------------------------------------------------
    def writer(self) -> Author:
        return Author(SourceKind.PERSON, self.settings.writer_name)

    def _attach(self, path: Path | None, text: str, choice: BlockChoice = BlockChoice.ASK) -> None:
        """Give the editor the authored document for `path` and show `text` in it."""
        self._detach()
        self.trust = None
        if self.store is not None:
            try:
                self.authored = self._authored_for(self.store, path, text, choice)
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

    def _authored_for(
        self, store: Store, path: Path | None, text: str, choice: BlockChoice
    ) -> AuthoredDocument:
        """The authored document for a file, by the engine's one trust rule."""
        if path is None:
            self._known = None
            return AuthoredDocument.create(
                store, None, UNTITLED, initial_text=text, initial_author=self.writer()
            )
        key = str(path.resolve())
        if choice is BlockChoice.ASK:
            self._known = trust.known_ledger(store, key)
        decision = trust.decide(
            text,
            self._annotations,
            self._known,
            imported=Author(SourceKind.IMPORT, path.name),
            choice=choice,
        )
        self.trust = decision
        document = trust.open_document(decision, store, key, path.name, self._known)
        if decision.source is Source.RECOVERY:
            self._offer_recovery(document, text)
        elif decision.source is Source.EXTERNAL:
            messages.info(
                f"“{path.name}” was changed outside Draftsmith. "
                "The changed text is marked as written by an unknown author.",
            )
        return document

    def _offer_annotations(self, path: Path, text: str) -> None:
        """The file's authorship block needs review: ask, never guess."""

        def apply_anyway() -> None:
            if self.path == path:
                self._attach(path, text, BlockChoice.KEEP)

        def keep_as_imported() -> None:
            # The document already is what ignoring the block gives; record the choice.
            if self.path == path and self.trust is not None and self.trust.needs_decision:
                self.trust = trust.decide(
                    text,
                    self._annotations,
                    self._known,
                    imported=Author(SourceKind.IMPORT, path.name),
                    choice=BlockChoice.IGNORE,
                )

        decision = self.trust
        problems = decision.problems if decision is not None else ()
        reason = "; ".join(problems) or "the text changed after it was written"
        meanwhile = (
            "Its text is treated as imported until you decide."
            if decision is None or decision.source is Source.IMPORTED
            else "Draftsmith's own record of the file is used until you decide."
        )
        messages.warning(
            f"“{path.name}” has an authorship block that does not match its text ({reason}). "
            + meanwhile,
            actions=[
                ("Apply Its Authorship Anyway", apply_anyway),
                ("Keep as Imported", keep_as_imported),
            ],
        )

    def _offer_recovery(self, document: AuthoredDocument, disk_text: str) -> None:
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
            if not self._journal_failing:
                self._journal_failing = True  # keep trying every tick; say it once
                messages.error(
                    f"Draftsmith could not journal your recent edits ({exc}). Your text is "
                    "still open: save it to a file now. Journaling resumes by itself when "
                    "the disk allows.",
                    id=JOURNAL_MESSAGE,
                )
            return
        if self._journal_failing:
            self._journal_failing = False
            messages.retract(JOURNAL_MESSAGE)
            messages.info("Journaling works again: your edits are safe from a crash.")

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
        self._on_disk = None
        self._annotations = None
        self._attach(None, "")
        self._update_title()
        self.opened.emit()

    def start_at(self, path: Path) -> None:
        """`draftsmith FILE` for a file that does not exist yet: saved there later."""
        self.path = path
        self._on_disk = None
        self._annotations = None
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
            messages.error(str(problem))
            return False
        if not self.confirm_discard():
            return False
        self.path = path
        self._on_disk = _fingerprint(path)
        text, self._annotations = trust.split_block(path, content)
        self._attach(path, text)
        if self.trust is not None and self.trust.needs_decision:
            self._offer_annotations(path, text)
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

    def _write(self, path: Path, *, overwrite: bool = False) -> bool:
        text = self.editor.toPlainText()
        if not overwrite and self._changed_on_disk(path):
            self._offer_overwrite(path)
            return False
        try:
            write_text_atomically(path, self.file_text(text, path))
        except FileProblem as problem:
            messages.error(str(problem))
            return False
        messages.retract(CHANGED_ON_DISK_MESSAGE)
        self.path = path
        self._on_disk = _fingerprint(path)
        if self.authored is not None:
            if self.store is not None:
                self.store.set_document_path(self.authored.doc_id, str(path.resolve()))
            self.authored.mark_saved(hashlib.sha256(text.encode("utf-8")).hexdigest())
        self.editor.document().setModified(False)
        self._update_title()
        self.window.status.showMessage(f"Saved {path.name} at {time.strftime('%H:%M')}", 4000)
        self.saved.emit(text)
        return True

    def _changed_on_disk(self, path: Path) -> bool:
        """Whether the open file was changed by another program (or another window)
        since Draftsmith last read or wrote it."""
        if self.path is None or path.resolve() != self.path.resolve() or self._on_disk is None:
            return False
        now = _fingerprint(path)
        return now is not None and now != self._on_disk

    def _offer_overwrite(self, path: Path) -> None:
        """Never overwrite another program's edit silently: the writer decides."""

        def overwrite() -> None:
            if self.path is not None and self.path.resolve() == path.resolve():
                self._write(path, overwrite=True)

        def save_elsewhere() -> None:
            self.save_as()

        messages.warning(
            f"“{path.name}” was changed by another program since Draftsmith opened it, so it "
            "was not saved. Overwrite it with your text, or save yours under another name.",
            actions=[("Overwrite", overwrite), ("Save As…", save_elsewhere)],
            id=CHANGED_ON_DISK_MESSAGE,
        )

    def file_text(self, text: str, path: Path | None = None) -> str:
        """What goes into the file: Markdown carries its authorship block by default."""
        path = path or self.path
        if path is None or not self.settings["markdown_authorship_block"]:
            return text
        if path.suffix.lower() not in MARKDOWN_SUFFIXES or self.authored is None or not text:
            return text

        return write_annotated_markdown(record_for(self.authored, path.stem, app_version()))

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
        self._settle.stop()
        self._detach()
        if self.store is not None:
            self.store.close()
            self.store = None


def _fingerprint(path: Path) -> str | None:
    """The SHA-256 of a file's bytes (what it says, not when it was touched), or None
    when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
