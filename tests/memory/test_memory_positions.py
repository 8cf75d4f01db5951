"""positions: UTF-16 / code point / grapheme conversions round-trip and round down."""

from __future__ import annotations

import regex
from hypothesis import given
from hypothesis import strategies as st

from memory.positions import (
    grapheme_count,
    grapheme_to_index,
    index_to_grapheme,
    index_to_utf16,
    utf16_length,
    utf16_to_index,
)

CLUSTERS = [
    "a",
    "Z",
    " ",
    "\n",
    "\r\n",
    "e\u0301",  # e + combining acute
    "\U0001f44d\U0001f3fd",  # thumbs up, skin tone
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # family ZWJ sequence
    "\U0001f1eb\U0001f1f7",  # flag: regional indicators
    "\u4e2d",
    "\u6587",
    "\u05e9\u05dc\u05d5\u05dd",  # Hebrew (RTL)
    "\u0644\u0627",  # Arabic lam-alef
    "\U0001d11e",  # astral symbol, no combining
    "\u0915\u094d\u0937",  # Devanagari conjunct
]
unicode_text = st.lists(st.sampled_from(CLUSTERS) | st.text(max_size=3), max_size=30).map("".join)


def naive_units(text: str) -> list[int]:
    """UTF-16 offset of each code point, computed one character at a time."""
    out, pos = [], 0
    for ch in text:
        out.append(pos)
        pos += 2 if ord(ch) > 0xFFFF else 1
    return [*out, pos]


@given(unicode_text)
def test_utf16_round_trip(text: str) -> None:
    units = naive_units(text)
    assert utf16_length(text) == units[-1]
    for i, off in enumerate(units):
        assert index_to_utf16(text, i) == off
        assert utf16_to_index(text, off) == i


@given(unicode_text)
def test_utf16_inside_a_surrogate_pair_rounds_down(text: str) -> None:
    units = naive_units(text)
    for i, ch in enumerate(text):
        if ord(ch) > 0xFFFF:
            assert utf16_to_index(text, units[i] + 1) == i


def test_surrogate_pair_example() -> None:
    text = "a\U0001f600b"
    assert utf16_length(text) == 4
    assert [utf16_to_index(text, k) for k in range(5)] == [0, 1, 1, 2, 3]


@given(unicode_text)
def test_grapheme_round_trip(text: str) -> None:
    clusters = regex.findall(r"\X", text)
    starts = [0]
    for c in clusters:
        starts.append(starts[-1] + len(c))
    assert grapheme_count(text) == len(clusters)
    for g, start in enumerate(starts):
        assert grapheme_to_index(text, g) == start
        assert index_to_grapheme(text, start) == g
    for g, c in enumerate(clusters):  # inside a cluster rounds down
        for k in range(1, len(c)):
            assert index_to_grapheme(text, starts[g] + k) == g


def test_zwj_family_is_one_grapheme_eight_units() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    text = "x" + family + "y"
    assert grapheme_count(text) == 3
    assert utf16_length(family) == 8
    assert index_to_grapheme(text, 3) == 1
    assert grapheme_to_index(text, 2) == 1 + len(family)


def test_out_of_range_is_an_error() -> None:
    import pytest

    for fn, arg in (
        (utf16_to_index, 5),
        (index_to_utf16, 4),
        (grapheme_to_index, 4),
        (index_to_grapheme, -1),
    ):
        with pytest.raises(ValueError):
            fn("ab\u00e9", arg)


def test_ascii_fast_path_on_a_large_text() -> None:
    text = "x" * 1_000_000
    assert utf16_to_index(text, 999_999) == 999_999
    assert index_to_grapheme(text, 500_000) == 500_000
