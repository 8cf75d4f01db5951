"""The open document: its file, its unsaved state, its authorship, opening and saving it.

Files are UTF-8 Markdown or text, saved atomically. A file that cannot be read
gives a plain message and leaves the current text untouched; closing with unsaved
changes asks first. Every edit goes into the document's ledger (through the
authorship bridge), which is flushed on a short pause in typing and at least every
half second while typing goes on, so a crash loses at most half a second of it.

Every document is recoverable, titled or not: an untitled window (or a new file not
written yet) gets its row and stable id with its first edit, and nothing when nobody
types in it. Closing cleanly saves the document, or, when the writer discards the
changes, takes them out of the journal (`memory.recovery.discard`); so at start-up
whatever is still ahead of its save is unsaved work, offered back (`offer_recoverable`)
for the writer to open or discard. Nothing is discarded without the writer's word.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox

from app import editor_load, garbage, messages, paths
from app.authorship_bridge import AuthorshipBridge
from app.crash import report_bug
from app.editor_load import EditorLoad
from app.errors import is_expected
from app.file_locks import FileLock
from app.files import (
    UTF8,
    FileFormat,
    FileProblem,
    NotUtf8,
    encode_pieces,
    encoding_name,
    read_document,
    write_bytes_atomically,
)
from app.settings import Settings
from app.tasks import TaskRunner
from app.version import app_version
from app.window_state import WindowState
from memory import recovery
from memory.document import AuthoredDocument
from memory.document import text_sha256 as recovery_sha256
from memory.errors import DraftsmithError
from memory.events import Author, EditEvent, SourceKind
from memory.provenance import record_for, trust
from memory.provenance.annotations import (
    ParsedAnnotations,
    annotation_block_of_pieces,
    write_annotated_markdown,
)
from memory.provenance.text_hash import sha256_of_pieces
from memory.provenance.trust import BlockChoice, KnownLedger, Source, TrustDecision
from memory.store import Store
from memory.utf16_offsets import Utf16Offsets
from ui.main_window import MainWindow

log = logging.getLogger(__name__)

#: How long after the last keystroke the journal is written (see `DocumentSession`).
SETTLE_MS = 150
#: The longest an edit waits in memory while typing goes on without a pause: a kill at
#: any moment loses at most this much typing (plus one flush, a few milliseconds).
MAX_LATENCY_MS = 500
JOURNAL_MESSAGE = "journal"
CHANGED_ON_DISK_MESSAGE = "changed-on-disk"
OPEN_ELSEWHERE_MESSAGE = "open-elsewhere"
RECOVERY_MESSAGE = "recovered"
STARTUP_RECOVERY_MESSAGE = "recoverable"
#: `_on_disk` when the file is known to differ from Draftsmith's last save (so the
#: next save asks before overwriting it).
CHANGED_OUTSIDE = "changed outside Draftsmith"

UNTITLED = "Untitled"
MARKDOWN_SUFFIXES = trust.MARKDOWN_SUFFIXES


class DocumentSession(QObject):
    """Which file the editor shows, and whether it has unsaved changes."""

    recent_changed = Signal()
    opened = Signal()
    #: After a save is recorded: the `Path` saved to. (It carried the text once; a long
    #: text is not one string any more when it is saved: see `_snapshot`.)
    saved = Signal(object)
    #: After a journal flush that wrote edits: the length of the text it covers.
    journaled = Signal(int)
    #: From the "io" lane: a save's file is written (or failed); queued to the GUI thread.
    _save_done = Signal(object)

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
        # ...and, however fast the typing, at least every MAX_LATENCY_MS: started by the
        # first edit after a flush and never pushed back by the next keystroke.
        self._latency = QTimer(self)
        self._latency.setSingleShot(True)
        self._latency.setInterval(MAX_LATENCY_MS)
        self._latency.timeout.connect(self.flush)
        self.editor.document().contentsChange.connect(self._edited)
        self._lock: recovery.DocumentLock | None = None
        self._file_lock: FileLock | None = None  # this file is open here (other processes)
        self._journal_failing = False
        self._on_disk: str | None = None  # SHA-256 of the file as last read or written
        self.file_format: FileFormat = UTF8  # encoding, BOM, newlines: restored on save
        # Saves are written on their own "io" lane (one thread: never two writers), so a
        # save never waits behind an export; one runs at a time, one more may wait.
        self._saves = TaskRunner(self, on_bug=report_bug)
        self._save_job: _SaveJob | None = None
        self._save_queued: _SaveRequest | None = None
        self._save_done.connect(self._save_written)
        self._reading: _Reading | None = None  # a long file's block being parsed
        # A long text goes into the editor in slices (`app.editor_load`); meanwhile the
        # editor is read-only and what waits for the whole text waits for `_loaded`.
        self._load: EditorLoad | None = None
        self._preview: EditorLoad | None = None  # a long file's first screen, meanwhile
        self._when_loaded: list[Callable[[], None]] = []
        self._read_only = False  # the file is open in another Draftsmith (see _claim_file)
        self._loaded_map: tuple[str, Utf16Offsets | None] | None = None  # (text, its map)
        self._attach(None, "")
        self._update_title()

    def _edited(self, *_args: object) -> None:
        self._settle.start()
        if not self._latency.isActive():
            self._latency.start()

    # --- authorship ---------------------------------------------------------------
    def writer(self) -> Author:
        return Author(SourceKind.PERSON, self.settings.writer_name)

    def _attach(
        self,
        path: Path | None,
        text: str,
        choice: BlockChoice = BlockChoice.ASK,
        found: _Authorship | BaseException | None = None,
        preview: EditorLoad | None = None,
    ) -> None:
        """Give the editor the authored document for `path` and show `text` in it.
        `found`: the trust rule's answer worked out on the "open" lane (a long file),
        or what stopped it there; `preview`: that file's first screen, shown meanwhile
        (kept when what is shown begins with it)."""
        self._detach()
        self.trust = None
        if self.store is not None:
            try:
                if isinstance(found, BaseException):
                    raise found
                self.authored = self._authored_for(self.store, path, text, choice, found)
            except Exception as exc:  # noqa: BLE001 - a bad store must not cost the text
                log.exception("authorship unavailable")
                self.authored = None
                messages.warning(
                    f"Authorship is not being recorded for this document: {exc}",
                )
        shown = self.authored.text if self.authored is not None else text
        authored = self.authored
        self._show_text(shown, modified=authored is not None and shown != text, preview=preview)
        if authored is not None:
            self._take_lock(authored)
            self._once_loaded(lambda: self._bind(authored))
        self._claim_file(path)

    def _bind(self, document: AuthoredDocument, positions: Utf16Offsets | None = None) -> None:
        """The editor holds `document`'s whole text: record its edits from now on.
        `positions`: its UTF-16 map, found as a long text went in (`app.editor_load`;
        a scan of every character, 25-60 ms per MB with emoji, in one go otherwise)."""
        if self.authored is not document or self.bridge is not None:
            return
        loaded = self._loaded_map
        if positions is None and loaded is not None and loaded[0] is document.text:
            positions = loaded[1]
        self.bridge = AuthorshipBridge(self.editor, document, self.writer, positions)
        garbage.freeze_what_lives(len(document))  # a long one: out of full collections

    def _claim_file(self, path: Path | None) -> None:
        """Note in the data folder that this window has `path` open; when another
        Draftsmith has it open, show it read-only until the writer chooses."""
        lock = self._file_lock
        if path is None or (lock is not None and lock.held and lock.target == str(path.resolve())):
            return
        self._release_file()
        lock = self._file_lock = FileLock(paths.data_dir(), path)
        holder = lock.acquire()
        if holder is None:
            return
        self._set_read_only(True)

        def edit_here() -> None:
            if self._file_lock is lock:
                lock.take_over()
                self._set_read_only(False)

        messages.warning(
            f"“{path.name}” is already open in another Draftsmith window (process "
            f"{holder.pid}). It is shown read-only here so neither window overwrites the "
            "other's work.",
            actions=[("Edit Here Anyway", edit_here), ("Keep Read-Only", lambda: None)],
            id=OPEN_ELSEWHERE_MESSAGE,
        )

    def _release_file(self) -> None:
        if self._file_lock is not None:
            self._file_lock.release()
            self._file_lock = None
        self._set_read_only(False)
        messages.retract(OPEN_ELSEWHERE_MESSAGE)

    def _set_read_only(self, read_only: bool) -> None:
        """Read-only for the writer's reason (open elsewhere); also while loading."""
        self._read_only = read_only
        self.editor.setReadOnly(read_only or self.loading)

    def _take_lock(self, document: AuthoredDocument) -> None:
        """Tell other Draftsmith processes this document is open here (not to offer it)."""
        if self.store is None:
            return
        messages.retract(f"{STARTUP_RECOVERY_MESSAGE}:{document.doc_id}")  # offered: now open
        self._lock = recovery.DocumentLock(recovery.locks_dir(self.store), document.doc_id)
        if not self._lock.acquire():
            log.warning("document %s is also open in another Draftsmith", document.doc_id)
            self._lock = None

    def _authored_for(
        self,
        store: Store,
        path: Path | None,
        text: str,
        choice: BlockChoice,
        found: _Authorship | None = None,
    ) -> AuthoredDocument:
        """The authored document for a file, by the engine's one trust rule (`found`:
        already worked out on the "open" lane, on a connection of its own)."""
        if path is None:
            self._known = None
            # The row (and so the journal's record of it) is made by the first edit.
            return AuthoredDocument.draft(store, None, UNTITLED)
        if found is None:
            found = _authorship(store, path, text, self._annotations, choice, self._known)
        else:
            found = found.bound_to(store)
        self._known = found.known
        decision = self.trust = found.decision
        document = found.document
        if decision.source is Source.RECOVERY:
            if found.outside:
                # Saving asks before replacing the other program's version.
                self._on_disk = CHANGED_OUTSIDE
            self._offer_recovery(document, text, changed_outside=found.outside)
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

    def _offer_recovery(
        self, document: AuthoredDocument, disk_text: str, *, changed_outside: bool = False
    ) -> None:
        name = self.path.name if self.path else "this document"

        def go_back() -> None:
            if self.authored is not document or self.bridge is None:
                return
            if changed_outside:
                self._adopt_file(document, disk_text)
            else:
                self._go_back_to_saved(document)

        if changed_outside:
            messages.warning(
                f"Draftsmith kept unsaved changes to “{name}” from before it last closed, "
                "and the file also changed outside Draftsmith since then. Your recovered "
                "text is shown; saving asks before replacing the other version.",
                actions=[
                    ("Keep Recovered Text", lambda: None),
                    ("Use the File's Version", go_back),
                ],
                id=RECOVERY_MESSAGE,
            )
            return
        messages.warning(
            f"Draftsmith kept unsaved changes to “{name}” from before it last closed. "
            "They are shown now; save to keep them.",
            actions=[("Keep Recovered Text", lambda: None), ("Go Back to the Saved File", go_back)],
            id=RECOVERY_MESSAGE,
        )

    def _rebind(self, document: AuthoredDocument) -> None:
        """Show `document`'s text again after it changed underneath the editor."""
        if self.bridge is not None:
            self.bridge.detach()
            self.bridge = None
        self._show_text(document.text)
        self._once_loaded(lambda: self._bind(document))
        self._announce_opened()

    def _go_back_to_saved(self, document: AuthoredDocument) -> None:
        """The writer's word: drop the recovered work (the journal keeps the history)."""
        if self.bridge is not None:
            self.bridge.detach()
            self.bridge = None
        recovery.discard(document, self.writer())
        self._rebind(document)

    def _adopt_file(self, document: AuthoredDocument, disk_text: str) -> None:
        """The writer chose the other program's version over the recovered work."""
        if self.bridge is not None:
            self.bridge.detach()
            self.bridge = None
        recovery.discard(document, self.writer())  # back to the last save, then theirs
        document.reconcile_with_disk(disk_text)
        self._on_disk = _fingerprint(self.path) if self.path else None
        self._rebind(document)

    def _detach(self) -> None:
        self.finish_saving()  # a save in flight is recorded against its own document
        self._cancel_load()
        if self.bridge is not None:
            self.bridge.detach()
            self.bridge = None
        if self.authored is not None:
            self.flush()
            self.authored = None
            garbage.thaw()  # what it leaves behind is collected
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        self._release_file()
        messages.retract(RECOVERY_MESSAGE)

    def _discard_current(self) -> None:
        """The writer said Discard: the unsaved work leaves the journal too, so it is
        not offered back at the next start (`memory.recovery.discard`)."""
        document = self.authored
        if document is None:
            return
        if self.bridge is not None:
            self.bridge.detach()
            self.bridge = None
        try:
            recovery.discard(document, self.writer())
        except Exception:  # noqa: BLE001 - keeping the work is the safe failure
            log.exception("could not take discarded changes out of the journal")
        self.authored = None
        self._detach()

    def flush(self) -> None:
        """Journal pending edits (on a pause, and at least every MAX_LATENCY_MS)."""
        self._latency.stop()
        if self.authored is None:
            return
        try:
            written = self.authored.flush()
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
        if written:
            self.journaled.emit(len(self.authored))

    @property
    def name(self) -> str:
        return self.path.name if self.path else UNTITLED

    @property
    def modified(self) -> bool:
        return self.editor.document().isModified()

    def _update_title(self) -> None:
        self.window.setWindowTitle(f"{self.name}[*] — Draftsmith")
        self.window.setWindowModified(self.modified)

    def _show_text(
        self, text: str, *, modified: bool = False, preview: EditorLoad | None = None
    ) -> None:
        """Put `text` in the editor as a fresh document (no undo history, no recording):
        at once when short, else in slices (`app.editor_load`), read-only meanwhile;
        what needs the whole text in the editor waits for it (`_once_loaded`). A held
        `preview` whose first screen `text` begins with goes on from there."""
        self._cancel_load()
        if preview is not None:
            if len(text) > editor_load.PROGRESSIVE_CHARS and preview.go_on_with(text):
                self._load = preview
                self._set_read_only(self._read_only)
                self.editor.document().setModified(modified)
                self._load_progress(*preview.progress)
                return
            preview.cancel()
            preview.deleteLater()
        if len(text) <= editor_load.PROGRESSIVE_CHARS:
            self.editor.setPlainText(text)
            self.editor.document().setModified(modified)
            cursor = self.editor.textCursor()
            cursor.movePosition(cursor.MoveOperation.End)
            self.editor.setTextCursor(cursor)
            return
        load = self._load = EditorLoad(
            self.editor, text, on_done=self._loaded, on_progress=self._load_progress
        )
        self._set_read_only(self._read_only)
        load.start(now=False)  # its own turn: the first screen paints straight after it
        self.editor.document().setModified(modified)
        self._load_progress(*load.progress)

    @property
    def loading(self) -> bool:
        """Whether a long file is still being read or put into the editor (read-only
        until then)."""
        return self._reading is not None or self._load is not None

    def wait_loaded(self) -> None:
        """Finish opening at once (scripts, tests, a save): afterwards the editor holds
        the whole text and records edits."""
        reading = self._reading
        if reading is not None:
            reading.done.wait()
            self._read_finished(reading)
        if self._load is not None:
            self._load.finish_now()

    def _once_loaded(self, step: Callable[[], None]) -> None:
        """Run `step` once the editor holds the whole text (now if it does)."""
        if self._load is None:
            step()
        else:
            self._when_loaded.append(step)

    def _announce_opened(self) -> None:
        """`opened`, once the whole text is in the editor (its listeners read it)."""
        self._once_loaded(self.opened.emit)

    def _load_progress(self, done: int, total: int) -> None:
        """The note in the status bar while a long text goes in (in steps of 10 %)."""
        tenth = done * 10 // max(total, 1)
        note = f"Opening {self.name}… {tenth * 10} %"
        if self.window.status.currentMessage() != note:
            self.window.status.showMessage(note)

    def _loaded(self) -> None:
        """The last slice is in: the authorship attached, then whoever waited."""
        load, self._load = self._load, None
        steps, self._when_loaded = self._when_loaded, []
        self.window.status.clearMessage()
        self._set_read_only(self._read_only)
        self._loaded_map = (load.text, load.positions()) if load is not None else None
        document = self.editor.document()
        modified, length = document.isModified(), document.characterCount()
        try:
            for step in steps:
                step()
        finally:
            self._loaded_map = None
            # A restyle by a listener (the spelling layer, on `opened`) wraps its formats
            # in an edit block, which Qt counts as a modification after undo was off.
            if not modified and document.characterCount() == length:
                document.setModified(False)
            if load is not None:
                load.deleteLater()

    def _cancel_load(self) -> None:
        """Closing, or another text shown, mid-load: stop putting this one in."""
        preview, self._preview = self._preview, None
        if preview is not None:
            preview.cancel()
            preview.deleteLater()
        if self._reading is not None:
            self._reading = None  # its thread's result is dropped when it comes
            self.window.status.clearMessage()
            self._set_read_only(self._read_only)
        load = self._load
        if load is None:
            return
        self._load = None
        self._when_loaded = []
        load.cancel()
        load.deleteLater()
        self.window.status.clearMessage()
        self._set_read_only(self._read_only)

    # --- commands ----------------------------------------------------------------
    def new_document(self) -> None:
        if not self.confirm_discard():
            return
        self.path = None
        self._on_disk = None
        self._annotations = None
        self.file_format = UTF8
        self._attach(None, "")
        self._update_title()
        self._announce_opened()

    def start_at(self, path: Path) -> None:
        """`draftsmith FILE` for a file that does not exist yet: saved there later."""
        self.path = path
        self._on_disk = None
        self._annotations = None
        self.file_format = UTF8
        key = str(path.resolve())
        earlier = self.store.document_for_path(key) if self.store is not None else None
        if earlier is not None and self._is_recoverable(earlier):
            # Typed into before a crash, never written: the journal brings it back.
            self._attach_recovered(earlier, path)
        else:
            self._attach(None, "")
            if self.authored is not None:
                self.authored.ledger.set_new_row(key, path.name)
        self._update_title()
        self._announce_opened()

    def _is_recoverable(self, doc_id: str) -> bool:
        if self.store is None:
            return False
        try:
            info = self.store.document_info(doc_id)
            return info.has_unsaved_changes and not recovery.is_open_elsewhere(self.store, doc_id)
        except (KeyError, DraftsmithError):
            return False

    def _attach_recovered(self, doc_id: str, path: Path | None) -> None:
        """Show a document's journaled text (no file to read: untitled, or not written)."""
        assert self.store is not None
        self._detach()
        self.trust = None
        self._known = None
        self.authored = AuthoredDocument.open(self.store, doc_id)
        authored = self.authored
        self._take_lock(authored)
        self._show_text(authored.text, modified=True)
        self._once_loaded(lambda: self._bind(authored))
        name = f"“{path.name}”" if path else f"“{recovery.first_line(self.authored.text)}”"
        messages.warning(
            f"Draftsmith kept unsaved text of {name} from before it last closed. It is "
            "shown now; save it to keep it.",
            actions=[("Keep Recovered Text", lambda: None), ("Discard It", self._discard_shown)],
            id=RECOVERY_MESSAGE,
        )

    def _discard_shown(self) -> None:
        """Discard the recovered text now shown (the writer's word): an empty page."""
        self._discard_current()
        self.path = None
        self._on_disk = None
        self._annotations = None
        self.file_format = UTF8
        self._attach(None, "")
        self._update_title()
        self._announce_opened()

    def open_recovered(self, doc_id: str) -> bool:
        """Open a document offered back at start-up: its file when that still exists
        (the trust rule then brings the journaled work), else its journaled text."""
        if self.store is None or not self._is_recoverable(doc_id):
            return False
        info = self.store.document_info(doc_id)
        path = Path(info.path) if info.path else None
        if path is not None and path.exists():
            return self.open_path(path)
        if not self.confirm_discard():
            return False
        self.path = path
        self._on_disk = None
        self._annotations = None
        self.file_format = UTF8
        self._attach_recovered(doc_id, path)
        self._update_title()
        self._announce_opened()
        return True

    def offer_recoverable(self) -> list[recovery.Recoverable]:
        """At start-up: offer back every document with unsaved journaled work (untitled
        ones by their first line and time); the writer opens or discards each."""
        if self.store is None:
            return []
        try:
            recovery.remove_empty_untitled(self.store)
            own = {self.authored.doc_id} if self.authored is not None else None
            found = recovery.recoverable_documents(self.store, skip=own)
        except DraftsmithError as exc:
            log.warning("could not look for unsaved work: %s", exc)
            return []
        for item in found:
            self._offer_startup(item)
        return found

    def _offer_startup(self, item: recovery.Recoverable) -> None:
        message_id = f"{STARTUP_RECOVERY_MESSAGE}:{item.id}"
        when = time.strftime("%d %b %H:%M", time.localtime(item.saved_at))
        if item.path is None:
            what = f"an untitled document, “{item.first_line or '…'}”"
        else:
            what = f"“{item.title}”"
        count = item.unsaved_characters
        chars = f"{count:,} unsaved character{'' if count == 1 else 's'}"
        text = f"Draftsmith kept {chars} of {what} from before it last closed (last typed {when})."
        if item.file_changed:
            text += " Its file also changed outside Draftsmith since then."

        def open_it() -> None:
            if self.open_recovered(item.id):
                messages.retract(message_id)

        def discard_it() -> None:
            messages.retract(message_id)
            self.discard_recoverable(item.id)

        messages.warning(
            text,
            actions=[("Open It", open_it), ("Discard It", discard_it)],
            id=message_id,
        )

    def discard_recoverable(self, doc_id: str) -> bool:
        """Drop a document's unsaved journaled work, as the writer asked."""
        if self.store is None or not self._is_recoverable(doc_id):
            return False
        recovery.discard(AuthoredDocument.open(self.store, doc_id), self.writer())
        return True

    def ask_and_open(self) -> None:
        folder = str(self.path.parent) if self.path else ""
        chosen = self.window.ask_open_path(folder)
        if chosen:
            self.open_path(chosen)

    def open_path(self, path: str | Path, encoding: str | None = None) -> bool:
        """Open a file; on failure say why and keep the current document. `encoding`
        opens a file that is not UTF-8 converted (the writer's choice)."""
        path = Path(path)
        if self.path is not None and path.resolve() == self.path.resolve() and not self.modified:
            return True
        try:
            opened = read_document(path, encoding)
        except NotUtf8 as problem:
            self._offer_conversion(path, problem)
            return False
        except FileProblem as problem:
            messages.error(str(problem))
            return False
        content = opened.text
        if not self.confirm_discard():
            return False
        self.path = path
        self.file_format = opened.format
        for notice in opened.notices:
            messages.info(notice)
        if len(content) > editor_load.PROGRESSIVE_CHARS:
            # A long file: its block parsed and its bytes hashed on a thread of its own,
            # then shown slice by slice; the window stays responsive (read-only) meanwhile.
            self._detach()
            self.trust = None
            self._annotations = None
            self._on_disk = None
            self._cancel_load()
            held = self.editor.blockSignals(True)
            try:
                self.editor.setPlainText("")
            finally:
                self.editor.blockSignals(held)
            library = self.store.path if self.store is not None else None
            reading = self._reading = _Reading(
                path, content, library=None if library == ":memory:" else library
            )
            # The file's first screen goes in at once, while the lane works (seconds for
            # a manuscript's runs); the load goes on from it with the text to show.
            preview = self._preview = EditorLoad(
                self.editor,
                content,
                on_done=self._loaded,
                on_progress=self._load_progress,
                hold=True,
            )
            preview.start(now=False)
            self._set_read_only(self._read_only)
            self.window.status.showMessage(f"Opening {path.name}…")
            self._update_title()
            # The session's own "open" lane (its thread kept, so an open waits for no
            # thread to start), beside the "io" lane that saves: an open never queues
            # behind a save.
            self._saves.submit(
                lambda _context: _split(reading),
                name="open",
                lane="open",
                on_success=lambda _none: self._read_finished(reading),
            )
            return True
        self._on_disk = _fingerprint(path)
        text, self._annotations = trust.split_block(path, content)
        self._show_opened(path, text)
        return True

    def _read_finished(self, reading: _Reading) -> None:
        """Back on the GUI thread (signalled, or waited for): show the file read."""
        if reading is not self._reading:
            return  # cancelled: closed, or another file opened meanwhile
        self._reading = None
        preview, self._preview = self._preview, None
        path = reading.path
        text, self._annotations = reading.text, reading.annotations
        found = reading.authorship
        if reading.error is not None:  # a bug: shown and reported, the text kept whole
            report_bug(reading.error, reading.details)
            text, self._annotations, found = reading.content, None, None
        self._on_disk = reading.fingerprint
        self._show_opened(path, text, found, preview)

    def _show_opened(
        self,
        path: Path,
        text: str,
        found: _Authorship | BaseException | None = None,
        preview: EditorLoad | None = None,
    ) -> None:
        """The file's text (its block split off) into the editor, by the trust rule
        (`found`: applied on the "open" lane already; `preview`: the file's first screen,
        in the editor meanwhile)."""
        self._attach(path, text, found=found, preview=preview)
        if self.trust is not None and self.trust.needs_decision:
            self._offer_annotations(path, text)
        self._update_title()
        self.state.add_recent(path)
        self.recent_changed.emit()
        self._announce_opened()

    def save(self) -> bool:
        """Save and return once the file is written (closing, scripts): True if saved."""
        if self.path is None:
            return self.save_as()
        return self._write(self.path, wait=True)

    def save_in_background(self) -> None:
        """Ctrl+S: the text is taken as it is now and written on the "io" lane, so the
        window keeps taking keys; a save asked for while one is running waits for it
        (the newest request wins, never two writers on one file)."""
        if self.path is None:
            self.save_as()
            return
        self._write(self.path)

    def save_as(self) -> bool:
        suggested = str(self.path) if self.path else str(Path.home() / f"{UNTITLED}.md")
        chosen = self.window.ask_save_path(suggested)
        if not chosen:
            return False
        return self._write(Path(chosen), wait=True, recent=True)

    @property
    def saving(self) -> bool:
        """Whether a save is being written (or waits for the one being written)."""
        return self._save_job is not None or self._save_queued is not None

    def finish_saving(self) -> bool:
        """Wait for the save being written, and any queued behind it; False when the
        last of them failed (its message is shown, the work stays in the journal)."""
        ok = True
        while self._save_job is not None:
            job = self._save_job
            job.done.wait()
            ok = self._save_written(job)
        return ok

    def _write(
        self, path: Path, *, overwrite: bool = False, wait: bool = False, recent: bool = False
    ) -> bool:
        """Save the editor's text to `path`. The text and its runs are taken here, on
        the GUI thread; the block, the encoding, the atomic write and the fsync happen
        on the "io" lane (`_write_file`); `_save_written` records the save back here.
        `wait`: return once written (True if it was); else True once started or queued."""
        if self._reading is not None:
            self.wait_loaded()  # the file's block parsed and its authorship decided first
        if self._save_job is not None:
            if not wait:
                self._save_queued = _SaveRequest(path, overwrite, recent)
                return True
            self.finish_saving()  # and any queued behind it: this one comes after them
        if not overwrite and self._changed_on_disk(path):
            self._offer_overwrite(path)
            return False
        if self.file_format.converted_from:
            self._offer_encoding(path, overwrite)
            return False
        job = self._snapshot(path, recent)
        self._save_job = job
        self._saves.submit(lambda _context: self._run_save(job), name="save", lane="io")
        if not wait:
            # Its own turn of the event loop (1 MB: 20-30 ms), while the lane writes.
            QTimer.singleShot(0, self, lambda: self._keep_snapshot_of(job))
            return True
        self._keep_snapshot_of(job)  # while the lane writes the file
        job.done.wait()
        return self._save_written(job)

    def _snapshot(self, path: Path, recent: bool) -> _SaveJob:
        """What the save writes, taken at once (cheap: the record holds the text and
        lists of the runs and events, all immutable)."""
        if self.authored is None:
            self.wait_loaded()  # no authored text: the editor's, all of it
        authored = self.authored
        # The authored text is the editor's (the bridge records every change), and is
        # there for free as the chunks it is held in (immutable strings: the lane reads
        # them as they are; joined, 50 MB took 50-400 ms holding the interpreter's
        # lock); the editor's costs a copy through UTF-16 (10 ms per MB).
        pieces = (
            authored.authored_text.chunks()
            if authored is not None
            else (self.editor.toPlainText(),)
        )
        self.flush()  # the journal holds everything up to the saved seq
        authorship: _SavedRuns | None = None
        if self._wants_block(any(pieces), path):
            assert authored is not None
            # Its runs and events as of now (a list and a shallow copy); the block is
            # made on the lane (`_write_file`).
            authorship = _SavedRuns(
                runs=authored.authored_text.runs(), events=authored.events_copy()
            )
        return _SaveJob(
            path=path,
            pieces=pieces,
            authorship=authorship,
            file_format=self.file_format,
            authored=authored,
            head_seq=authored.head_seq if authored is not None else 0,
            revision=self.editor.document().revision(),
            recent=recent,
        )

    def _keep_snapshot_of(self, job: _SaveJob) -> None:
        """Keep the ledger's state as of the text `job` saves, so reopening the saved
        file replays nothing (`Ledger.snapshot_head`); not when typing moved on since."""
        authored = job.authored
        if authored is not None and authored is self.authored and authored.head_seq == job.head_seq:
            _keep_snapshot(authored)

    def _run_save(self, job: _SaveJob) -> None:
        """On the "io" lane: write the file, then hand the job back to the GUI thread."""
        _write_file(job)
        self._save_done.emit(job)

    def _save_written(self, job: _SaveJob) -> bool:
        """Back on the GUI thread once `job` is written: record the save, say so, and
        start the save queued behind it. Runs once per job (waiting or signalled)."""
        if job.finished:
            return job.fingerprint is not None
        job.finished = True
        if self._save_job is job:
            self._save_job = None
        try:
            ok = self._record_save(job)
        finally:
            queued, self._save_queued = self._save_queued, None
            if queued is not None and self._save_job is None:
                self._write(queued.path, overwrite=queued.overwrite, recent=queued.recent)
        return ok

    def _record_save(self, job: _SaveJob) -> bool:
        path = job.path
        if job.block_problem is not None:
            log.warning("authorship block not built: %s", job.block_problem)
            messages.error(
                f"“{path.name}” is saved without its authorship block: Draftsmith's library "
                f"could not be read ({job.block_problem}). Your text is complete.",
                id="save-without-block",
            )
        if job.error is not None:
            if is_expected(job.error):
                messages.error(str(job.error))
            else:
                report_bug(job.error, job.details)
            return False
        messages.retract(CHANGED_ON_DISK_MESSAGE)
        messages.retract(RECOVERY_MESSAGE)
        self.path = path
        self._on_disk = job.fingerprint
        self._claim_file(path)  # Save As: the new file is open here now
        authored = job.authored
        if authored is not None and authored is self.authored:
            key = str(path.resolve())
            self.flush()  # the row exists once there is an edit
            try:  # the file is saved, block and all; the database may still fail
                if self.store is not None and authored.ledger.has_row:
                    self.store.set_document_path(authored.doc_id, key)
                else:
                    authored.ledger.set_new_row(key, path.name)
                authored.flush()
                # As of the text written: what was typed since is still unsaved.
                authored.store.mark_saved(authored.doc_id, job.head_seq, job.text_sha256)
            except DraftsmithError as exc:
                log.warning("saved, but the library could not record it: %s", exc)
                messages.warning(
                    f"“{path.name}” was saved, with its authorship. Draftsmith could not "
                    f"note the save in its library ({exc}); your file is complete.",
                    id="save-not-recorded",
                )
        if self._unchanged_since(job):
            self.editor.document().setModified(False)
        self._update_title()
        if job.recent:
            self.state.add_recent(path)
            self.recent_changed.emit()
        self.window.status.showMessage(f"Saved {path.name} at {time.strftime('%H:%M')}", 4000)
        self.saved.emit(path)
        return True

    def _unchanged_since(self, job: _SaveJob) -> bool:
        """Whether the editor still holds what `job` wrote (typing during a save keeps
        the document modified)."""
        if job.authored is not None and job.authored is self.authored:
            return self.authored.head_seq == job.head_seq
        document = self.editor.document()
        return document.revision() == job.revision or self.editor.toPlainText() == "".join(
            job.pieces
        )

    def _offer_conversion(self, path: Path, problem: NotUtf8) -> None:
        def open_converted() -> None:
            self.open_path(path, problem.encoding)

        name = encoding_name(problem.encoding)
        messages.warning(str(problem), actions=[(f"Open Converted from {name}", open_converted)])

    def _offer_encoding(self, path: Path, overwrite: bool) -> None:
        """A file opened converted is never saved in another encoding without a word."""
        fmt = self.file_format
        name = encoding_name(fmt.converted_from)

        def save_with(chosen: FileFormat) -> None:
            if self.file_format is fmt:
                self.file_format = chosen
                self._write(path, overwrite=overwrite, wait=True)

        messages.warning(
            f"“{path.name}” was opened converted from {name}. Save it as UTF-8 (what "
            f"Draftsmith and most programs use), or keep it in {name}?",
            actions=[
                ("Save as UTF-8", lambda: save_with(fmt.as_utf8())),
                (f"Keep {name}", lambda: save_with(fmt.keeping_encoding())),
            ],
            id="file-encoding",
        )

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
                self._write(path, overwrite=True, wait=True)

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
        if path is None or not self._wants_block(bool(text), path):
            return text
        assert self.authored is not None
        return write_annotated_markdown(record_for(self.authored, path.stem, app_version()))

    def _wants_block(self, has_text: bool, path: Path) -> bool:
        return bool(
            self.settings["markdown_authorship_block"]
            and path.suffix.lower() in MARKDOWN_SUFFIXES
            and self.authored is not None
            and has_text
        )

    def confirm_discard(self) -> bool:
        """True when it is fine to replace or close the current text."""
        self.finish_saving()  # a save in flight is written (and recorded) first
        if not self.modified:
            return True
        answer = self.window.ask_save_changes(self.name)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self._discard_current()
            return True
        return False

    def close(self) -> None:
        """Journal the last edits and release the document (called once on shutdown)."""
        self.finish_saving()
        self._saves.shutdown()
        self._journal.stop()
        self._settle.stop()
        self._latency.stop()
        self._detach()
        if self.store is not None:
            self.store.close()
            self.store = None


