"""SHA-256 and UTF-8 length of a long text without encoding all of it at once.

A 50 MB manuscript encoded in one piece is 50 MB of bytes on top of its text (twice
that held as a Python string with curly quotes); hashing it a megabyte at a time gives
the same digest with a megabyte of bytes at any moment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from memory.text_pieces import utf8_slices

_CHUNK = 1 << 20  # characters encoded at once


def sha256_hex(text: str, start: int = 0, end: int | None = None) -> str:
    """The SHA-256 of `text[start:end]` as UTF-8, in hex."""
    return sha256_of(text, start, end).hexdigest()


def sha256_of(text: str, start: int = 0, end: int | None = None) -> hashlib._Hash:
    """The SHA-256 object of `text[start:end]` as UTF-8 (to `.copy()` and go on)."""
    digest = hashlib.sha256()
    for data in utf8_slices(text, start, end, size=_CHUNK):
        digest.update(data)
    return digest


def sha256_of_pieces(pieces: Iterable[str]) -> str:
    """The SHA-256 (hex) of the text `pieces` make joined, as UTF-8, without joining them."""
    digest = hashlib.sha256()
    for piece in pieces:
        for data in utf8_slices(piece, size=_CHUNK):
            digest.update(data)
    return digest.hexdigest()


def utf8_length(text: str) -> int:
    """How many bytes `text` is as UTF-8."""
    if text.isascii():
        return len(text)
    return sum(map(len, utf8_slices(text, size=_CHUNK)))
