"""The SQLite store: one file per library, WAL journal, numbered schema migrations.

Holds documents, authors, the hash-chained edit ledger and replay snapshots. Every
multi-step write runs in one transaction. Environment failures (a damaged or
unreadable file, a locked database) surface as `StoreError` with a plain message.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from memory.errors import DraftsmithError
from memory.events import Author, SourceKind

if TYPE_CHECKING:
    import sqlite_utils  # imported when first needed (it pulls in numpy): see _Database


class StoreError(DraftsmithError):
    """The store cannot be used (damaged, unreadable or locked file); say so plainly."""


class DamagedStore(StoreError):
    """The file is damaged, is not a Draftsmith library, or was written by a newer
    Draftsmith: `open_library` moves it aside and starts a fresh one."""


def _is_damage(exc: sqlite3.Error) -> bool:
    message = str(exc).lower()
    return "not a database" in message or "malformed" in message or "corrupt" in message


class _Database:
    """The connection as the store and its users need it: `execute` (what
    `sqlite_utils.Database.execute` does on a connection with explicit transactions)
    and `conn`. Anything else is sqlite-utils' own, imported on first use, so opening a
    library (at start-up, for a tool command) never imports sqlite-utils and numpy."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._full: sqlite_utils.Database | None = None
        conn.execute("PRAGMA recursive_triggers=on;")  # as sqlite_utils.Database does

    def execute(
        self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None
    ) -> sqlite3.Cursor:
        if parameters is not None:
            return self.conn.execute(sql, parameters)
        return self.conn.execute(sql)

    def full(self) -> sqlite_utils.Database:
        """sqlite-utils over the same connection (for migrations and table helpers)."""
        if self._full is None:
            import sqlite_utils

            self._full = sqlite_utils.Database(self.conn)
        return self._full

    def __getattr__(self, name: str) -> Any:
        return getattr(self.full(), name)


#: Each migration is plain SQL on the library's connection, so the first start, which
#: creates the library, imports neither sqlite-utils nor numpy (0.1-0.15 s before the
#: window could paint).
_MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = []


def _migration(name: str) -> Callable[[Callable[[sqlite3.Connection], None]], Any]:
    """Register a schema migration; they run once each, in the order they appear."""

    def register(fn: Callable[[sqlite3.Connection], None]) -> Any:
        _MIGRATIONS.append((name, fn))
        return fn

    return register


