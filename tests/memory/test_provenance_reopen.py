"""Reopening a saved file fast: the snapshot a save keeps, and the joiner shortcut.

A save keeps the ledger's state at its head (`Ledger.snapshot_head`), so reopening the
file starts the replay there instead of replaying every edit since the last periodic
snapshot. The state reopened must be exactly what a replay from the first entry gives,
and a tampered snapshot must still fail `Ledger.verify`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memory.document import AuthoredDocument
from memory.events import Author, How, SourceKind
from memory.ledger import Ledger, LedgerError
from memory.provenance import graphemes
from memory.runs import AuthoredText
from memory.store import Store

WRITER = Author(SourceKind.PERSON, "Ann")
MODEL = Author(SourceKind.MODEL, "tiny", "ab" * 32)
PIECES = ["a", "the ", "\u201cyes\u201d ", "caf\u00e9 ", "\U0001f642", "e\u0301", "\n", "\u2014"]


def full_replay(store: Store, doc_id: str) -> tuple[str, list[tuple[int, int, int]]]:
    """The text and runs from the first entry on, no snapshot used."""
    ledger = Ledger(store, doc_id)
    state = AuthoredText()
    for entry in ledger.entries(0):
        state.replace(entry.start, entry.removed, entry.inserted, entry.segments)
    return state.text, list(state.iter_runs())


def snapshot_seqs(store: Store, doc_id: str) -> list[int]:
    rows = store.db.execute(
        "SELECT seq FROM snapshots WHERE doc_id = ? ORDER BY seq", [doc_id]
    ).fetchall()
    return [int(seq) for (seq,) in rows]


edits = st.lists(
    st.tuples(
        st.floats(0, 1),  # where
        st.integers(0, 6),  # how many characters to remove
        st.lists(st.sampled_from(PIECES), max_size=4).map("".join),
        st.booleans(),  # the model's, or the writer's
        st.booleans(),  # save afterwards
    ),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(script=edits)
def test_reopen_after_saves_is_exactly_a_full_replay(tmp_path: Path, script: list) -> None:
    store = Store(tmp_path / f"lib-{abs(hash(str(script)))}.db")
    try:
        # snapshot_every=8 and no size threshold: snapshots are taken and dropped often.
        doc = AuthoredDocument.create(store, None, "t", "Start \u201chere\u201d.\n", WRITER)
        doc.ledger.snapshot_every = 8
        for where, removed, inserted, by_model, save in script:
            start = int(where * len(doc))
            removed = min(removed, len(doc) - start)
            doc.record(start, removed, inserted, MODEL if by_model else WRITER, How.TYPED)
            if save:
                doc.flush()
                doc.ledger.snapshot_head(doc.authored_text, min_replay_chars=0)
        doc.flush()
        doc.ledger.snapshot_head(doc.authored_text, min_replay_chars=0)
        expected_text, expected_runs = full_replay(store, doc.doc_id)
        assert (doc.text, list(doc.authored_text.iter_runs())) == (expected_text, expected_runs)
        reopened = AuthoredDocument.open(store, doc.doc_id, snapshot_every=8)
        assert reopened.text == expected_text
        assert list(reopened.authored_text.iter_runs()) == expected_runs
        assert all(reopened.events[e] == doc.events[e] for _s, _n, e in expected_runs)
        assert reopened.labels() == doc.labels()
        assert reopened.ledger.verify()
        # Replay to any earlier seq still starts at most snapshot_every entries back.
        seqs = [0, *snapshot_seqs(store, doc.doc_id), doc.head_seq]
        assert all(later - earlier <= 8 for earlier, later in zip(seqs, seqs[1:], strict=False))
    finally:
        store.close()


def test_a_save_snapshot_is_kept_when_a_replay_would_copy_much(tmp_path: Path) -> None:
    """Replaying an entry copies one chunk of the text, whatever its length: a save
    keeps a snapshot once the entries since the last one would copy 20 million
    characters (about 1,200 entries of a long text), not after 21 entries of a long
    text as when a replay copied the whole text per entry."""
    store = Store(tmp_path / "lib.db")
    try:
        short = AuthoredDocument.create(store, None, "short", "A line.\n", WRITER)
        short.record(0, 0, "x", WRITER, How.TYPED)
        short.flush()
        assert not short.ledger.snapshot_head(short.authored_text)  # replaying 2 is cheap
        # 2.6 million characters: periodic snapshots 1,300 entries apart.
        long = AuthoredDocument.create(
            store, None, "long", "\u201cA\u201d line.\n" * 260_000, WRITER
        )
        for i in range(1, 21):
            long.record(i * 1000, 0, "\U0001f642", MODEL, How.SUGGESTION)
        long.flush()
        assert not long.ledger.snapshot_head(long.authored_text)  # 21 chunks: cheap
        for i in range(21, 1_251):  # 1,251 entries, each a chunk of 16,384: worth one
            long.record(i * 1000, 0, "\U0001f642", MODEL, How.SUGGESTION)
        long.flush()
        assert snapshot_seqs(store, long.doc_id) == []  # none taken on the way
        assert long.ledger.snapshot_head(long.authored_text)
        assert snapshot_seqs(store, long.doc_id) == [long.head_seq]
        assert not long.ledger.snapshot_head(long.authored_text)  # nothing new since
        reopened = AuthoredDocument.open(store, long.doc_id)
        assert (reopened.text, list(reopened.authored_text.iter_runs())) == full_replay(
            store, long.doc_id
        )
    finally:
        store.close()


def test_a_tampered_save_snapshot_fails_verify(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    try:
        doc = AuthoredDocument.create(store, None, "t", "Who wrote \u201cthis\u201d?\n", WRITER)
        doc.record(0, 0, "Model: ", MODEL, How.SUGGESTION)
        doc.flush()
        assert doc.ledger.snapshot_head(doc.authored_text, min_replay_chars=0)
        assert doc.ledger.verify()
        with store.transaction():
            store.db.conn.execute(
                "UPDATE snapshots SET runs = ? WHERE doc_id = ?",
                [f"[[{len(doc)}, 1]]", doc.doc_id],  # everything the import's
            )
        with pytest.raises(LedgerError):
            Ledger(store, doc.doc_id).verify()
    finally:
        store.close()


@given(st.text(max_size=60) | st.lists(st.sampled_from(PIECES + ["\r", "\u200d"])).map("".join))
def test_the_joiner_shortcut_answers_as_the_search(text: str) -> None:
    assert graphemes._has_joiner(text) == (graphemes._JOINERS.search(text) is not None)
    clusters = [m.start() for m in regex.finditer(r"\X", text, flags=regex.DOTALL)]
    assert list(graphemes.cluster_starts(text)) == [*clusters, len(text)]


block_pieces = st.sampled_from(
    [
        "Text \u201cquoted\u201d \U0001f642",
        "\n",
        "\r\n",
        "...",
        "--",
        "---",
        "- -",
        "Annotations: 0,12 SHA-256 abc",
        "@Ann: 0,3",
        "&Model <model>: 3,2",
        "  ",
    ]
)


@given(st.lists(block_pieces, max_size=14).map("".join))
def test_the_no_block_shortcut_parses_as_the_full_parse(content: str) -> None:
    from memory.provenance import annotations

    assert annotations.parse_annotated_markdown(content) == annotations._parse_lines(content)


@given(st.integers(0, 3), st.sampled_from(["", "e\u0301", "\u200d", "\r", "\U0001f1eb\U0001f1f7"]))
def test_the_joiner_shortcut_looks_at_every_slice(slices: int, tail: str) -> None:
    text = "\u201cq\u201d caf\u00e9 \U0001f642 " * (graphemes._SLICE // 12 * slices) + tail
    assert graphemes._has_joiner(text) == (graphemes._JOINERS.search(text) is not None)


@pytest.mark.parametrize("slice_chars", [7, 1 << 18])
def test_a_long_snapshot_written_in_slices_reads_back_as_its_text(
    tmp_path: Path, monkeypatch, slice_chars: int
) -> None:
    """A snapshot's text past `SNAPSHOT_SLICE_CHARS` goes into its row a slice of UTF-8
    at a time (SQLite's incremental I/O): the row holds the same TEXT, reopening reads
    it, and the chain still verifies. Cut small, the slices split "é" and 🙂 nowhere:
    slices are of characters, each encoded whole."""
    from memory import ledger as ledger_module

    monkeypatch.setattr(ledger_module, "SNAPSHOT_SLICE_CHARS", slice_chars)
    store = Store(tmp_path / "lib.db")
    try:
        text = "Caf\u00e9 \u201cyes\u201d \U0001f642 e\u0301.\n" * 40
        doc = AuthoredDocument.create(store, None, "t", text, WRITER)
        doc.record(len(doc), 0, "More \u2014 here.", MODEL, How.SUGGESTION)
        doc.flush()
        assert doc.ledger.snapshot_head(doc.authored_text, min_replay_chars=0)
        (stored, kind), *_ = store.db.execute(
            "SELECT text, typeof(text) FROM snapshots WHERE doc_id = ? ORDER BY seq DESC",
            [doc.doc_id],
        ).fetchall()
        assert kind == "text" and stored == doc.text
        again = AuthoredDocument.open(store, doc.doc_id)
        assert again.text == doc.text
        assert list(again.authored_text.iter_runs()) == list(doc.authored_text.iter_runs())
        assert Ledger(store, doc.doc_id).verify()
    finally:
        store.close()
