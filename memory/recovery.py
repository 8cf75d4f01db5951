"""Crash recovery: which documents hold unsaved journaled work, and what to do with it.

Every document the window edits is journaled into its ledger (flushed on a short pause
and at least every half second), titled or not. A document "has unsaved journaled
text" when its ledger is ahead of its last save (`head_seq > saved_seq`); closing it
cleanly either saved it (so the two are equal) or, when the writer chose to discard
the changes, made them equal again (`discard`): a titled document gets one more
ledger entry that puts the saved text back (its history kept, its authors restored),
an untitled one that was never saved is deleted. So after a crash, whatever is still
ahead of its save is exactly the work to offer back.

A running window holds a `DocumentLock` on each document it shows (an OS file lock,
released by the OS when the process dies, SIGKILL included), so another Draftsmith
process never offers or discards a document that is open elsewhere.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from memory import diff
from memory.document import AuthoredDocument
from memory.events import Author, How
from memory.ledger import Ledger
from memory.runs import AuthoredText
from memory.store import Store

try:  # POSIX; elsewhere documents are not locked (one Draftsmith at a time)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: How many characters of a document's first line a listing shows.
FIRST_LINE_CHARS = 80


@dataclass(frozen=True, slots=True)
class Recoverable:
    """A document whose ledger holds work its file (if any) does not."""

    id: str
    title: str
    path: str | None
    first_line: str
    saved_at: float  # when the last journaled edit was made (the last flush covers it)
    unsaved_characters: int  # characters inserted plus removed since the last save (`describe`)
    text: str  # the recovered text
    file_changed: bool  # the file on disk is no longer what Draftsmith last saved

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "path": self.path,
            "first_line": self.first_line,
            "saved_at": datetime.fromtimestamp(self.saved_at, UTC).isoformat(timespec="seconds"),
            "unsaved_characters": self.unsaved_characters,
            "file_changed": self.file_changed,
        }


def first_line(text: str) -> str:
    """The first non-blank line of `text`, shortened for a listing."""
    for line in text.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= FIRST_LINE_CHARS else line[: FIRST_LINE_CHARS - 1] + "…"
    return ""


def locks_dir(store: Store) -> Path | None:
    """Where the document locks of the store's data folder live (None for `:memory:`)."""
    if store.path == ":memory:":
        return None
    return Path(store.path).parent / "open"


class DocumentLock:
    """An exclusive OS lock on one document id for as long as a window shows it."""

    def __init__(self, folder: Path | None, doc_id: str) -> None:
        self.doc_id = doc_id
        self._handle: IO[bytes] | None = None
        self._path = folder / f"{doc_id}.lock" if folder is not None else None

    def acquire(self) -> bool:
        """Take the lock; False when another process holds it (or it cannot be made)."""
        if self._path is None or fcntl is None:
            return True
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self._path, "ab")  # noqa: SIM115 - held until release()
        except OSError:
            return True  # an unwritable data folder: nothing to coordinate with
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self, *, remove: bool = True) -> None:
        if self._handle is None:
            return
        with contextlib.suppress(OSError):
            if remove and self._path is not None:
                self._path.unlink()
            self._handle.close()
        self._handle = None


def is_open_elsewhere(store: Store, doc_id: str) -> bool:
    """Whether another live process holds the lock on `doc_id`."""
    folder = locks_dir(store)
    if folder is None or fcntl is None or not (folder / f"{doc_id}.lock").exists():
        return False
    probe = DocumentLock(folder, doc_id)
    if not probe.acquire():
        return True
    probe.release(remove=False)  # its holder may be about to take it
    return False


def recoverable_documents(store: Store, *, skip: set[str] | None = None) -> list[Recoverable]:
    """Every document with unsaved journaled work that no running window has open,
    newest first (`skip`: ids to leave out, such as the caller's own)."""
    found: list[Recoverable] = []
    for info in store.documents_with_unsaved_changes():
        if (skip and info.id in skip) or is_open_elsewhere(store, info.id):
            continue
        found.append(describe(store, info.id))
    found.sort(key=lambda r: r.saved_at, reverse=True)
    return found


def describe(store: Store, doc_id: str) -> Recoverable:
    """What one document's journal holds beyond its last save (KeyError if unknown)."""
    info = store.document_info(doc_id)
    ledger = Ledger(store, doc_id)
    head, _ = ledger.replay()
    saved_text = ledger.replay(info.saved_seq)[0].text if info.saved_seq else ""
    _prefix, removed, inserted = diff.trim_common(saved_text, head.text)
    with store.guard():
        row = store.db.execute(
            "SELECT MAX(at), SUM(removed + length(inserted)) FROM events"
            " WHERE doc_id = ? AND seq > ?",
            [doc_id, info.saved_seq],
        ).fetchone()
    # Two counts of the change, each an edit that turns the save into the text: the
    # stretch between their common start and end (one word typed at the top and one at
    # the bottom of a book make it the whole book), and the edits as they were made
    # (typing and deleting a word counts it twice). The smaller says what was done.
    unsaved = min(removed + inserted, int(row[1] or 0))
    changed = False
    if info.path is not None and info.saved_sha256 is not None:
        changed = _file_differs(Path(info.path), saved_text)
    return Recoverable(
        id=info.id,
        title=Path(info.path).name if info.path else info.title,
        path=info.path,
        first_line=first_line(head.text),
        saved_at=float(row[0] or info.created_at),
        unsaved_characters=unsaved,
        text=head.text,
        file_changed=changed,
    )


