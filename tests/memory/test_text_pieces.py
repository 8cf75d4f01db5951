"""A long text in pieces of whole lines (`memory.text_pieces`): the pieces tile the text,
end after a newline, and what is found piece by piece is what the whole text gives."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.learning import _NAME
from memory.text_pieces import line_pieces

TEXTS = st.lists(
    st.sampled_from(
        ["Mara Voss", "Captain ", "the ", "\n", "\n\n", "\u201cYes\u201d ", "\U0001f600"]
    )
    | st.text(max_size=6)
).map("".join)


@given(text=TEXTS, size=st.integers(1, 30))
def test_the_pieces_tile_the_text_in_whole_lines(text: str, size: int) -> None:
    pieces = list(line_pieces(text, size))
    assert "".join(text[start:end] for start, end in pieces) == text
    assert all(start < end for start, end in pieces)
    for start, end in pieces[:-1]:
        assert text[end - 1] == "\n"  # no line cut in two
        piece = text[start:end]
        assert len(piece) <= size or piece.count("\n") == 1  # longer only for one long line


@given(text=TEXTS, size=st.integers(1, 30), a=st.floats(0, 1), b=st.floats(0, 1))
def test_the_pieces_of_a_stretch_tile_that_stretch(
    text: str, size: int, a: float, b: float
) -> None:
    """Over text[start:end] only: the pieces cover it exactly, never past its end."""
    start, end = sorted((int(a * len(text)), int(b * len(text))))
    pieces = list(line_pieces(text, size, start, end))
    assert "".join(text[lo:hi] for lo, hi in pieces) == text[start:end]
    assert all(start <= lo < hi <= end for lo, hi in pieces)
    for _lo, hi in pieces[:-1]:
        assert text[hi - 1] == "\n"


@given(text=TEXTS, size=st.integers(1, 30))
def test_names_found_piece_by_piece_are_the_names_of_the_whole(text: str, size: int) -> None:
    found = [m for start, end in line_pieces(text, size) for m in _NAME.findall(text, start, end)]
    assert found == _NAME.findall(text)


@given(text=TEXTS | st.text(alphabet=" .!?\n\tab\u3000", max_size=12), at=st.integers(0, 40))
def test_a_sentence_end_is_found_looking_back_as_the_copy_found_it(text: str, at: int) -> None:
    """`memory.voice._ends_sentence` looks back from `at` instead of copying the text
    up to it (50 MB a fragment of a manuscript): the same answer."""
    from memory.voice import _ends_sentence

    at = min(at, len(text))
    assert _ends_sentence(text, at) == (text[:at].rstrip()[-1:] in ".!?")
