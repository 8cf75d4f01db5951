"""A long text's words are counted in pieces (`ui.text_stats.PIECE_CHARS`, so a worker
thread never holds the interpreter's lock for long): the same count as the whole text
in one go, wherever the pieces are cut."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import given
from hypothesis import strategies as st

from ui import text_stats

WORDISH = ["word", "1.", " 2) ", "#", "---", "\u201cq\u201d", "\U0001f600", "caf\u00e9", "-", "\t"]


#: Chunks of text, cut anywhere (mid-word, mid-line), as an `AuthoredText` holds them.
CHUNKS = st.lists(
    st.lists(st.sampled_from([*WORDISH, " ", "\n", "\n\n"]) | st.text(max_size=4)).map("".join),
    max_size=8,
)


@contextmanager
def pieces_of(size: int) -> Iterator[None]:
    """Counting a piece of `size` characters at a time (`text_stats.PIECE_CHARS`)."""
    kept = text_stats.PIECE_CHARS
    text_stats.PIECE_CHARS = size
    try:
        yield
    finally:
        text_stats.PIECE_CHARS = kept


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
    with pieces_of(piece):
        assert text_stats.count_words(text) == whole(text)


@given(
    parts=CHUNKS,
    piece=st.integers(1, 40),
)
def test_counting_chunks_cut_anywhere_is_counting_their_text(parts: list[str], piece: int) -> None:
    """`count_words_in` over the chunks an `AuthoredText` holds (cut mid-word, mid-line)
    counts what the joined text does."""
    with pieces_of(piece):
        assert text_stats.count_words_in(parts) == whole("".join(parts))


def test_an_authored_texts_chunks_join_to_its_text() -> None:
    from memory.runs import AuthoredText

    base = "\u201cA\u201d line 1.\n" * 5_000
    text = AuthoredText.from_runs(base, [(len(base), 1)])
    text.replace(30_000, 0, "x y", [(3, 2)])  # an edit: the text is held in chunks now
    assert len(text.chunks()) > 1 and "".join(text.chunks()) == text.text
    assert text_stats.count_words_in(text.chunks()) == whole(text.text)
    held = text.chunks()
    assert text.text and text.chunks() == held  # joining the text changes no chunk


@given(
    parts=CHUNKS,
    edits=st.lists(
        st.tuples(
            st.integers(0, 7),
            st.lists(st.sampled_from([*WORDISH, " ", "\n"])).map("".join),
        ),
        max_size=6,
    ),
    piece=st.integers(1, 40),
)
def test_a_counter_that_remembers_chunks_counts_what_the_text_holds(
    parts: list[str], edits: list[tuple[int, str]], piece: int
) -> None:
    """`ChunkWordCounter` over chunks cut anywhere, then with some chunks replaced (an
    edit replaces the chunk it touches; the others are the same strings): always the
    count of the joined text."""
    with pieces_of(piece):
        counter = text_stats.ChunkWordCounter()
        chunks = [p for p in parts if p]
        assert counter.count(chunks) == whole("".join(chunks))
        for where, new in edits:
            if chunks and new:
                chunks[where % len(chunks)] = new
            elif new:
                chunks.append(new)
            assert counter.count(chunks) == whole("".join(chunks))


@given(
    parts=st.lists(st.lists(st.sampled_from([*WORDISH, " ", "\n"])).map("".join), max_size=5),
    cuts=st.lists(
        st.tuples(
            st.integers(0, 7),
            st.floats(0, 1),
            st.floats(0, 1),
            st.lists(st.sampled_from([*WORDISH, " ", "\n"]), max_size=4).map("".join),
        ),
        max_size=6,
    ),
    piece=st.integers(1, 40),
)
def test_a_chunk_cut_in_three_is_counted_from_what_was_counted(
    parts: list[str], cuts: list[tuple[int, float, float, str]], piece: int
) -> None:
    """An edit cuts a chunk into its start, the edited middle and its end (as
    `AuthoredText._cut` does): the start and end take the pieces counted before, and the
    count is always the joined text's."""
    with pieces_of(piece):
        counter = text_stats.ChunkWordCounter()
        chunks = [p for p in parts if p]
        assert counter.count(chunks) == whole("".join(chunks))
        for where, a, b, middle in cuts:
            if not chunks:
                break
            k = where % len(chunks)
            chunk = chunks[k]
            i, j = sorted((int(a * len(chunk)), int(b * len(chunk))))
            chunks[k : k + 1] = [c for c in (chunk[:i], middle, chunk[j:]) if c]
            assert counter.count(chunks) == whole("".join(chunks))


def test_a_counter_counts_a_long_texts_chunks_once() -> None:
    """After one edit of a long text, only the chunk edited is counted again."""
    from memory import runs
    from memory.runs import AuthoredText

    base = "1. \u201cA\u201d line of words.\n" * 20_000
    text = AuthoredText.from_runs(base, [(len(base), 1)])
    counter = text_stats.ChunkWordCounter()
    assert counter.count(text.chunks()) == whole(base)
    counted: list[int] = []
    real = text_stats._count_lines

    def spy(piece: str, start: int, end: int) -> tuple[tuple[int, int, int], ...]:
        counted.append(end - start)
        return real(piece, start, end)

    text_stats._count_lines = spy  # type: ignore[assignment]
    try:
        text.replace(len(base) // 2, 0, "more words ", [(11, 2)])
        assert counter.count(text.chunks()) == whole(text.text)  # the text cut: new chunks
        # The text before and after the edit took their pieces from the whole: only
        # the piece each cuts is counted again, and the chunk edited.
        assert sum(counted) <= 2 * text_stats.PIECE_CHARS + runs.CHUNK_MAX < len(base) // 2
        counted.clear()
        text.replace(len(base) // 2 + 3, 0, "and ", [(4, 3)])
        assert counter.count(text.chunks()) == whole(text.text)
    finally:
        text_stats._count_lines = real  # type: ignore[assignment]
    assert len(counted) == 1 and counted[0] <= runs.CHUNK_MAX  # the chunk edited, only
