"""Store and ledger: replay reproduces authorship, the chain detects tampering."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import memory.store as store_module
from memory.document import AuthoredDocument, recoverable, text_sha256
from memory.events import UNKNOWN_EXTERNAL, Author, How, SourceKind
from memory.ledger import GENESIS_HASH, Ledger, LedgerError
from memory.origins import origin_of
from memory.store import Store, StoreError

ANN = Author(SourceKind.PERSON, "Ann")
MODEL = Author(SourceKind.MODEL, "smol", "cd" * 32)


def write_some(doc: AuthoredDocument, n: int) -> None:
    """A deterministic mix of typing, suggestions and deletions."""
    for i in range(n):
        pos = (i * 7) % (len(doc) + 1)
        if i % 5 == 4 and len(doc) > 3:
            doc.record(pos % (len(doc) - 2), 2, "", ANN, How.TYPED)
        elif i % 3 == 0:
            doc.record(pos, 0, "the model's words ", MODEL, How.SUGGESTION)
        else:
            doc.record(pos, 0, "\u00e9\U0001f600k", ANN, How.TYPED)


def authorship(doc: AuthoredDocument) -> list[tuple[int, int, int, str]]:
    return [(s.start, s.length, s.event.seq, s.event.author.key) for s in doc.spans()]


def test_replay_reproduces_text_and_authors_across_snapshots(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    doc = AuthoredDocument.create(store, None, "t", "Once upon a time.\n", snapshot_every=10)
    history = []
    for _ in range(9):
        write_some(doc, 5)
        history.append((doc.head_seq, doc.text, authorship(doc)))
        doc.flush()
    snapshots = store.db.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0]
    assert snapshots == 4
    ledger = Ledger(store, doc.doc_id)
    for seq, text, spans in history:
        state, events = ledger.replay(seq)
        assert state.text == text
        assert [(s, n, e, events[e].author.key) for s, n, e in state.runs()] == spans
    reopened = AuthoredDocument.open(store, doc.doc_id)
    assert reopened.text == doc.text and authorship(reopened) == authorship(doc)
    assert reopened.head_hash == doc.head_hash != GENESIS_HASH
    assert reopened.ledger.verify()
    store.close()


def test_buffered_entries_survive_only_after_flush(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    doc = AuthoredDocument.create(store, None, "t")
    doc.record(0, 0, "kept", ANN, How.TYPED)
    doc.flush()
    doc.record(4, 0, " lost", ANN, How.TYPED)
    assert doc.ledger.pending == 1
    store.close()  # no flush: as if the program died
    store = Store(tmp_path / "lib.db")
    assert AuthoredDocument.open(store, doc.doc_id).text == "kept"
    store.close()


@pytest.mark.parametrize("column", ["inserted", "author_key", "start", "hash"])
def test_verify_detects_a_tampered_row(tmp_path: Path, column: str) -> None:
    store = Store(tmp_path / "lib.db")
    doc = AuthoredDocument.create(store, None, "t", "abc")
    write_some(doc, 12)
    doc.flush()
    assert doc.ledger.verify()
    value = {"inserted": "forged", "author_key": MODEL.key, "start": 0, "hash": "f" * 64}[column]
    store.db.execute(f"UPDATE events SET {column} = ? WHERE seq = 4", [value])
    with pytest.raises(LedgerError, match="entry 4"):
        Ledger(store, doc.doc_id).verify()
    store.close()


def test_verify_detects_a_deleted_row_and_a_forged_snapshot(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    doc = AuthoredDocument.create(store, None, "t", "abc", snapshot_every=5)
    write_some(doc, 12)
    doc.flush()
    store.db.execute("UPDATE snapshots SET text = 'forged' WHERE seq = 10")
    with pytest.raises(LedgerError, match="snapshot"):
        Ledger(store, doc.doc_id).verify()
    store.db.execute("DELETE FROM events WHERE seq = 3")
    with pytest.raises(LedgerError, match="missing entry 3"):
        Ledger(store, doc.doc_id).verify()
    store.close()


def test_damaged_database_gives_a_plain_store_error(tmp_path: Path) -> None:
    path = tmp_path / "lib.db"
    path.write_bytes(b"this is not a database, just some bytes " * 200)
    with pytest.raises(StoreError, match="damaged") as info:
        Store(path)
    assert isinstance(info.value.__cause__, sqlite3.DatabaseError)


def test_truncated_database_gives_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "lib.db"
    store = Store(path)
    doc = AuthoredDocument.create(store, None, "t", "x" * 50_000)
    write_some(doc, 50)
    doc.flush()
    store.close()
    data = path.read_bytes()
    path.write_bytes(data[:100] + b"\xff" * 4000 + data[4100:])
    with pytest.raises(StoreError):
        store = Store(path)
        AuthoredDocument.open(store, doc.doc_id)


def test_schema_is_migrated_once_and_uses_wal(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    migrations = len(store_module._MIGRATIONS)
    assert store.schema_version == migrations
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert set(store.db.table_names()) >= {"documents", "authors", "events", "snapshots"}
    store.close()
    assert Store(tmp_path / "lib.db").schema_version == migrations


def test_a_library_from_before_rowid_ledger_tables_keeps_every_document(tmp_path: Path) -> None:
    """Migration 0005 rebuilds `events` and `snapshots` as ordinary tables (a WITHOUT
    ROWID table reads a long row's whole text to compare keys: 94 ms for a 50 MB
    snapshot on every open): a library with the old tables opens with each document's
    text, runs and chain intact, and its keys stay unique."""
    import sqlite_utils

    made = Store(tmp_path / "new.db")
    doc = AuthoredDocument.create(
        made, "/b.md", "B", "\u201cOnce\u201d \U0001f600\n", snapshot_every=10
    )
    write_some(doc, 60)
    doc.flush()
    text, runs = doc.text, authorship(doc)
    made.close()
    old = sqlite_utils.Database(sqlite3.connect(tmp_path / "old.db"))
    for _name, apply in store_module._MIGRATIONS[:4]:
        apply(old)
    old.execute("PRAGMA user_version = 4")
    assert (
        "WITHOUT ROWID"
        in old.execute("SELECT sql FROM sqlite_master WHERE name = 'events'").fetchone()[0]
    )
    old.execute("ATTACH DATABASE ? AS new", [str(tmp_path / "new.db")])
    for table in ("documents", "authors", "events", "snapshots"):
        columns = ", ".join(old[table].columns_dict)  # the old order, by name
        old.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM new.{table}")
    old.conn.commit()
    old.execute("DETACH DATABASE new")
    old.conn.close()

    store = Store(tmp_path / "old.db")
    assert store.schema_version == len(store_module._MIGRATIONS)
    for table in ("events", "snapshots"):
        sql = store.db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()
        assert "WITHOUT ROWID" not in sql[0]
    assert store.db.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] >= 2
    again = AuthoredDocument.open(store, doc.doc_id)
    assert again.text == text and authorship(again) == runs
    assert again.ledger.verify()
    again.record(0, 0, "x", ANN, How.TYPED)
    again.flush()
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute(
            "INSERT INTO events SELECT * FROM events WHERE doc_id = ? LIMIT 1", [doc.doc_id]
        )
    assert store.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_documents_paths_and_unsaved_changes(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    doc = AuthoredDocument.create(store, "/notes/a.md", "A", "saved text\n")
    assert store.document_for_path("/notes/a.md") == doc.doc_id
    assert store.documents_with_unsaved_changes() == []
    doc.record(0, 0, "new ", ANN, How.TYPED)
    doc.flush()
    [info] = store.documents_with_unsaved_changes()
    assert (info.id, info.saved_seq, info.head_seq) == (doc.doc_id, 1, 2)
    assert recoverable(store, doc.doc_id, "saved text\n")
    assert not recoverable(store, doc.doc_id, "something else\n")
    doc.mark_saved(text_sha256(doc.text))
    assert store.documents_with_unsaved_changes() == []
    assert store.document_info(doc.doc_id).saved_sha256 == text_sha256("new saved text\n")
    store.set_document_path(doc.doc_id, "/notes/b.md")
    assert store.document_for_path("/notes/a.md") is None
    assert store.document_for_path("/notes/b.md") == doc.doc_id
    store.close()


def test_external_change_is_attributed_to_nobody_known(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    doc = AuthoredDocument.create(store, "/a.md", "A", "One. Two. Three.\n", ANN, How.TYPED)
    doc.record(4, 0, " More.", MODEL, How.SUGGESTION)
    disk = "One. More. 2. Three!\n"
    event = doc.reconcile_with_disk(disk)
    assert event is not None and event.author == UNKNOWN_EXTERNAL
    assert doc.text == disk
    by_char = [doc.event_at(i) for i in range(len(disk))]
    assert all(e.author == ANN for e in by_char[:4])
    assert all(e.author == MODEL for e in by_char[4:10])
    assert origin_of(doc.event_at(disk.index("2"))) == "external"
    assert origin_of(doc.event_at(disk.index("!"))) == "external"
    assert doc.event_at(disk.index("Three")).author == ANN
    assert doc.reconcile_with_disk(disk) is None
    assert store.documents_with_unsaved_changes() == []
    store.close()


def test_undo_restores_original_authors(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    doc = AuthoredDocument.create(store, None, "t")
    doc.record(0, 0, "Hello ", ANN, How.TYPED)
    doc.record(6, 0, "brave new world", MODEL, How.SUGGESTION)
    for _ in range(5):  # five backspaces, undone at once
        doc.record(len(doc) - 1, 1, "", ANN, How.TYPED)
    undo = doc.record(len(doc), 0, "world", ANN, How.UNDO)
    assert undo is not None and doc.text == "Hello brave new world"
    assert {doc.event_at(i).author for i in range(6, len(doc))} == {MODEL}
    # Undo the suggestion, then redo it: authorship comes back with it.
    doc.record(6, 15, "", ANN, How.UNDO)
    doc.record(6, 0, "brave new world", ANN, How.REDO)
    assert doc.shares() == {**doc.shares(), "human": 6, "model": 15}
    # An undo that brings back text nobody removed is the undo's own.
    fresh = doc.record(0, 0, "Zz", ANN, How.UNDO)
    assert fresh is not None and doc.event_at(0) == fresh
    store.close()


def test_model_text_edited_by_the_writer_is_labelled(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    doc = AuthoredDocument.create(store, None, "t")
    doc.record(0, 0, "I wrote this. ", ANN, How.TYPED)
    doc.record(len(doc), 0, "The model wrote this.", MODEL, How.SUGGESTION)
    doc.record(len(doc), 0, "\n\nMore model text. ", MODEL, How.PARTIAL)
    assert doc.shares()["model"] == len(doc) - 14
    at = doc.text.index("wrote this.", 14) + 5
    doc.record(at, 0, "ly", ANN, How.TYPED)  # "wrotely": inside the first model run
    labels = {label for _, _, label in doc.labels()}
    assert labels == {"human", "model", "model_edited"}
    assert doc.shares()["model_edited"] == len("The model wrote this.")
    store.close()


def test_a_whole_number_time_still_verifies_after_a_reopen(tmp_path: Path) -> None:
    """SQLite gives a stored time back as a float: the hash must cover the same value."""
    store = Store(tmp_path / "lib.db")
    doc = AuthoredDocument.create(store, None, "t")
    doc.record(0, 0, "Whole \u201cseconds\u201d.", ANN, How.TYPED, at=1_700_000_000)
    doc.flush()
    store.close()
    store = Store(tmp_path / "lib.db")
    assert Ledger(store, doc.doc_id).verify()
    store.close()