@dataclasses.dataclass(slots=True, eq=False)
class _Reading:
    """A long file being opened: read on the GUI thread, its block parsed on a thread."""

    path: Path
    content: str  # the file's text, block and all
    # Written by the thread, read after `done` is set:
    text: str = ""
    annotations: ParsedAnnotations | None = None
    fingerprint: str | None = None
    error: BaseException | None = None
    details: str = ""
    # The library file the trust rule is applied in on the thread (None: on the GUI
    # thread, as for a short file: no library, or one in memory), and its answer.
    library: str | None = None
    authorship: _Authorship | Exception | None = None
    done: threading.Event = dataclasses.field(default_factory=threading.Event)


def _split(reading: _Reading) -> None:
    """The block split off the text and parsed, the file's bytes hashed, and the trust
    rule applied on a connection of its own (no Qt: safe on any thread), with automatic
    collections paused (a manuscript's runs and events set off full ones of 25-55 ms)."""
    with garbage.paused():
        _split_now(reading)


def _split_now(reading: _Reading) -> None:
    try:
        reading.text, reading.annotations = trust.split_block(reading.path, reading.content)
        reading.fingerprint = _fingerprint(reading.path)
        _prepare_authorship(reading)
    except BaseException as exc:  # noqa: BLE001 - reported on the GUI thread
        reading.error = exc
        reading.details = traceback.format_exc()
    finally:
        reading.done.set()


