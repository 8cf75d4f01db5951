"""UTF-16 <-> code point offsets of a text that keeps changing, without holding the text.

`positions.Utf16Map`'s twin for a text held elsewhere in pieces (`runs.AuthoredText`):
it keeps only the text's length and the code point indices of its code points above
U+FFFF (the surrogate pairs, the only ones that make the two offsets differ), so an
edit costs the pairs after it and nothing for text without any, ASCII or not, and no
copy of the text. Same rounding rule as `positions`: an offset inside a surrogate pair
rounds down to the pair's start.
"""

from __future__ import annotations

from memory.positions import astral_positions, astral_to_index, astral_to_utf16, shift_astral


class Utf16Offsets:
    """UTF-16 <-> code point offsets, kept edit by edit (`replace`)."""

    __slots__ = ("_astral", "_length")

    def __init__(self, text: str) -> None:
        self._length = len(text)
        self._astral = astral_positions(text)

    @classmethod
    def of_astral(cls, length: int, astral: list[int]) -> Utf16Offsets:
        """The map of a text of `length` code points whose code points above U+FFFF
        are at `astral` (sorted), found as the text was put together: no second scan
        (a long file going into the editor slice by slice, `app.editor_load`)."""
        offsets = cls("")
        offsets._length = length
        offsets._astral = astral
        return offsets

    @property
    def length(self) -> int:
        """The text's length in code points."""
        return self._length

    @property
    def length16(self) -> int:
        """The text's length in UTF-16 units."""
        return self._length + len(self._astral)

    def to_utf16(self, index: int) -> int:
        """UTF-16 offset of code point `index` (0 <= index <= length)."""
        return astral_to_utf16(self._astral, self._length, index)

    def to_index(self, offset16: int) -> int:
        """Code point index of UTF-16 `offset16`; inside a surrogate pair rounds down."""
        return astral_to_index(self._astral, self.length16, offset16)

    def replace(self, start: int, removed: int, inserted: str) -> None:
        """Follow the change text[start:start+removed] = inserted."""
        end = start + removed
        if not 0 <= start <= end <= self._length:
            raise ValueError(
                f"change {start}+{removed} outside a text of {self._length} characters"
            )
        shift_astral(self._astral, start, removed, inserted)
        self._length += len(inserted) - removed