@_migration("0001_documents_authors_events_snapshots")
def _m0001(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            path TEXT UNIQUE,
            title TEXT NOT NULL,
            created_at REAL NOT NULL,
            saved_seq INTEGER NOT NULL DEFAULT 0,
            saved_sha256 TEXT,
            saved_at REAL
        )"""
    )
    db.execute(
        """CREATE TABLE authors (
            key TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            model_sha256 TEXT NOT NULL DEFAULT ''
        )"""
    )
    db.execute(
        """CREATE TABLE events (
            doc_id TEXT NOT NULL REFERENCES documents(id),
            seq INTEGER NOT NULL,
            at REAL NOT NULL,
            author_key TEXT NOT NULL REFERENCES authors(key),
            how TEXT NOT NULL,
            start INTEGER NOT NULL,
            removed INTEGER NOT NULL,
            inserted TEXT NOT NULL,
            segments TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (doc_id, seq)
        ) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE snapshots (
            doc_id TEXT NOT NULL REFERENCES documents(id),
            seq INTEGER NOT NULL,
            text TEXT NOT NULL,
            runs TEXT NOT NULL,
            events_needed TEXT NOT NULL,
            PRIMARY KEY (doc_id, seq)
        ) WITHOUT ROWID"""
    )


@_migration("0002_long_term_memory")
def _m0002_memory(db: sqlite3.Connection) -> None:
    from memory.memory_schema import create_memory_tables

    create_memory_tables(db)


@_migration("0003_brainstorm_history")
def _m0003_brainstorm(db: sqlite3.Connection) -> None:
    from memory.brainstorm_schema import create_brainstorm_tables

    create_brainstorm_tables(db)


@_migration("0004_model_edits")
def _m0004_model_edits(db: sqlite3.Connection) -> None:
    # Model events the writer edited by deleting some of their text (a deletion leaves
    # nothing in the runs to show it): derived from the ledger, kept for the labels.
    db.execute(
        """CREATE TABLE model_edits (
            doc_id TEXT NOT NULL REFERENCES documents(id),
            model_seq INTEGER NOT NULL,
            by_seq INTEGER NOT NULL,
            PRIMARY KEY (doc_id, model_seq)
        )"""
    )


@_migration("0005_ledger_tables_with_rowids")
def _m0005_rowid_ledger(db: sqlite3.Connection) -> None:
    # WITHOUT ROWID tables keep whole rows in their key's b-tree, and SQLite reads a
    # row's whole payload to compare keys when it overflows a page: with a 50 MB book's
    # snapshot (or its import event) in the table, `SELECT MAX(seq) FROM snapshots
    # WHERE doc_id = ?` took 94 ms (reading 77 MB of overflow pages), on the GUI thread
    # as the book opened. Ordinary tables keep (doc_id, seq) in a small index, and the
    # long columns last, so reading a row's hash never walks its text.
    db.execute(
        """CREATE TABLE events_by_rowid (
            doc_id TEXT NOT NULL REFERENCES documents(id),
            seq INTEGER NOT NULL,
            at REAL NOT NULL,
            author_key TEXT NOT NULL REFERENCES authors(key),
            how TEXT NOT NULL,
            start INTEGER NOT NULL,
            removed INTEGER NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            segments TEXT NOT NULL,
            inserted TEXT NOT NULL,
            PRIMARY KEY (doc_id, seq)
        )"""
    )
    db.execute(
        "INSERT INTO events_by_rowid (doc_id, seq, at, author_key, how, start, removed, "
        "prev_hash, hash, segments, inserted) SELECT doc_id, seq, at, author_key, how, "
        "start, removed, prev_hash, hash, segments, inserted FROM events ORDER BY doc_id, seq"
    )
    db.execute("DROP TABLE events")
    db.execute("ALTER TABLE events_by_rowid RENAME TO events")
    db.execute(
        """CREATE TABLE snapshots_by_rowid (
            doc_id TEXT NOT NULL REFERENCES documents(id),
            seq INTEGER NOT NULL,
            events_needed TEXT NOT NULL,
            runs TEXT NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (doc_id, seq)
        )"""
    )
    db.execute(
        "INSERT INTO snapshots_by_rowid (doc_id, seq, events_needed, runs, text) "
        "SELECT doc_id, seq, events_needed, runs, text FROM snapshots ORDER BY doc_id, seq"
    )
    db.execute("DROP TABLE snapshots")
    db.execute("ALTER TABLE snapshots_by_rowid RENAME TO snapshots")


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A document's row: identity, file, and the ledger position last saved to disk."""

    id: str
    path: str | None
    title: str
    created_at: float
    saved_seq: int
    saved_sha256: str | None
    saved_at: float | None
    head_seq: int

    @property
    def has_unsaved_changes(self) -> bool:
        return self.head_seq > self.saved_seq


