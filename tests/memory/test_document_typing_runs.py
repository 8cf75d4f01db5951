"""A run of typing recorded in one call (`AuthoredDocument.record_inserts`) and the run
edits under it (`AuthoredText.insert_runs`, the in-block deletion, `pairs`): the same
text, runs, events, ledger entries, hashes and snapshots as one `record` per keystroke,
and the same runs as a per-character reference (issue #12, the CoAuthor replay)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memory.document import AuthoredDocument
from memory.events import Author, How, SourceKind
from memory.ledger import Ledger
from memory.runs import _BLOCK_MAX, AuthoredText
from memory.store import Store

WRITER = Author(SourceKind.PERSON, "Ann")
MODEL = Author(SourceKind.MODEL, "m", "ab" * 32)
PASTE = Author(SourceKind.CLIPBOARD, "Clipboard")
PIECES = ["a", " ", "\u201c", "\u201d", "\U0001f600", "e\u0301", "\u4e2d\u6587", "xyz", '"\\']

Ref = list[int]  # the event of each character


def check_blocks(text: AuthoredText) -> None:
    """The block bookkeeping stays consistent (no empty block, totals and sums agree)."""
    assert all(text._lens), "no empty block"
    assert len(text._lens) == len(text._events) == len(text._totals)
    for lens, events, total in zip(text._lens, text._events, text._totals, strict=True):
        assert len(lens) == len(events) <= _BLOCK_MAX
        assert sum(lens) == total and all(n > 0 for n in lens)
    if text._cum is not None:
        running = 0
        for total, end in zip(text._totals, text._cum, strict=True):
            running += total
            assert end == running


def ref_pairs(ref: Ref) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for e in ref:
        if out and out[-1][1] == e:
            out[-1] = (out[-1][0] + 1, e)
        else:
            out.append((1, e))
    return out


# (where in 0..1, op: 0 insert runs / 1 delete / 2 replace, pieces, events, how many)
RUN_OPS = st.lists(
    st.tuples(
        st.floats(0, 1),
        st.integers(0, 2),
        st.lists(st.sampled_from(PIECES), min_size=1, max_size=40),
        st.lists(st.integers(1, 5), min_size=1, max_size=40),
        st.integers(1, 4),
    ),
    min_size=1,
    max_size=120,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RUN_OPS)
def test_insert_runs_and_deletions_match_a_per_character_model(
    ops: list[tuple[float, int, list[str], list[int], int]],
) -> None:
    """Random inserts of many runs, deletions and replacements, ASCII and not: the runs
    always equal the naive list of one event per character."""
    text = AuthoredText()
    ref: Ref = []
    chars = ""
    for where, op, pieces, events, count in ops:
        at = int(where * len(chars))
        if op == 0 or not chars:
            # runs from the given events, neighbours made distinct (the method's contract)
            evs = [e + 10 * i for i, e in enumerate(events[: len(pieces)])]
            pieces = pieces[: len(evs)]
            inserted = "".join(pieces)
            text.insert_runs(at, inserted, [len(p) for p in pieces], evs)
            new = [e for p, e in zip(pieces, evs, strict=True) for _ in p]
            ref[at:at] = new
            chars = chars[:at] + inserted + chars[at:]
        elif op == 1:
            n = min(count, len(chars) - at)
            text.replace(at, n, "", [])
            del ref[at : at + n]
            chars = chars[:at] + chars[at + n :]
        else:
            n = min(count, len(chars) - at)
            piece = pieces[0]
            text.replace(at, n, piece, [(len(piece), events[0])])
            ref[at : at + n] = [events[0]] * len(piece)
            chars = chars[:at] + piece + chars[at + n :]
        assert text.text == chars
        assert text.pairs() == ref_pairs(ref)
        assert [(n, e) for _s, n, e in text.iter_runs()] == text.pairs()
        check_blocks(text)


def test_insert_runs_merges_a_seam_with_the_same_event() -> None:
    text = AuthoredText("abc", 1)
    text.insert_runs(3, "de", [1, 1], [1, 2])  # the first new run joins the old one
    assert text.pairs() == [(4, 1), (1, 2)]
    text.insert_runs(0, "\u201cz", [1, 1], [3, 1])  # the last joins the old first run
    assert text.pairs() == [(1, 3), (5, 1), (1, 2)]
    with pytest.raises(ValueError):
        text.insert_runs(99, "x", [1], [4])
    with pytest.raises(ValueError):
        text.insert_runs(0, "xy", [1], [4])  # segments must cover the text


def test_backspacing_through_runs_of_one_key_each() -> None:
    """Deleting whole one-character runs from inside blocks, and their neighbours
    joining when they share an event."""
    text = AuthoredText()
    text.insert_runs(0, "ab" * 300, [1] * 600, [1 + i % 2 for i in range(600)])
    ref = [1 + i % 2 for i in range(600)]
    for k in range(599, 0, -3):
        text.replace(k, 1, "", [])
        del ref[k]
        assert text.pairs() == ref_pairs(ref)
        check_blocks(text)
    text.insert_runs(len(ref), "\u201c\U0001f600" * 100, [1] * 200, range(10, 210))
    ref += range(10, 210)
    while len(ref) > 1:  # backspace at the end, then delete at the start, in turn
        at = len(ref) - 1 if len(ref) % 2 else 0
        text.replace(at, 1, "", [])
        del ref[at]
        assert text.pairs() == ref_pairs(ref)
        check_blocks(text)


def make_doc(store: Store, snapshot_every: int, base: list[tuple[str, Author]]) -> AuthoredDocument:
    doc = AuthoredDocument.create(store, None, "t", snapshot_every=snapshot_every)
    for i, (piece, author) in enumerate(base):
        doc.record(len(doc) // 2, 0, piece, author, How.TYPED, at=1000.0 + i)
    return doc


def ledger_rows(store: Store, doc: AuthoredDocument) -> list[tuple[object, ...]]:
    return store.db.execute(
        "SELECT seq, at, author_key, how, start, removed, inserted, segments, prev_hash, hash "
        "FROM events WHERE doc_id = ? ORDER BY seq",
        [doc.doc_id],
    ).fetchall()


def snapshots(store: Store, doc: AuthoredDocument) -> list[tuple[object, ...]]:
    return store.db.execute(
        "SELECT seq, text, runs, events_needed FROM snapshots WHERE doc_id = ? ORDER BY seq",
        [doc.doc_id],
    ).fetchall()


AUTHORS = st.sampled_from([WRITER, MODEL, PASTE])
# Times as `record` takes them: floats (infinities fall back to json.dumps) and ints.
# Not NaN (SQLite stores it as NULL: the flush fails either way) nor -0.0 (read back as
# 0.0: the stored chain no longer verifies either way).
TIMES = st.one_of(
    st.floats(0, 2e9, allow_nan=False),
    st.integers(0, 2**40),
    st.sampled_from([math.inf, -math.inf, 1e300, 5e-324]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.lists(st.tuples(st.sampled_from(PIECES), AUTHORS), max_size=12),
    where=st.floats(0, 1),
    texts=st.lists(st.sampled_from([*PIECES, "", "\u00e9\u00e8"]), min_size=1, max_size=30),
    times=st.lists(TIMES, min_size=30, max_size=30),
    author=AUTHORS,
    how=st.sampled_from([How.TYPED, How.SUGGESTION, How.PASTE, How.UNDO]),
    snapshot_every=st.sampled_from([1, 2, 3, 7, 500]),
)
def test_record_inserts_is_record_once_per_key(
    tmp_path_factory: pytest.TempPathFactory,
    base: list[tuple[str, Author]],
    where: float,
    texts: list[str],
    times: list[float],
    author: Author,
    how: How,
    snapshot_every: int,
) -> None:
    folder = tmp_path_factory.mktemp("runs")
    one, many = Store(folder / "one.db"), Store(folder / "many.db")
    by_key = make_doc(one, snapshot_every, base)
    at_once = make_doc(many, snapshot_every, base)
    start = int(where * len(by_key))
    ats: list[float | None] = list(times[: len(texts)])
    ats[0] = None if len(ats) > 1 else ats[0]  # "now" is allowed too: same for both below
    ats = [1234.5 if a is None else a for a in ats]
    pos = start
    expected = []
    for text, at in zip(texts, ats, strict=True):
        event = by_key.record(pos, 0, text, author, how, at=at)
        if event is not None:
            expected.append(event)
        pos += len(text)
    got = at_once.record_inserts(start, texts, author, how, ats)
    assert [(e.seq, e.author, e.how) for e in got] == [(e.seq, e.author, e.how) for e in expected]
    assert [repr(e.at) for e in got] == [repr(e.at) for e in expected]
    assert at_once.text == by_key.text
    assert at_once.authored_text.pairs() == by_key.authored_text.pairs()
    assert at_once.head_hash == by_key.head_hash and at_once.head_seq == by_key.head_seq
    assert set(at_once.events) == set(by_key.events)
    # what waits for the flush reads back the same, then the same rows reach the store
    assert at_once.ledger.entries() == by_key.ledger.entries()
    by_key.flush()
    at_once.flush()
    assert ledger_rows(many, at_once) == ledger_rows(one, by_key)
    assert snapshots(many, at_once) == snapshots(one, by_key)
    assert Ledger(many, at_once.doc_id).verify() and Ledger(one, by_key.doc_id).verify()
    reopened = AuthoredDocument.open(many, at_once.doc_id)
    assert reopened.authored_text.pairs() == by_key.authored_text.pairs()
    one.close()
    many.close()


def test_record_inserts_checks_its_arguments(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    doc = AuthoredDocument.create(store, None, "t", "abc", WRITER)
    with pytest.raises(ValueError):
        doc.record_inserts(4, ["x"], WRITER, How.TYPED, [1.0])
    with pytest.raises(ValueError):
        doc.record_inserts(0, ["x", "y"], WRITER, How.TYPED, [1.0])
    assert doc.record_inserts(3, [], WRITER, How.TYPED, []) == []
    assert doc.text == "abc" and doc.head_seq == 1
    store.close()


def test_snapshot_columns_are_json(tmp_path: Path) -> None:
    """A snapshot's runs and events are json.dumps of its (length, event) pairs and of
    the sorted events, big ints and all."""
    store = Store(tmp_path / "lib.db")
    doc = AuthoredDocument.create(store, None, "t", snapshot_every=2)
    doc.record(0, 0, "\U0001f600", WRITER, How.TYPED, at=1.0)
    doc.record(0, 0, "ab", MODEL, How.SUGGESTION, at=2.0)
    doc.record(1, 0, "\u201c", WRITER, How.TYPED, at=3.0)
    doc.record(0, 0, "z", WRITER, How.TYPED, at=4.0)
    doc.flush()
    for _seq, _text, runs, needed in snapshots(store, doc):
        pairs = [tuple(p) for p in json.loads(str(runs))]
        assert runs == json.dumps(pairs)
        assert needed == json.dumps(sorted({e for _, e in pairs}))
    assert len(snapshots(store, doc)) == 2
    store.close()
