"""Writing a whole file so that a crash never leaves half of it in place of the old one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """`data` to `path` through a temporary file beside it, flushed to disk and renamed
    over the old one (readable by others, as a new file would be)."""
    write_atomically_from(path, lambda write: write(data))


def write_atomically_from(
    path: Path, produce: Callable[[Callable[[bytes], object]], object]
) -> None:
    """What `produce` hands its `write` a piece at a time, written to `path` as
    `write_atomically` writes, so a long file is never held whole in memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            produce(handle.write)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