@dataclasses.dataclass(frozen=True, slots=True)
class _SaveRequest:
    """A save asked for while another was being written (the newest one is kept)."""

    path: Path
    overwrite: bool
    recent: bool


@dataclasses.dataclass(frozen=True, slots=True)
class _SavedRuns:
    """A document's authorship as of a save, taken on the GUI thread (a list of its runs
    and a shallow copy of its events: what typing after Ctrl+S changes is not in them)."""

    runs: list[tuple[int, int, int]]  # (start, length, event seq), in order
    events: dict[int, EditEvent]

    def block(self, pieces: Sequence[str]) -> tuple[str, str]:
        """On the lane: the authorship block of the text `pieces` make (the text saved),
        and that text's SHA-256."""
        events = self.events
        runs = ((start, length, events[seq].author) for start, length, seq in self.runs)
        return annotation_block_of_pieces(pieces, runs)


@dataclasses.dataclass(slots=True, eq=False)
class _SaveJob:
    """One save: what the GUI thread took (immutable), and what the lane reports."""

    path: Path
    pieces: tuple[str, ...]  # the text, as the chunks it is held in
    authorship: _SavedRuns | None  # what the block is made of, if the file gets one
    file_format: FileFormat
    authored: AuthoredDocument | None  # read on the GUI thread only
    head_seq: int  # the ledger entry the text is as of
    revision: int  # the editor document's revision when taken
    recent: bool  # add to the recent files once saved (Save As)
    block_problem: str | None = None
    # Written by the lane, read after `done` is set:
    done: threading.Event = dataclasses.field(default_factory=threading.Event)
    fingerprint: str | None = None  # SHA-256 of the bytes written
    text_sha256: str = ""  # of the text's UTF-8 (the save's record in the library)
    error: BaseException | None = None
    details: str = ""
    finished: bool = False  # recorded on the GUI thread