class Store:
    """One SQLite file holding every document's ledger; close it with `close()`."""

    def __init__(
        self, path: Path | str, *, check: bool = False, _from_template: bool = True
    ) -> None:
        """Open (creating if needed) and migrate the library. `check` (at start-up) also
        proves the file can be written (`StoreError` if not) and runs SQLite's
        `quick_check` (`DamagedStore` when a page is damaged). An in-memory library
        starts as a copy of one migrated once per process (`_schema_template`)."""
        self.path = str(path)
        try:
            if self.path == ":memory:":
                conn = sqlite3.connect(":memory:")
            else:
                conn = sqlite3.connect(self.path, timeout=5.0)
            conn.isolation_level = None  # transactions are explicit: see transaction()
            self.db = _Database(conn)
            self._depth = 0
        except sqlite3.Error as exc:
            raise StoreError(self._explain(exc)) from exc
        try:
            with self.guard():
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
                self.db.execute("PRAGMA foreign_keys=ON")
                if self.path == ":memory:" and _from_template:
                    with _TEMPLATE_LOCK:
                        _schema_template().backup(conn)
                else:
                    self._migrate()
                if check:
                    # Writable now? (a read-only file or folder would fail at the first
                    # journal write instead, minutes into the writer's work)
                    version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
                    self.db.execute("BEGIN IMMEDIATE")
                    try:
                        self.db.execute(f"PRAGMA user_version = {version}")
                    finally:
                        self._rollback()
                    problems = [str(r[0]) for r in self.db.execute("PRAGMA quick_check(5)")]
                    if problems != ["ok"]:
                        raise DamagedStore(
                            f"the Draftsmith library at {self.path} is damaged "
                            f"({'; '.join(problems)})."
                        )
        except StoreError:
            conn.close()
            raise

    def _explain(self, exc: Exception) -> str:
        message = str(exc).lower()
        where = f"the Draftsmith library at {self.path}"
        if "locked" in message or "busy" in message:
            return f"{where} is in use by another program; close it and try again."
        if "not a database" in message or "malformed" in message or "corrupt" in message:
            return (
                f"{where} is damaged or is not a Draftsmith library. "
                "Restore it from a backup or move it aside to start a new one."
            )
        if "unable to open" in message:
            return (
                f"{where} cannot be opened or created (its folder may be missing, "
                "read-only or full)."
            )
        if "readonly" in message or "read-only" in message:
            return f"{where} cannot be written (read-only file or folder)."
        if "disk" in message and "full" in message:
            return f"the disk holding {where} is full; free some space and try again."
        return f"{where} cannot be used: {exc}"

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn SQLite failures into `StoreError` with a plain-language message."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            kind = DamagedStore if _is_damage(exc) else StoreError
            raise kind(self._explain(exc)) from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run a multi-step write atomically (all or nothing); nested calls join it."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        with self.guard():
            self.db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._depth = 0
                self._rollback()
                raise
            self._depth = 0
            try:
                self.db.execute("COMMIT")
            except sqlite3.Error:
                # A full disk or an I/O error at COMMIT may leave the transaction open;
                # left so, every later BEGIN would fail and the journal never resume.
                self._rollback()
                raise

    def _rollback(self) -> None:
        """Undo the open transaction, if SQLite has not already (it rolls back by itself
        after some errors, such as a full disk); the first error is the one reported."""
        if not self.db.conn.in_transaction:
            return
        try:
            self.db.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def _migrate(self) -> None:
        """Bring the schema up to date; `PRAGMA user_version` counts applied migrations."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(_MIGRATIONS):
            raise DamagedStore(
                f"the Draftsmith library at {self.path} was written by a newer version "
                "of Draftsmith; update Draftsmith to open it."
            )
        for number, (_name, apply) in enumerate(_MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                apply(self.db.conn)
                self.db.execute(f"PRAGMA user_version = {number}")

    @property
    def schema_version(self) -> int:
        """How many migrations the file has had."""
        with self.guard():
            return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        """Release the file (checkpointing the WAL)."""
        with self.guard():
            self.db.conn.close()

    # Documents

    def new_document(self, path: str | None, title: str) -> str:
        """Create a document row and return its id (a UUID string)."""
        doc_id = str(uuid.uuid4())
        with self.transaction():
            self.db.execute(
                "INSERT INTO documents (id, path, title, created_at) VALUES (?, ?, ?, ?)",
                [doc_id, path, title, time.time()],
            )
        return doc_id

    def document_for_path(self, path: str) -> str | None:
        """The id of the document last saved at or opened from `path`, if any."""
        with self.guard():
            row = self.db.execute("SELECT id FROM documents WHERE path = ?", [path]).fetchone()
        return None if row is None else str(row[0])

    def set_document_path(self, doc_id: str, path: str | None) -> None:
        """Record that a document now lives at `path` (Save As, rename)."""
        with self.transaction():
            self.db.execute("UPDATE documents SET path = NULL WHERE path = ?", [path])
            self.db.execute("UPDATE documents SET path = ? WHERE id = ?", [path, doc_id])

    def mark_saved(self, doc_id: str, seq: int, sha256: str) -> None:
        """Record that the file on disk holds the text as of ledger entry `seq`."""
        with self.transaction():
            self.db.execute(
                "UPDATE documents SET saved_seq = ?, saved_sha256 = ?, saved_at = ? WHERE id = ?",
                [seq, sha256, time.time(), doc_id],
            )

    def head_seq(self, doc_id: str) -> int:
        """The last ledger entry written for a document (0 when none)."""
        with self.guard():
            row = self.db.execute(
                "SELECT MAX(seq) FROM events WHERE doc_id = ?", [doc_id]
            ).fetchone()
        return int(row[0] or 0)

    def document_info(self, doc_id: str) -> DocumentInfo:
        """Everything the store knows about one document; KeyError if unknown."""
        with self.guard():
            row = self.db.execute(
                "SELECT id, path, title, created_at, saved_seq, saved_sha256, saved_at "
                "FROM documents WHERE id = ?",
                [doc_id],
            ).fetchone()
        if row is None:
            raise KeyError(doc_id)
        doc, path, title, created, saved_seq, saved_sha, saved_at = row
        return DocumentInfo(
            doc, path, title, created, saved_seq, saved_sha, saved_at, self.head_seq(doc_id)
        )

    def documents(self) -> list[DocumentInfo]:
        """Every document, oldest first."""
        with self.guard():
            ids = [r[0] for r in self.db.execute("SELECT id FROM documents ORDER BY created_at")]
        return [self.document_info(doc_id) for doc_id in ids]

    def documents_with_unsaved_changes(self) -> list[DocumentInfo]:
        """Documents whose ledger is ahead of their file: what a crash left unsaved."""
        with self.guard():
            ids = [
                r[0]
                for r in self.db.execute(
                    "SELECT d.id FROM documents d JOIN events e ON e.doc_id = d.id "
                    "GROUP BY d.id HAVING MAX(e.seq) > d.saved_seq ORDER BY d.created_at"
                )
            ]
        return [self.document_info(doc_id) for doc_id in ids]

    # Authors

    def author_rows(self, authors: list[Author]) -> list[dict[str, str]]:
        """Rows for the authors table (used inside the ledger's flush transaction)."""
        return [
            {"key": a.key, "kind": a.kind.value, "name": a.name, "model_sha256": a.model_sha256}
            for a in authors
        ]

    def author(self, key: str) -> Author:
        """The author stored under `key`; KeyError if unknown."""
        with self.guard():
            row = self.db.execute(
                "SELECT kind, name, model_sha256 FROM authors WHERE key = ?", [key]
            ).fetchone()
        if row is None:
            raise KeyError(key)
        return Author(SourceKind(row[0]), row[1], row[2])


_TEMPLATE_LOCK = threading.Lock()
# the migrated in-memory library, once made, by the process that made it (a forked
# child makes its own, and its own lock: SQLite connections are not to be used across
# a fork; the parent's is left alone there, not closed)
_TEMPLATE: dict[int, sqlite3.Connection] = {}


def _new_template_lock() -> None:
    global _TEMPLATE_LOCK
    _TEMPLATE_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_template_lock)


