"""Word-level diffs for rewrites: which words a rewrite removes and which it adds.

A text is cut into tokens (a word, a run of spaces, or one punctuation mark), the two
token lists are compared with difflib, and each changed stretch becomes a `WordHunk`:
the code-point range of the original it replaces and the new text. Applying a chosen
set of hunks right to left keeps every earlier offset valid, so untouched words are
never rewritten (and keep their authors in the document).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex

# A word (letters, digits, marks, apostrophes and hyphens inside it), spaces, or any
# other single grapheme (punctuation, an emoji with its modifiers).
_TOKEN = regex.compile(r"[\p{L}\p{N}\p{M}]+(?:['’\-][\p{L}\p{N}\p{M}]+)*|\s+|\X")


def word_tokens(text: str) -> list[str]:
    """`text` cut into words, whitespace runs and single other graphemes; they join back."""
    return _TOKEN.findall(text)


@dataclass(frozen=True, slots=True)
class WordHunk:
    """Replace original[start:end] (code points) with `new`."""

    start: int
    end: int
    new: str
    old: str

    @property
    def is_insert(self) -> bool:
        return self.start == self.end

    @property
    def is_delete(self) -> bool:
        return not self.new


def word_hunks(old: str, new: str) -> list[WordHunk]:
    """The changes from `old` to `new`, word by word, left to right."""
    a, b = word_tokens(old), word_tokens(new)
    offsets_a = _offsets(a)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    out: list[WordHunk] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start, end = offsets_a[i1], offsets_a[i2]
        out.append(WordHunk(start, end, "".join(b[j1:j2]), old[start:end]))
    return _merge_across_spaces(out, old)


def _merge_across_spaces(hunks: list[WordHunk], old: str) -> list[WordHunk]:
    """Join hunks separated only by whitespace: "a b" -> "x y" is one change, not two."""
    merged: list[WordHunk] = []
    for hunk in hunks:
        if merged:
            last = merged[-1]
            gap = old[last.end : hunk.start]
            if gap and not gap.strip() and not (last.is_insert or hunk.is_insert):
                merged[-1] = WordHunk(
                    last.start, hunk.end, last.new + gap + hunk.new, old[last.start : hunk.end]
                )
                continue
        merged.append(hunk)
    return merged


def _offsets(tokens: Sequence[str]) -> list[int]:
    out = [0]
    for token in tokens:
        out.append(out[-1] + len(token))
    return out


def apply_hunks(old: str, hunks: Iterable[WordHunk]) -> str:
    """`old` with `hunks` applied (any order given; applied right to left)."""
    text = old
    for hunk in sorted(hunks, key=lambda h: (h.start, h.end), reverse=True):
        text = text[: hunk.start] + hunk.new + text[hunk.end :]
    return text


@dataclass(frozen=True, slots=True)
class DiffPiece:
    """A stretch of the merged view: "same", "removed" or "added" text, and its hunk."""

    kind: str
    text: str
    hunk: int = -1  # index into the hunk list; -1 for unchanged text


def merged_view(old: str, hunks: Sequence[WordHunk]) -> list[DiffPiece]:
    """The inline diff to paint: unchanged text, then each hunk's removed and added words."""
    pieces: list[DiffPiece] = []
    position = 0
    for index, hunk in enumerate(hunks):
        if hunk.start > position:
            pieces.append(DiffPiece("same", old[position : hunk.start]))
        if hunk.old:
            pieces.append(DiffPiece("removed", hunk.old, index))
        if hunk.new:
            pieces.append(DiffPiece("added", hunk.new, index))
        position = hunk.end
    if position < len(old):
        pieces.append(DiffPiece("same", old[position:]))
    return pieces
