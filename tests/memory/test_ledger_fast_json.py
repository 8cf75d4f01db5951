"""The ledger's hand-built JSON is byte for byte what json.dumps makes (issue #12).

The hash of every entry covers `canonical_json`; its definition is json.dumps with
sorted keys, no spaces and ASCII only. The fast path must give the same bytes for
every entry, or existing ledgers would stop verifying.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from memory.document import AuthoredDocument
from memory.events import Author, EditEvent, How, SourceKind
from memory.ledger import Ledger, _segments_json, canonical_json, entry_hash
from memory.store import Store

# Every code point, lone surrogates and control characters included.
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=40)
NASTY = st.sampled_from(
    ["", "\u201cquoted\u201d", "\U0001f600", "\ud83d", "\udc00x", "\x00\x1f\x7f", '"\\/\b\f\n\r\t']
)
TEXT = st.one_of(ANY_TEXT, NASTY, st.lists(NASTY, max_size=5).map("".join))
INTS = st.one_of(st.integers(min_value=0, max_value=10**6), st.integers(), st.just(2**70))
TIMES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.just(1629288382.942),
    st.just(-0.0),
)
AUTHORS = st.builds(Author, st.sampled_from(list(SourceKind)), TEXT, st.one_of(st.just(""), TEXT))
SEGMENTS = st.lists(st.tuples(INTS, INTS), max_size=6)


def reference(
    event: EditEvent, start: int, removed: int, inserted: str, segments: list[tuple[int, int]]
) -> str:
    """The definition, spelled out as it was before the fast path."""
    return json.dumps(
        {
            "seq": event.seq,
            "at": event.at,
            "author": event.author.key,
            "how": event.how.value,
            "start": start,
            "removed": removed,
            "inserted": inserted,
            "segments": [[length, source] for length, source in segments],
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )


@settings(max_examples=400)
@given(INTS, AUTHORS, st.sampled_from(list(How)), TIMES, INTS, INTS, TEXT, SEGMENTS)
def test_canonical_json_is_byte_identical_to_json_dumps(
    seq: int,
    author: Author,
    how: How,
    at: float,
    start: int,
    removed: int,
    inserted: str,
    segments: list[tuple[int, int]],
) -> None:
    event = EditEvent(seq, author, how, at)
    fast = canonical_json(event, start, removed, inserted, segments)
    assert fast == reference(event, start, removed, inserted, segments)
    assert fast.isascii()


@given(st.lists(st.tuples(INTS, INTS), max_size=8))
def test_stored_segments_json_is_what_json_dumps_wrote(segments: list[tuple[int, int]]) -> None:
    assert _segments_json(segments) == json.dumps([list(s) for s in segments])
    assert [tuple(s) for s in json.loads(_segments_json(segments))] == segments


def test_odd_values_fall_back_to_json_dumps() -> None:
    ann = Author(SourceKind.PERSON, "Ann \u201cA\u201d \U0001f600")
    for at in (math.nan, math.inf, -math.inf, True, 3):
        event = EditEvent(1, ann, How.TYPED, at)  # type: ignore[arg-type]
        assert canonical_json(event, 0, 0, "x", [(1, 1)]) == reference(event, 0, 0, "x", [(1, 1)])
    event = EditEvent(True, ann, How.TYPED, 1.5)  # type: ignore[arg-type]
    assert canonical_json(event, False, 0, "x", [(True, 1)]) == reference(  # type: ignore[arg-type]
        event,
        False,
        0,
        "x",
        [(True, 1)],  # type: ignore[arg-type]
    )


def test_known_hash_is_unchanged() -> None:
    """A hash computed with the json.dumps definition before the fast path existed."""
    event = EditEvent(7, Author(SourceKind.PERSON, "Ann"), How.TYPED, 1629288382.942)
    body = canonical_json(event, 3, 1, "caf\u00e9 \u201cok\u201d \U0001f600", [(9, 7)])
    assert body == (
        '{"at":1629288382.942,"author":"person:Ann","how":"typed",'
        '"inserted":"caf\\u00e9 \\u201cok\\u201d \\ud83d\\ude00","removed":1,'
        '"segments":[[9,7]],"seq":7,"start":3}'
    )
    assert entry_hash("0" * 64, event, 3, 1, "caf\u00e9 \u201cok\u201d \U0001f600", [(9, 7)]) == (
        __import__("hashlib").sha256(("0" * 64 + body).encode("ascii")).hexdigest()
    )


def test_ledger_written_with_the_fast_path_verifies_and_reads_back(tmp_path: Path) -> None:
    """Entries appended (fast path), flushed, read back and re-hashed (verify) agree."""
    store = Store(tmp_path / "lib.db")
    ann = Author(SourceKind.PERSON, "Ann \u201cthe writer\u201d")
    model = Author(SourceKind.MODEL, "smol \U0001f916", "ab" * 32)
    doc = AuthoredDocument.create(
        store, None, "t", "\u201cOnce\u201d \U0001f600\n", snapshot_every=7
    )
    for i in range(40):
        if i % 4 == 3 and len(doc) > 2:
            doc.record(i % (len(doc) - 1), 1, "", ann, How.TYPED, at=1000.25 + i)
        elif i % 3 == 0:
            doc.record(len(doc) // 2, 0, "the \u201cmodel\u201d's words ", model, How.SUGGESTION)
        else:
            doc.record(i % (len(doc) + 1), 0, "\u00e9\U0001f600\x07k", ann, How.TYPED, at=i / 3)
        if i % 9 == 0:
            doc.flush()
    doc.flush()
    ledger = Ledger(store, doc.doc_id)
    assert ledger.verify()
    for entry in ledger.entries():
        assert entry.hash == entry_hash(
            entry.prev_hash,
            entry.event,
            entry.start,
            entry.removed,
            entry.inserted,
            list(entry.segments),
        )
    reopened = AuthoredDocument.open(store, doc.doc_id)
    assert reopened.text == doc.text
    assert reopened.authored_text.runs() == doc.authored_text.runs()
    store.close()
