"""Who wrote what: the plain data types every layer shares.

An *edit event* is one change to a document: who made it (an `Author`) and how
(`How`). Every character points at the event that inserted it, so these types are
the vocabulary of the authorship engine, the ledger, the editor and the exports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class SourceKind(StrEnum):
    """What kind of source wrote some text."""

    PERSON = "person"  # a named writer typing
    MODEL = "model"  # a language model (named, with its file's SHA-256)
    CLIPBOARD = "clipboard"  # text pasted from outside the document
    IMPORT = "import"  # text that came from a file when it was opened/imported
    EXTERNAL = "external"  # text changed on disk outside Draftsmith: author unknown


class How(StrEnum):
    """How an edit reached the document."""

    TYPED = "typed"
    SUGGESTION = "suggestion"  # a suggestion accepted whole
    PARTIAL = "partial"  # part of a suggestion accepted (a word, a line)
    PASTE = "paste"  # pasted from outside the document
    MOVE = "move"  # cut/copy/paste or drag-and-drop inside the document
    IMPORT = "import"
    UNDO = "undo"
    REDO = "redo"
    REPLACE = "replace"  # find/replace, replace-all
    EXTERNAL = "external"  # the file changed on disk outside Draftsmith
    REWRITE = "rewrite"  # a kept rewrite hunk
    BRAINSTORM = "brainstorm"  # an idea inserted from the brainstorm panel


@dataclass(frozen=True, slots=True)
class Author:
    """A source of text. `key` is its stable identity in the store and in exports."""

    kind: SourceKind
    name: str
    model_sha256: str = ""  # models only: SHA-256 of the GGUF file

    @property
    def key(self) -> str:
        if self.kind is SourceKind.MODEL and self.model_sha256:
            return f"model:{self.name}:{self.model_sha256}"
        return f"{self.kind.value}:{self.name}"

    @property
    def is_person(self) -> bool:
        return self.kind is SourceKind.PERSON


CLIPBOARD = Author(SourceKind.CLIPBOARD, "Clipboard")
UNKNOWN_EXTERNAL = Author(SourceKind.EXTERNAL, "Unknown (changed outside Draftsmith)")


@dataclass(frozen=True, slots=True)
class EditEvent:
    """One recorded edit. `seq` is its position in the document's ledger (1-based)."""

    seq: int
    author: Author
    how: How
    at: float  # Unix time, seconds


# What makes an `EditEvent` without its frozen dataclass `__init__` (four calls of
# `object.__setattr__`), for a run of keystrokes: `object.__new__`, then the setters of
# its slots seq, author, how and at, in that order. The object is the same.
_SLOTS = vars(EditEvent)
EVENT_MAKER: tuple[Callable[..., Any], ...] = (
    object.__new__,
    _SLOTS["seq"].__set__,
    _SLOTS["author"].__set__,
    _SLOTS["how"].__set__,
    _SLOTS["at"].__set__,
)


@dataclass(frozen=True, slots=True)
class AttributedSpan:
    """A stretch of the document written by one event. Offsets are code points."""

    start: int
    length: int
    event: EditEvent

    @property
    def end(self) -> int:
        return self.start + self.length