def _write_file(job: _SaveJob) -> None:
    """The save's heavy part, on the "io" lane: the authorship block, the encoding, the
    atomic write and its fsync. Touches nothing but `job` and the file."""
    with garbage.paused():
        _write_pieces(job)


def _write_pieces(job: _SaveJob) -> None:
    try:
        # The text a piece of lines at a time and its block apart, never one string or
        # one bytes of either: each whole-text copy or encoding held the interpreter's
        # lock, and so froze the window, for 50-700 ms at 50 MB.
        block, digest = "", ""
        if job.authorship is not None:
            try:
                block, digest = job.authorship.block(job.pieces)
            except DraftsmithError as exc:  # the library failed while reading the authorship
                job.block_problem = str(exc)
        job.text_sha256 = digest or sha256_of_pieces(job.pieces)
        written = hashlib.sha256()

        def hashed() -> Iterator[bytes]:
            for part in encode_pieces(job.pieces, job.file_format, then=block):
                written.update(part)
                yield part

        write_bytes_atomically(job.path, hashed())
        job.fingerprint = written.hexdigest()
        _note_fingerprint(job.path, job.fingerprint)
    except BaseException as exc:  # noqa: BLE001 - reported on the GUI thread
        job.error = exc
        job.details = traceback.format_exc()
    finally:
        job.done.set()


