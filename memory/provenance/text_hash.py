"""SHA-256 and UTF-8 length of a long text without encoding all of it at once.

A 50 MB manuscript encoded in one piece is 50 MB of bytes on top of its text (twice
that held as a Python string with curly quotes); hashing it a megabyte at a time gives
the same digest with a megabyte of bytes at any moment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

_CHUNK = 1 << 20  # characters encoded at once


def sha256_hex(text: str, start: int = 0, end: int | None = None) -> str:
    """The SHA-256 of `text[start:end]` as UTF-8, in hex."""
    return sha256_of(text, start, end).hexdigest()


def sha256_of(text: str, start: int = 0, end: int | None = None) -> hashlib._Hash:
    """The SHA-256 object of `text[start:end]` as UTF-8 (to `.copy()` and go on)."""
    end = len(text) if end is None else end
    digest = hashlib.sha256()
    for begin in range(start, end, _CHUNK):
        digest.update(text[begin : min(begin + _CHUNK, end)].encode("utf-8"))
    return digest


def sha256_of_pieces(pieces: Iterable[str]) -> str:
    """The SHA-256 (hex) of the text `pieces` make joined, as UTF-8, without joining them."""
    digest = hashlib.sha256()
    for piece in pieces:
        for begin in range(0, len(piece), _CHUNK):
            digest.update(piece[begin : begin + _CHUNK].encode("utf-8"))
    return digest.hexdigest()


def utf8_length(text: str) -> int:
    """How many bytes `text` is as UTF-8."""
    if text.isascii():
        return len(text)
    return sum(
        len(text[begin : begin + _CHUNK].encode("utf-8")) for begin in range(0, len(text), _CHUNK)
    )
