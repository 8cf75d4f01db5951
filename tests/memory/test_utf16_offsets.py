"""Utf16Offsets: UTF-16 <-> code points without the text, equal to re-encoding the text
edit after edit (curly quotes, emoji, combining marks, a lone surrogate)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from memory.positions import Utf16Map, astral_positions
from memory.utf16_offsets import Utf16Offsets

PIECES = [
    "a",
    " ",
    "\n",
    "\u201c",
    "\u201d",
    "e\u0301",
    "\u4e2d",
    "\U0001f600",
    "\U0001f44d\U0001f3fd",
    "\U0001d11e",
    "\ud800",
]
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=40).map("".join)


def check(offsets: Utf16Offsets, text: str) -> None:
    units = [0]
    for ch in text:
        units.append(units[-1] + (2 if ord(ch) > 0xFFFF else 1))
    assert offsets.length == len(text)
    assert offsets.length16 == units[-1] == len(text.encode("utf-16-le", "surrogatepass")) // 2
    reference = Utf16Map(text)
    for i, off in enumerate(units):
        assert offsets.to_utf16(i) == off == reference.to_utf16(i)
        assert offsets.to_index(off) == i
        if i < len(text) and ord(text[i]) > 0xFFFF:
            assert offsets.to_index(off + 1) == i == reference.to_index(off + 1)


@given(texts, st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), texts), max_size=12))
def test_offsets_equal_reencoding_after_random_edits(
    text: str, changes: list[tuple[float, float, str]]
) -> None:
    offsets = Utf16Offsets(text)
    check(offsets, text)
    for where, size, inserted in changes:
        start = int(where * len(text))
        removed = int(size * (len(text) - start))
        offsets.replace(start, removed, inserted)
        text = text[:start] + inserted + text[start + removed :]
        check(offsets, text)


def test_out_of_range_offsets_and_changes_are_errors() -> None:
    offsets = Utf16Offsets("a\U0001f600b")
    for call in (
        lambda: offsets.to_index(-1),
        lambda: offsets.to_index(5),
        lambda: offsets.to_utf16(4),
        lambda: offsets.replace(2, 5, "x"),
    ):
        try:
            call()
        except ValueError:
            pass
        else:
            raise AssertionError("accepted")


@given(texts)
def test_a_map_made_from_its_pairs_equals_one_made_from_its_text(text: str) -> None:
    made = Utf16Offsets.of_astral(len(text), astral_positions(text))
    check(made, text)
    made.replace(0, 0, "\U0001f600")
    check(made, "\U0001f600" + text)
