"""`has_astral` reads a string's size (O(1)), which also counts the UTF-8 copy CPython
keeps once something asked for one: sqlite3 binding the string does, and the ledger
binds the document's text (a snapshot). Such a string with an emoji must still be
found to have one (issue 12: a text held in chunks hands the same string objects
around for longer), and one without must not read as having one when the sizes happen
to match (a bound "\u2014" did, and the styler then built offsets it never needs)."""

from __future__ import annotations

import sqlite3

from hypothesis import given
from hypothesis import strategies as st

from memory.positions import has_astral

PIECES = ["a", "\u00e9", "\u201c", "\u4e2d", "\U0001f600", "\U0001d11e", "\n"]


def bound(text: str) -> str:
    """`text` after sqlite3 has bound it (its UTF-8 copy kept with it)."""
    sqlite3.connect(":memory:").execute("select ?", (text,)).fetchone()
    return text


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_a_string_sqlite_has_bound_is_read_right(text: str) -> None:
    expected = any(ord(c) > 0xFFFF for c in text)
    fresh = "".join(("", text))  # a string of its own, nothing cached yet
    assert has_astral(fresh) is expected
    assert has_astral(bound(fresh)) is expected


def test_the_document_case() -> None:
    text = bound("".join(("The keeper \u201csaid\u201d ", "\U0001f600" * 3)))
    assert has_astral(text)
    assert not has_astral(bound("".join(("caf\u00e9 \u201cq\u201d ", "x" * 40))))
    assert has_astral(bound("".join(("\u201c", "\U0001f600"))))
    assert not has_astral(bound("".join(("\u2014", ""))))  # its UTF-8 copy makes it wide-sized
