"""In-memory stores copied from one migrated template (issue #12), and the snapshot's
runs column written by json's encoder: the same schema, the same bytes as before."""

from __future__ import annotations

import json
import os
import sqlite3
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memory.document import AuthoredDocument
from memory.events import Author, How, SourceKind
from memory.ledger import Ledger
from memory.store import Store

SCHEMA = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
WRITER = Author(SourceKind.PERSON, "Ann")


def test_a_copied_store_has_the_migrated_schema_and_version() -> None:
    copied = Store(":memory:")
    migrated = Store(":memory:", _from_template=False)
    assert copied.db.execute(SCHEMA).fetchall() == migrated.db.execute(SCHEMA).fetchall()
    assert copied.schema_version == migrated.schema_version > 0
    assert copied.db.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert copied.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # the long-term memory's full-text index (a virtual table) works in the copy
    copied.db.execute(
        "INSERT INTO memory_fts (text, name, keywords) VALUES (?, ?, ?)",
        ["The keeper\u2019s caf\u00e9 by the harbour \U0001f600", "place", "harbour"],
    )
    found = copied.db.execute(
        "SELECT name FROM memory_fts WHERE memory_fts MATCH ?", ["harbours"]
    ).fetchall()
    assert found == [("place",)]
    copied.close()
    migrated.close()


def test_copied_stores_are_independent_and_start_empty() -> None:
    first = Store(":memory:")
    doc = AuthoredDocument.create(first, None, "one", "\u201cHello\u201d \U0001f600", WRITER)
    doc.record(len(doc), 0, " caf\u00e9", WRITER, How.TYPED)
    doc.flush()
    second = Store(":memory:")
    for table in ("documents", "authors", "events", "snapshots", "model_edits"):
        assert second.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,)
    assert first.db.execute("SELECT COUNT(*) FROM events").fetchone() == (2,)
    reopened = AuthoredDocument.open(first, doc.doc_id)
    assert reopened.text == "\u201cHello\u201d \U0001f600 caf\u00e9"
    assert reopened.head_hash == doc.head_hash
    assert Ledger(first, doc.doc_id).verify()
    first.close()
    second.close()


def test_foreign_keys_hold_in_a_copied_store() -> None:
    store = Store(":memory:")
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        store.db.execute(
            "INSERT INTO events (doc_id, seq, at, author_key, how, start, removed, inserted, "
            "segments, prev_hash, hash) VALUES ('nope', 1, 0, 'x', 'typed', 0, 0, 'a', "
            "'[[1, 1]]', '', '')"
        )
    store.close()


def test_stores_made_on_other_threads() -> None:
    """The template is shared by every thread (a task lane may make a store)."""
    texts: list[str] = []
    problems: list[BaseException] = []

    def work(i: int) -> None:
        try:
            store = Store(":memory:")
            doc = AuthoredDocument.create(store, None, f"t{i}", f"\u2018{i}\u2019", WRITER)
            texts.append(AuthoredDocument.open(store, doc.doc_id).text)
            store.close()
        except BaseException as exc:  # reported below, on the test's thread
            problems.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not problems
    assert sorted(texts) == [f"\u2018{i}\u2019" for i in range(4)]


@given(st.lists(st.tuples(st.integers(0, 2**70), st.integers(-(2**70), 2**70)), max_size=60))
def test_snapshot_runs_json_is_the_bytes_written_before(runs: list[tuple[int, int]]) -> None:
    """`add_snapshot` writes json.dumps of the (length, event) pairs; the code before
    wrote their repr with brackets (for ints): the same bytes."""
    assert json.dumps(runs) == repr(runs).replace("(", "[").replace(")", "]")
    needed = sorted({event for _n, event in runs})
    assert json.dumps(needed) == repr(needed)


def test_snapshot_row_as_stored() -> None:
    store = Store(":memory:")
    doc = AuthoredDocument.create(store, None, "snap", snapshot_every=3)
    for ch in "ab\u00e9\U0001f600":
        doc.record(len(doc), 0, ch, WRITER, How.TYPED)
    doc.flush()
    rows = store.db.execute(
        "SELECT seq, text, runs, events_needed FROM snapshots ORDER BY seq"
    ).fetchall()
    assert rows == [(3, "ab\u00e9", "[[1, 1], [1, 2], [1, 3]]", "[1, 2, 3]")]
    store.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system")
def test_a_forked_child_makes_its_own_template() -> None:
    Store(":memory:").close()  # the parent's template exists
    pid = os.fork()
    if pid == 0:  # the child: a store of its own, a document through the ledger
        code = 1
        try:
            store = Store(":memory:")
            text = "\u201cfork\u201d \U0001f600"
            doc = AuthoredDocument.create(store, None, "child", text, WRITER)
            if AuthoredDocument.open(store, doc.doc_id).text == text:
                code = 0
            store.close()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert Store(":memory:").schema_version > 0  # the parent's still serves