def _keep_snapshot(authored: AuthoredDocument) -> None:
    """Keep the ledger's state as of this save (text and runs), so reopening the saved
    file costs its runs, not a replay of every edit since the last snapshot. A cache:
    when it cannot be written, the save goes on and reopening replays."""
    try:
        authored.ledger.snapshot_head(authored.authored_text)
    except DraftsmithError as exc:
        log.warning("no snapshot at save: %s", exc)


@dataclasses.dataclass(frozen=True, slots=True)
class _Authorship:
    """The trust rule's answer for a file being opened: the decision, the ledger known
    for the file, the document the decision opened, and whether the file also changed
    outside Draftsmith after a crash (`outside`)."""

    decision: TrustDecision
    known: KnownLedger | None
    document: AuthoredDocument
    outside: bool

    def bound_to(self, store: Store) -> _Authorship:
        """The same answer over `store` (it was worked out on another connection)."""
        known, document = self.known, self.document.bound_to(store)
        if known is not None:
            same = known.document is self.document
            known = dataclasses.replace(
                known, document=document if same else known.document.bound_to(store)
            )
        return dataclasses.replace(self, known=known, document=document)


def _authorship(
    store: Store,
    path: Path,
    text: str,
    annotations: ParsedAnnotations | None,
    choice: BlockChoice,
    known: KnownLedger | None,
) -> _Authorship:
    """The trust rule applied for the file at `path` whose text (its block split off
    as `annotations`) is `text`, written to `store`: no Qt and no window, so it also
    runs on the "open" lane over a connection of its own (`_prepare_authorship`).
    With `choice` ASK the ledger known for the file is read again; otherwise `known`
    (read when the file opened) stands."""
    key = str(path.resolve())
    if choice is BlockChoice.ASK:
        known = trust.known_ledger(store, key)
        if (
            known is not None
            and known.saved is not None
            and text not in (known.head_text, known.saved.state.text)
            and _own_unrecorded_save(store, known, text)
        ):
            known = trust.known_ledger(store, key)  # as of that save now
    decision = trust.decide(
        text,
        annotations,
        known,
        imported=Author(SourceKind.IMPORT, path.name),
        choice=choice,
    )
    outside = (
        known is not None
        and known.saved is not None
        and known.head_text != text
        and known.head_text != known.saved.state.text
        and decision.source is not Source.RECOVERY
    )
    if outside and known is not None:
        # A crash, then the file changed on disk before this start: the journal
        # still wins. Its work is offered back, never recorded as saved.
        decision = dataclasses.replace(
            decision,
            source=Source.RECOVERY,
            text=known.head_text,
            runs=(),
            needs_decision=False,
            notes=(
                *decision.notes,
                "The file also changed outside Draftsmith after its last save.",
            ),
        )
    document = trust.open_document(decision, store, key, path.name, known)
    return _Authorship(decision, known, document, outside)


