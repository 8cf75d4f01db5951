"""A file's runs recorded as it opens (`AuthoredDocument.record_import`): the same text,
runs, events and hashes as one `record` per run, with one snapshot after the last run
instead of one every `snapshot_every` entries (a 50 MB manuscript of 58,000 runs took
117 snapshots of its text so far, 5.8 GB, on the GUI thread: issue #12)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memory.document import AuthoredDocument
from memory.events import Author, How, SourceKind
from memory.store import Store

WRITER = Author(SourceKind.PERSON, "Ann")
MODEL = Author(SourceKind.MODEL, "m", "ab" * 32)
FILE = Author(SourceKind.IMPORT, "book.md")
PIECES = ["a", " ", "\u201c", "\u201d", "\U0001f600", "e\u0301", "\u4e2d\u6587", "xyz\n"]

RUNS = st.lists(
    st.tuples(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6), st.integers(0, 2)),
    min_size=1,
    max_size=40,
)


def as_runs(drawn: list[tuple[list[str], int]]) -> tuple[str, list[tuple[int, int, Author]]]:
    authors = (WRITER, MODEL, FILE)
    text, runs = "", []
    for pieces, who in drawn:
        piece = "".join(pieces)
        runs.append((len(text), len(piece), authors[who]))
        text += piece
    return text, runs


def snapshot_seqs(store: Store, doc_id: str) -> list[int]:
    rows = store.db.execute("SELECT seq FROM snapshots WHERE doc_id = ? ORDER BY seq", [doc_id])
    return [int(seq) for (seq,) in rows.fetchall()]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=RUNS, every=st.sampled_from([1, 2, 3, 500]))
def test_an_import_is_the_per_run_records_with_one_snapshot(drawn, every: int) -> None:
    text, runs = as_runs(drawn)
    one, batch = Store(":memory:"), Store(":memory:")
    try:
        by_run = AuthoredDocument.create(one, None, "t", snapshot_every=every)
        for start, length, author in runs:
            by_run.record(start, 0, text[start : start + length], author, How.IMPORT, at=5.0)
        by_run.flush()
        imported = AuthoredDocument.create(batch, None, "t", snapshot_every=every)
        imported.record_import(text, runs, at=5.0)
        imported.flush()
        assert imported.text == by_run.text == text
        assert imported.spans() == by_run.spans()
        assert imported.head_seq == by_run.head_seq == len(runs)
        assert imported.head_hash == by_run.head_hash  # the same entries, hash for hash
        assert snapshot_seqs(batch, imported.doc_id) == ([len(runs)] if len(runs) > 1 else [])
        assert imported.ledger.verify()
        # Replay to any seq, the middle of the import included, is the per-run one's.
        for seq in {0, len(runs) // 2, len(runs)}:
            mine, theirs = imported.ledger.replay(seq), by_run.ledger.replay(seq)
            assert mine[0].text == theirs[0].text and mine[0].pairs() == theirs[0].pairs()
        reopened = AuthoredDocument.open(batch, imported.doc_id, snapshot_every=every)
        assert reopened.text == text and reopened.spans() == imported.spans()
        # Typing after the import snapshots as usual again.
        for _ in range(2 * every):
            reopened.record(len(reopened.text), 0, "k", WRITER, How.TYPED)
        reopened.flush()
        assert len(snapshot_seqs(batch, imported.doc_id)) >= 2
    finally:
        one.close()
        batch.close()


def test_an_import_needs_an_empty_document_and_runs_that_tile_the_text(tmp_path: Path) -> None:
    store = Store(tmp_path / "d.db")
    try:
        doc = AuthoredDocument.create(store, None, "t", "Already here.", WRITER)
        with pytest.raises(ValueError, match="empty"):
            doc.record_import("More.", [(0, 5, WRITER)])
        fresh = AuthoredDocument.create(store, None, "u")
        with pytest.raises(ValueError, match="cover"):
            fresh.record_import("Gap here.", [(0, 3, WRITER), (4, 5, MODEL)])
        with pytest.raises(ValueError, match="cover"):  # an empty run after the text
            fresh.record_import("Whole.", [(0, 6, WRITER), (6, 0, MODEL)])
        assert fresh.text == "" and fresh.head_seq == 0  # nothing half-written
    finally:
        store.close()


def test_a_document_opened_on_a_thread_goes_on_over_the_gui_threads_connection(
    tmp_path: Path,
) -> None:
    """A long file's runs are written on a worker thread's own connection to the
    library, and the document is handed to the GUI thread's (`bound_to`): it records on
    from there as the document opened from the library does."""
    import threading

    library = tmp_path / "draftsmith.db"
    text = "\u201cMara\u201d wrote. The model went on. \U0001f600"
    runs = [(0, 14, WRITER), (14, 19, MODEL), (33, len(text) - 33, FILE)]
    made: list[AuthoredDocument] = []

    def on_worker() -> None:
        own = Store(library)
        try:
            doc = AuthoredDocument.create(own, None, "t")
            doc.record_import(text, runs)
            doc.flush()
            made.append(doc)
        finally:
            own.close()

    worker = threading.Thread(target=on_worker)
    worker.start()
    worker.join()
    store = Store(library)
    try:
        doc = made[0].bound_to(store)
        assert doc.store is store and doc.text == text and doc.spans() == made[0].spans()
        doc.record(0, 0, "Yes. ", WRITER, How.TYPED)
        doc.flush()
        reopened = AuthoredDocument.open(store, doc.doc_id)
        assert reopened.text == "Yes. " + text and reopened.spans() == doc.spans()
        assert reopened.ledger.verify()
        unwritten = AuthoredDocument.create(store, None, "u")
        unwritten.record(0, 0, "x", WRITER, How.TYPED)
        with pytest.raises(ValueError, match="flush"):
            unwritten.bound_to(store)
    finally:
        store.close()


def test_a_long_text_takes_its_snapshots_further_apart() -> None:
    """A snapshot writes the whole text, so a long text takes one every
    `len // SNAPSHOT_CHARS_PER_ENTRY` entries when that is more than `snapshot_every`;
    a run of typing recorded at once snapshots where one `record` per key does."""
    from memory.ledger import SNAPSHOT_CHARS_PER_ENTRY

    base = "\u201cLong\u201d line \U0001f600.\n" * (10 * SNAPSHOT_CHARS_PER_ENTRY // 15)
    keys = ["typed \u00e9 " * 50] * 60  # each key 400 characters: the interval grows
    one, batch = Store(":memory:"), Store(":memory:")
    try:
        per_key = AuthoredDocument.create(one, None, "t", base, FILE, at=1.0, snapshot_every=5)
        for key in keys:
            per_key.record(len(per_key), 0, key, WRITER, How.TYPED, at=1.0)
        per_key.flush()
        at_once = AuthoredDocument.create(batch, None, "t", base, FILE, at=1.0, snapshot_every=5)
        at_once.record_inserts(len(at_once), keys, WRITER, How.TYPED, [1.0] * len(keys))
        at_once.flush()
        seqs = snapshot_seqs(one, per_key.doc_id)
        assert seqs == snapshot_seqs(batch, at_once.doc_id)
        assert at_once.head_hash == per_key.head_hash
        gaps = [later - earlier for earlier, later in zip([0, *seqs], seqs, strict=False)]
        assert gaps and all(gap >= 10 for gap in gaps)  # not every 5: 20,000 characters
        assert max(gaps) > min(gaps)  # further apart as the text grows
        reopened = AuthoredDocument.open(batch, at_once.doc_id, snapshot_every=5)
        assert reopened.text == per_key.text and reopened.spans() == per_key.spans()
    finally:
        one.close()
        batch.close()
