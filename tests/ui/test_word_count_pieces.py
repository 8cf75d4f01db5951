"""A long text's words are counted in pieces (`ui.text_stats.PIECE_CHARS`, so a worker
thread never holds the interpreter's lock for long): the same count as the whole text
in one go, wherever the pieces are cut."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from ui import text_stats

WORDISH = ["word", "1.", " 2) ", "#", "---", "\u201cq\u201d", "\U0001f600", "caf\u00e9", "-", "\t"]


def whole(text: str) -> int:
    """The count as it was, the whole text at once."""
    tokens = text.split()
    marks = sum(1 for t in tokens if not t[0].isalnum() and not re.search(r"[^\W_]", t))
    return len(tokens) - marks - len(re.findall(r"(?m)^[ \t]*\d{1,9}[.)](?=\s|$)", text))


@given(
    text=st.lists(st.sampled_from([*WORDISH, " ", "\n", "\n\n"]) | st.text(max_size=5)).map(
        "".join
    ),
    piece=st.integers(1, 40),
)
def test_counting_in_pieces_is_counting_the_whole(text: str, piece: int) -> None:
    kept = text_stats.PIECE_CHARS
    text_stats.PIECE_CHARS = piece
    try:
        assert text_stats.count_words(text) == whole(text)
    finally:
        text_stats.PIECE_CHARS = kept


@given(
    parts=st.lists(
        st.lists(st.sampled_from([*WORDISH, " ", "\n", "\n\n"]) | st.text(max_size=4)).map("".join),
        max_size=8,
    ),
    piece=st.integers(1, 40),
)
def test_counting_chunks_cut_anywhere_is_counting_their_text(parts: list[str], piece: int) -> None:
    """`count_words_in` over the chunks an `AuthoredText` holds (cut mid-word, mid-line)
    counts what the joined text does."""
    kept = text_stats.PIECE_CHARS
    text_stats.PIECE_CHARS = piece
    try:
        assert text_stats.count_words_in(parts) == whole("".join(parts))
    finally:
        text_stats.PIECE_CHARS = kept


def test_an_authored_texts_chunks_join_to_its_text() -> None:
    from memory.runs import AuthoredText

    base = "\u201cA\u201d line 1.\n" * 5_000
    text = AuthoredText.from_runs(base, [(len(base), 1)])
    text.replace(30_000, 0, "x y", [(3, 2)])  # an edit: the text is held in chunks now
    assert len(text.chunks()) > 1 and "".join(text.chunks()) == text.text
    assert text_stats.count_words_in(text.chunks()) == whole(text.text)
    assert text.chunks() == (text.text,)  # once joined, the joined text is the one piece
