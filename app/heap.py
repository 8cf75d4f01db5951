"""Handing freed memory back to the system after a large, short-lived build.

glibc's allocator keeps the pages it freed in its heaps for the next allocation instead
of returning them, so a step that builds many big temporaries leaves the process's
resident memory where the step's peak was, and whatever comes next stacks on top of it:
after the English word list was built from its JSON (`app.word_lists`), 16 MB of its
23 MB rise was such free space, which `malloc_trim(0)` returned (a throwaway script,
2026-12-02). Loading the model or the embedder leaves none to return (the same script:
171.7 and 61.8 MB with or without it), so they do not call it. Elsewhere (another libc,
macOS, Windows) this does nothing.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable

_trim: Callable[[int], int] | None = None
_looked = False


def _malloc_trim() -> Callable[[int], int] | None:
    global _trim, _looked
    if not _looked:
        _looked = True
        if sys.platform.startswith("linux"):
            try:
                trim = ctypes.CDLL(None).malloc_trim  # the process's own libc: glibc only
                trim.argtypes = [ctypes.c_size_t]
                trim.restype = ctypes.c_int
                _trim = trim
            except (OSError, AttributeError):
                _trim = None
    return _trim


def give_back_freed_memory() -> bool:
    """Return the allocator's free pages to the system; whether anything could be asked
    (a few milliseconds; the interpreter's lock is let go meanwhile)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