def _file_differs(path: Path, saved_text: str) -> bool:
    """Whether the file no longer holds `saved_text` (its authorship block aside)."""
    from memory.provenance.trust import split_block

    try:
        content = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return path.exists()
    text, _ = split_block(path, content)
    return text.replace("\r\n", "\n") != saved_text.replace("\r\n", "\n")


def resolve_id(store: Store, given: str) -> str:
    """A document id from the id or a unique prefix of it (as `git` takes hashes)."""
    with store.guard():
        rows = [
            str(r[0])
            for r in store.db.execute(
                "SELECT id FROM documents WHERE id LIKE ? ESCAPE '\\'",
                [given.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"],
            )
        ]
    if given in rows:
        return given
    if len(rows) != 1:
        raise KeyError(given)
    return rows[0]


def discard(document: AuthoredDocument, writer: Author) -> None:
    """The writer's word: drop the unsaved work of a document (flushed first).

    A document that was saved gets one ledger entry by the writer that puts the saved
    text back, its characters credited to their original events, and is marked saved
    again: its history stays, and reopening the file finds the ledger matching it. A
    document never saved (untitled, or a new file never written) is deleted."""
    store = document.store
    document.flush()
    try:
        info = store.document_info(document.doc_id)
    except KeyError:
        return  # never journaled: nothing to drop
    if info.saved_sha256 is None:
        delete_document(store, document.doc_id)
        return
    saved, _ = document.ledger.replay(info.saved_seq)
    prefix, removed, inserted = _authored_difference(document.authored_text, saved)
    if removed or inserted:
        document.record(
            prefix,
            removed,
            saved.text[prefix : prefix + inserted],
            writer,
            How.UNDO,
            saved.segments(prefix, prefix + inserted),
        )
    document.mark_saved(info.saved_sha256)


def _authored_difference(old: AuthoredText, new: AuthoredText) -> tuple[int, int, int]:
    """(prefix, removed, inserted) like `diff.trim_common`, where a character only counts
    as shared when the same event wrote it in both (so a discard restores who wrote what)."""
    text_prefix, removed, _inserted = diff.trim_common(old.text, new.text)
    text_suffix = len(old) - text_prefix - removed
    old_runs = [(n, e) for _s, n, e in old.iter_runs()]
    new_runs = [(n, e) for _s, n, e in new.iter_runs()]
    prefix = min(text_prefix, _shared_length(old_runs, new_runs))
    suffix = min(
        text_suffix,
        _shared_length(old_runs[::-1], new_runs[::-1]),
        min(len(old), len(new)) - prefix,
    )
    return prefix, len(old) - prefix - suffix, len(new) - prefix - suffix


def _shared_length(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """How many characters from the start two run lists give to the same events."""
    shared = i = j = 0
    left_a = a[0][0] if a else 0
    left_b = b[0][0] if b else 0
    while i < len(a) and j < len(b) and a[i][1] == b[j][1]:
        step = min(left_a, left_b)
        shared += step
        left_a -= step
        left_b -= step
        if not left_a:
            i += 1
            left_a = a[i][0] if i < len(a) else 0
        if not left_b:
            j += 1
            left_b = b[j][0] if j < len(b) else 0
    return shared


def delete_document(store: Store, doc_id: str) -> None:
    """Remove a document and everything recorded for it, in one transaction."""
    with store.transaction():
        tables = {
            str(r[0])
            for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        for table in ("model_edits", "brainstorms", "snapshots", "events"):
            if table in tables:
                store.db.execute(f"DELETE FROM {table} WHERE doc_id = ?", [doc_id])  # noqa: S608
        store.db.execute("DELETE FROM documents WHERE id = ?", [doc_id])


def remove_empty_untitled(store: Store) -> int:
    """Delete untitled document rows that never got an edit (earlier versions made two
    per launch); those open in a running window are left alone. How many went."""
    with store.guard():
        ids = [
            str(r[0])
            for r in store.db.execute(
                "SELECT id FROM documents d WHERE path IS NULL AND saved_sha256 IS NULL "
                "AND NOT EXISTS (SELECT 1 FROM events e WHERE e.doc_id = d.id)"
            )
        ]
    gone = 0
    for doc_id in ids:
        if not is_open_elsewhere(store, doc_id):
            delete_document(store, doc_id)
            gone += 1
    return gone
