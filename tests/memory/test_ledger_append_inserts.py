"""`Ledger.append_inserts` (a run of typing in one loop) chains exactly the entries that
`append` makes one at a time: the same hashes, every kind of time included (issue #12)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memory.events import Author, EditEvent, How, SourceKind
from memory.ledger import Ledger
from memory.store import Store

AUTHORS = [
    Author(SourceKind.PERSON, "Ann \u201cquoted\u201d"),
    Author(SourceKind.MODEL, "m\\odel", "ab" * 32),
    Author(SourceKind.CLIPBOARD, "Clipboard"),
]
TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=6) | st.sampled_from(
    ["\U0001f600", "\ud800", '"', "\\", "\x00", "\u2028"]
)
TIME = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(2**60), 2**60)


def ledger() -> Ledger:
    store = Store(":memory:")
    return Ledger(store, store.new_document(None, "t"))


@settings(max_examples=120, deadline=None)
@given(
    st.integers(0, 50),
    st.lists(st.tuples(TEXT, TIME), min_size=1, max_size=20),
    st.sampled_from(AUTHORS),
    st.sampled_from(list(How)),
)
def test_append_inserts_chains_what_append_chains(
    start: int, keys: list[tuple[str, float]], author: Author, how: How
) -> None:
    one, many = ledger(), ledger()
    pos = start
    for seq, (text, at) in enumerate(keys, 1):
        one.append(EditEvent(seq, author, how, at), pos, 0, text, [(len(text), seq)])
        pos += len(text)
    texts = [t for t, _ in keys]
    made = many.append_inserts(author, how, start, texts, [at for _, at in keys])
    assert [e.seq for e in made] == list(range(1, len(keys) + 1))
    assert many.head_hash == one.head_hash and many.head_seq == one.head_seq
    assert many.entries() == one.entries()


def test_append_inserts_refuses_what_record_would_not_make() -> None:
    book = ledger()
    writer = AUTHORS[0]
    with pytest.raises(ValueError):
        book.append_inserts(writer, How.TYPED, 0, ["a", ""], [1.0, 2.0])
    with pytest.raises(ValueError):
        book.append_inserts(writer, How.TYPED, 0, ["a"], [1.0, 2.0])
    assert book.head_seq == 0 and book.pending == 0
