"""Two kinds of failure: what the writer must hear, and bugs.

A `DraftsmithError` is the world failing (a full disk, a damaged database, a model file
that is not a model, a settings file that cannot be written): the app shows its message
and keeps going. Anything else is a bug in Draftsmith: it goes to the log and to the
crash dialog, with details to copy, from whichever thread it happened on.

The base class lives in `memory.errors` so that `assistant/` and `memory/` (which never
import `app/`) raise the same family; it is re-exported here for the app's code.
"""

from __future__ import annotations

from memory.errors import DraftsmithError

__all__ = ["DraftsmithError", "is_expected"]


def is_expected(exc: BaseException) -> bool:
    """True for failures the writer should be told about plainly (not bugs)."""
    return isinstance(exc, DraftsmithError | OSError)
