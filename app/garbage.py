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
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: Documents at least this long (characters) are frozen out of full collections.
FREEZE_CHARS = 1_000_000

_frozen = False
_pauses = 0  # how many `paused` blocks are running now, on any thread
_resume = False  # whether collections were on when the first of them began
_pause_lock = threading.Lock()


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


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection while the block runs (on any thread): for a lane's long
    work over a long document, which makes tens of thousands of objects (a save's runs,
    the learning lane's spans and labels) and so set off full collections of 30-60 ms
    each, holding the interpreter's lock, that the window waited through. What the
    work leaves behind is freed by reference counts as ever; the first collection after
    the last block ends finds only what was cyclic. Blocks on several threads nest."""
    global _pauses, _resume
    with _pause_lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