def _prepare_authorship(reading: _Reading) -> None:
    """On the "open" lane, for a long file: the trust rule applied over a connection
    of its own to the library (writing a manuscript's runs is seconds of hashing and
    SQLite at 50 MB), the documents written before it closes so the GUI thread's
    connection takes them over (`_Authorship.bound_to`). What fails is kept for the
    GUI thread to say, as it would have said it there."""
    if reading.library is None or reading.error is not None:
        return
    try:
        own = Store(reading.library)
    except Exception as exc:  # noqa: BLE001 - said on the GUI thread
        reading.authorship = exc
        return
    try:
        found = _authorship(
            own, reading.path, reading.text, reading.annotations, BlockChoice.ASK, None
        )
        found.document.flush()
        if found.known is not None:
            found.known.document.flush()
        reading.authorship = found
    except Exception as exc:  # noqa: BLE001 - said on the GUI thread
        reading.authorship = exc
    finally:
        own.close()


def _own_unrecorded_save(store: Store, known: KnownLedger, text: str) -> bool:
    """Whether `text` is a state the journal passed through after its last recorded
    save: a save whose file was written but whose record a crash cut off. Then the file
    is Draftsmith's own, so the save is recorded now (and the journal still wins)."""
    document = known.document
    info = store.document_info(document.doc_id)
    state, _events = document.ledger.replay(info.saved_seq)
    for entry in document.ledger.entries(info.saved_seq):
        state.replace(entry.start, entry.removed, entry.inserted, entry.segments)
        if len(state) == len(text) and state.text == text:
            store.mark_saved(document.doc_id, entry.event.seq, recovery_sha256(text))
            return True
    return False


