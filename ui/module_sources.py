"""Keep PySide6 from holding the source text of every module in memory.

Once PySide6 is imported, shiboken's feature hook (`shibokensupport.feature.
feature_imported`) looks at every module imported after it, to learn which ones may
switch on `from __feature__ import ...`: a module whose source mentions "PySide6" is
marked as using PySide. It reads that source with `inspect.getsource`, which leaves each
file's lines in `linecache` for the life of the process: about 180 files and 7 MB of
Python strings by the time the window shows (`tracemalloc`, docs/performance.md), held
in every window for nothing.

`keep_sources_out_of_memory` swaps in the same test made through the module's own
loader (`get_source`: the file read once, decoded as Python does, then dropped). The
answer for each module is the same, so the hook marks the same modules. Where this
PySide6 has no such hook, nothing is changed.
"""

from __future__ import annotations

import sys
from types import ModuleType


def mentions_pyside(module: ModuleType) -> bool:
    """Whether the source of `module` mentions PySide6 (False where it has none)."""
    loader = getattr(module, "__loader__", None)
    get_source = getattr(loader, "get_source", None)
    if get_source is None:
        return False
    try:
        source = get_source(module.__name__)
    except (ImportError, OSError, SyntaxError, TypeError, ValueError, AttributeError):
        return False
    return isinstance(source, str) and "PySide6" in source


def keep_sources_out_of_memory() -> bool:
    """Make PySide6's feature hook test modules without caching their lines; True when
    the hook was found (call after importing PySide6)."""
    import PySide6.QtCore  # noqa: F401 - installs shiboken's support modules

    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    setattr(feature, "_mod_uses_pyside", mentions_pyside)  # noqa: B010 - see the module doc
    return True
