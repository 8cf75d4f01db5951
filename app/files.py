"""Reading and writing the writer's files: UTF-8 only, atomic saves, plain errors."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from memory.errors import DraftsmithError

TEXT_SUFFIXES = (".md", ".markdown", ".txt")


class FileProblem(DraftsmithError):
    """A file could not be read or written; the message is for the writer."""


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (a BOM is dropped); newlines become '\\n'."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileProblem(f"“{path.name}” does not exist.") from None
    except IsADirectoryError:
        raise FileProblem(f"“{path.name}” is a folder, not a text file.") from None
    except PermissionError:
        raise FileProblem(f"You don't have permission to read “{path.name}”.") from None
    except OSError as exc:
        raise FileProblem(f"“{path.name}” could not be read: {exc.strerror or exc}.") from None
    if b"\x00" in data[:8192]:
        raise FileProblem(f"“{path.name}” looks like a binary file, not text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem(
            f"“{path.name}” is not UTF-8 text (invalid byte at position {exc.start}). "
            "Convert it to UTF-8 and open it again; nothing was changed."
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def write_text_atomically(path: Path, text: str) -> None:
    """Write UTF-8 text so that a crash or full disk never damages the previous file.

    The text goes to a temporary file in the same folder, is flushed to disk, and
    then replaces the target in one rename.
    """
    path = Path(path)
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise FileProblem(
            f"Could not write to the folder {folder}: {exc.strerror or exc}."
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp_name, path.stat().st_mode & 0o7777)
        os.replace(tmp_name, path)
    except OSError as exc:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        reason = "the disk is full" if exc.errno == 28 else (exc.strerror or str(exc))
        raise FileProblem(
            f"“{path.name}” was not saved because {reason}. The previous version is intact "
            "and your text is still open."
        ) from None