#: The last fingerprint of each file read or written here, with the file's size, change
#: time and inode then: a file that still stats the same is not read and hashed again
#: (Ctrl+S asks whether another program changed it: 50 MB read and hashed on the GUI
#: thread took 50-500 ms). Another program's write changes the change time (nanoseconds).
_FINGERPRINTS: dict[str, tuple[tuple[int, int, int], str]] = {}
_SETTLED_NS = 3_000_000_000


def _stat_key(path: Path) -> tuple[str, tuple[int, int, int]] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return os.path.realpath(path), (found.st_size, found.st_mtime_ns, found.st_ino)


def _fingerprint(path: Path) -> str | None:
    """The SHA-256 of a file's bytes (what it says, not when it was touched), or None
    when it cannot be read; from `_FINGERPRINTS` while the file stats as it did."""
    key = _stat_key(path)
    if key is None:
        return None
    known = _FINGERPRINTS.get(key[0])
    # A change time within the last seconds may be shared with a write just after it
    # (file systems keep it to a clock tick, some to two seconds): hashed again.
    settled = time.time_ns() - key[1][1] > _SETTLED_NS
    if known is not None and known[0] == key[1] and settled:
        return known[1]
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
    _note_fingerprint(path, digest, key)
    return digest


def _note_fingerprint(
    path: Path, digest: str, key: tuple[str, tuple[int, int, int]] | None = None
) -> None:
    """Remember `digest` as the fingerprint of `path` as it stats now (just written)."""
    key = key or _stat_key(path)
    if key is not None:
        _FINGERPRINTS[key[0]] = (key[1], digest)