def _schema_template() -> sqlite3.Connection:
    """An in-memory library with every migration applied, made on first use (call with
    `_TEMPLATE_LOCK` held). A new in-memory store is a page copy of it
    (`Connection.backup`: the same schema and `user_version`), so a replay or a test
    that makes one per document does not run the migrations each time (a new store in
    0.4 ms against 4.7 ms, on the busy 2 cores)."""
    pid = os.getpid()
    template = _TEMPLATE.get(pid)
    if template is None:
        made = Store(":memory:", _from_template=False)
        template = sqlite3.connect(":memory:", check_same_thread=False)
        made.db.conn.backup(template)
        made.close()
        _TEMPLATE[pid] = template
    return template


@dataclass(frozen=True, slots=True)
class OpenedLibrary:
    """The store to use, and what the writer should be told about it."""

    store: Store
    notice: str = ""  # "" when the library opened as it is
    moved_to: Path | None = None  # where a damaged library was moved aside
    in_memory: bool = False  # nothing is kept after this session


def open_library(path: Path | str, *, now: float | None = None) -> OpenedLibrary:
    """Open the library at start-up, whatever state it is in; never raises.

    A damaged file (garbage, truncated, damaged pages, a newer version's schema) is
    moved aside under a timestamped name, with its `-wal` and `-shm` companions, and a
    fresh library is created in its place. When no library can be written there at all
    (a full or read-only data folder, a locked file), an in-memory one serves the
    session, so authorship is still recorded and saved in the files' blocks."""
    path = Path(path)
    try:
        if not _looks_like_sqlite(path):  # moved before SQLite touches it or its WAL
            raise DamagedStore(f"the Draftsmith library at {path} is not an SQLite file")
        return OpenedLibrary(Store(path, check=True))
    except DamagedStore as exc:
        damage = (
            str(exc)
            if "newer version" in str(exc)
            else f"The Draftsmith library at {path} is damaged or is not a Draftsmith library."
        )
    except StoreError as exc:
        return _in_memory(str(exc))
    try:
        moved = move_aside(path, time.time() if now is None else now)
    except OSError as exc:
        return _in_memory(f"{damage} It could not be moved aside ({exc.strerror or exc})")
    try:
        fresh = Store(path)
    except StoreError as exc:
        return _in_memory(f"{damage} It was moved to {moved}, but a new one failed: {exc}")
    notice = (
        f"{_sentence(damage)} Draftsmith moved it to {moved} (nothing in it was deleted) "
        "and started a new, empty library. Your files are untouched and open with the "
        "authorship saved in them."
    )
    return OpenedLibrary(fresh, notice, moved)


def _looks_like_sqlite(path: Path) -> bool:
    """False only for a file that exists, is not empty, and lacks SQLite's header."""
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError:
        return True  # missing (created fresh) or unreadable (SQLite says why)
    return not head or head == b"SQLite format 3\x00"


def _sentence(text: str) -> str:
    text = text.rstrip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _in_memory(reason: str) -> OpenedLibrary:
    notice = (
        f"{_sentence(reason)} Authorship is recorded for this session only and is saved in "
        "your Markdown files' authorship blocks; crash recovery is off until Draftsmith "
        "can write its library again."
    )
    return OpenedLibrary(Store(":memory:"), notice, None, in_memory=True)


def move_aside(path: Path, now: float) -> Path:
    """Rename a library (and its `-wal`, `-shm`) to `NAME.damaged-YYYYMMDD-HHMMSS`."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    count = 1
    while target.exists():
        count += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{count}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(target.with_name(target.name + suffix))
    return target
