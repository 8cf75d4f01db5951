"""Python's full garbage collections kept short while a long document is open.

A full collection walks every object the collector tracks, holding the interpreter's
lock: with a 50 MB manuscript open (its runs, events and the ledger's rows, millions of
objects) each took 106-124 ms, on whichever thread allocated last, and a lane's
collection stalls the window as much as one on the GUI thread. What lives as long as a
long open document is frozen out of them (`gc.freeze`, CPython's permanent generation)
once the document is in the editor: a save's full collections then walk only what came
after (33-76 ms in the same run). Frozen objects are never collected, so when that
document closes they are thawed and collected at once (`thaw`): whatever of it was
cyclic garbage goes then, not frozen again with the next document. A short document
changes nothing (its collections are short, and a collection at each close would not).
Objects freed by their reference counts (most) go as ever, frozen or not.
"""

from __future__ import annotations

import gc

#: Documents at least this long (characters) are frozen out of full collections.
FREEZE_CHARS = 1_000_000

_frozen = False


def freeze_what_lives(document_chars: int) -> None:
    """Leave everything alive now out of later full collections when the document just
    opened is a long one (no collection is run: this costs nothing)."""
    global _frozen
    if document_chars >= FREEZE_CHARS:
        gc.freeze()
        _frozen = True


def thaw() -> None:
    """A document closing: what was frozen for it goes back to the collector, and is
    collected now (a long document's close: about a tenth of a second at 50 MB)."""
    global _frozen
    if _frozen:
        _frozen = False
        gc.unfreeze()
        gc.collect()
