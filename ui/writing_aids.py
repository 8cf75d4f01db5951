"""Small things a writer's editor does while they type (pure functions, no widgets):

- **Undo in writer's steps**: Qt merges all consecutive typing into one undo step (a
  whole paragraph, and an accepted suggestion with the sentence typed after it).
  `starts_undo_step` says when a keystroke begins a new step: at the start of a word,
  after a pause, or after any edit that was not this typing (a suggestion accepted, a
  paste). The editor then types that key inside its own edit block, which Qt never
  merges with what came before.
- **Lists continue on Enter**: `list_continuation` gives the marker for the next item
  ("- ", "2. ", "> ", "- [ ] "), or says to end the list when the item is empty.
- **Smart punctuation** (optional): `smart_punctuation` turns straight quotes into
  curly ones by context and "--" into an en dash, "---" into an em dash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PAUSE_S = 1.0  # typing after a pause this long starts a new undo step

_LIST_ITEM = re.compile(
    r"^(?P<indent>[ \t]*)(?:(?P<bullet>[-*+])|(?P<number>\d{1,9})(?P<delim>[.)]))"
    r"(?P<space>[ \t]+)(?P<task>\[[ xX]\][ \t]+)?(?P<rest>.*)$"
)
_QUOTE = re.compile(r"^(?P<marks>(?:[ \t]*>[ \t]?)+)(?P<rest>.*)$")
_OPENING_CONTEXT = " \t\n\u2029([{<\u2014\u2013-/\u201c\u2018"


def starts_undo_step(
    before: str, char: str, *, since_last_key: float, edited_elsewhere: bool
) -> bool:
    """Whether typing `char` after the text `before` (the character before the cursor,
    or "") begins a new undo step."""
    if edited_elsewhere or since_last_key >= PAUSE_S:
        return True
    if not before:
        return True
    return before.isspace() and not char.isspace()


@dataclass(frozen=True, slots=True)
class ListContinuation:
    """What Enter does on a list or quote line: `insert` after the line break, or (when
    `end_list`) remove the empty item's marker (`marker_length` characters) instead."""

    insert: str = ""
    end_list: bool = False
    marker_length: int = 0


def list_continuation(line: str, cursor_in_line: int) -> ListContinuation | None:
    """For Enter pressed at `cursor_in_line` of `line` (a paragraph's text): None when
    the line is not a list item or quote, or the cursor sits inside its marker."""
    item = _LIST_ITEM.match(line)
    if item is not None:
        marker_length = item.start("rest")
        if cursor_in_line < marker_length:
            return None
        if not line[marker_length:].strip():
            return ListContinuation(end_list=True, marker_length=len(line))
        if item.group("number") is not None:
            number = int(item.group("number")) + 1
            marker = f"{number}{item.group('delim')}"
        else:
            marker = item.group("bullet")
        task = "[ ] " if item.group("task") else ""
        return ListContinuation(f"{item.group('indent')}{marker}{item.group('space')}{task}")
    quote = _QUOTE.match(line)
    if quote is not None and cursor_in_line >= quote.end("marks"):
        if not quote.group("rest").strip():
            return ListContinuation(end_list=True, marker_length=len(line))
        return ListContinuation(quote.group("marks"))
    return None


def smart_punctuation(before: str, char: str) -> tuple[int, str] | None:
    """(characters before the cursor to replace, replacement) for typing `char` after
    `before` (the text before the cursor in its paragraph), or None to type it as is."""
    previous = before[-1:] if before else ""
    if char == '"':
        return (0, "\u201c" if not previous or previous in _OPENING_CONTEXT else "\u201d")
    if char == "'":
        return (0, "\u2018" if not previous or previous in _OPENING_CONTEXT else "\u2019")
    if char == "-":
        if previous == "\u2013":
            return (1, "\u2014")
        if previous == "-" and before[-2:-1] != "-" and before.strip() != "-":
            return (1, "\u2013")  # not a "--" rule or list marker at the line's start
    return None
