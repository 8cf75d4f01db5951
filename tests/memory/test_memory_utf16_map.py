"""Utf16Map: the incremental UTF-16 <-> code point map equals re-encoding, edit after edit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from memory.positions import (
    Utf16Map,
    astral_positions,
    has_astral,
    index_to_utf16,
    utf16_length,
    utf16_to_index,
)

PIECES = [
    "a",
    " ",
    "\n",
    "\u201c",  # curly quotes
    "\u201d",
    "\u00e9",
    "e\u0301",
    "\u4e2d",
    "\U0001f600",  # emoji: a surrogate pair in UTF-16
    "\U0001f44d\U0001f3fd",
    "\U0001f468\u200d\U0001f469",
    "\U0001d11e",
    "\ud800",  # a lone surrogate: one unit
]
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=40).map("".join)


def naive_units(text: str) -> list[int]:
    out, pos = [], 0
    for ch in text:
        out.append(pos)
        pos += 2 if ord(ch) > 0xFFFF else 1
    return [*out, pos]


def check(positions: Utf16Map, text: str) -> None:
    assert positions.text == text
    units = naive_units(text)
    assert positions.length16 == units[-1] == len(text.encode("utf-16-le", "surrogatepass")) // 2
    for i, off in enumerate(units):
        assert positions.to_utf16(i) == off
        assert positions.to_index(off) == i
        if i < len(text) and ord(text[i]) > 0xFFFF:
            assert positions.to_index(off + 1) == i  # inside the pair: rounds down


@st.composite
def edits(draw: st.DrawFn) -> tuple[str, list[tuple[float, float, str]]]:
    return draw(texts), draw(
        st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), texts), max_size=12)
    )


@given(edits())
def test_map_equals_reencoding_after_random_edits(
    case: tuple[str, list[tuple[float, float, str]]],
) -> None:
    text, changes = case
    positions = Utf16Map(text)
    check(positions, text)
    for where, size, inserted in changes:
        start = int(where * len(text))
        removed = int(size * (len(text) - start))
        new_text = text[:start] + inserted + text[start + removed :]
        if len(new_text) % 2:
            positions.replace(start, removed, inserted)  # builds the text itself
        else:
            positions.replace(start, removed, inserted, new_text)
        text = new_text
        check(positions, text)


@given(texts)
def test_functions_agree_with_the_map(text: str) -> None:
    positions = Utf16Map(text)
    assert has_astral(text) == any(ord(c) > 0xFFFF for c in text)
    assert astral_positions(text) == [i for i, c in enumerate(text) if ord(c) > 0xFFFF]
    assert utf16_length(text) == positions.length16
    for i in range(len(text) + 1):
        assert index_to_utf16(text, i) == positions.to_utf16(i)
    for off in range(positions.length16 + 1):
        assert utf16_to_index(text, off) == positions.to_index(off)


def test_bmp_text_with_curly_quotes_is_not_astral() -> None:
    text = "\u201cQuiet,\u201d she said. \u2014 caf\u00e9 " * 100
    assert not has_astral(text)
    assert Utf16Map(text).to_index(1234) == 1234
    assert has_astral(text + "\U0001f600")


def test_out_of_range_offsets_are_errors() -> None:
    positions = Utf16Map("a\U0001f600b")
    for bad in (-1, 5):
        try:
            positions.to_index(bad)
        except ValueError:
            pass
        else:
            raise AssertionError(bad)
    try:
        positions.replace(2, 5, "x")
    except ValueError:
        pass
    else:
        raise AssertionError("change past the end")
