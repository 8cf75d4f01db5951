"""Which files are open in a Draftsmith window, across processes.

Opening a file writes a small lock file in the data folder (`file-locks/`, named by a
hash of the file's resolved path) holding the process id, the host and the path. A
second Draftsmith that opens the same file finds it, and its window shows the file
read-only until the writer chooses to edit there anyway. A lock whose process is gone
(a crash, `kill -9`) is stale and simply replaced. When the data folder cannot be
written there is nothing to coordinate with, and every file opens normally.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

FOLDER = "file-locks"


@dataclass(frozen=True, slots=True)
class Holder:
    """The process that has a file open."""

    pid: int
    host: str
    path: str
    since: float


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process, but it exists
    except OSError:
        return False
    return True


class FileLock:
    """The lock on one file, for as long as this window shows it."""

    def __init__(self, data_folder: Path, path: Path) -> None:
        self.target = str(Path(path).resolve())
        key = hashlib.sha256(self.target.encode("utf-8", "surrogateescape")).hexdigest()[:32]
        self.lock_path = Path(data_folder) / FOLDER / f"{key}.lock"
        self.held = False

    def _mine(self) -> Holder:
        return Holder(os.getpid(), socket.gethostname(), self.target, time.time())

    def holder(self) -> Holder | None:
        """Who holds the lock now (None when nobody does, or it cannot be read)."""
        try:
            raw = json.loads(self.lock_path.read_text(encoding="utf-8"))
            return Holder(int(raw["pid"]), str(raw["host"]), str(raw["path"]), float(raw["since"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _is_live(self, holder: Holder) -> bool:
        if holder.host != socket.gethostname():
            return True  # another machine (a synced folder): cannot tell, so assume so
        return holder.pid != os.getpid() and _alive(holder.pid)

    def acquire(self) -> Holder | None:
        """Take the lock. Returns the other live holder instead when another Draftsmith
        has the file open (and takes nothing); None when the lock is ours (or cannot
        be kept at all)."""
        for _attempt in range(3):
            try:
                self.lock_path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self.holder()
                if holder is not None and self._is_live(holder):
                    return holder
                if holder is None and self._young():
                    time.sleep(0.05)  # being written by its owner right now
                    continue
                with contextlib.suppress(OSError):
                    self.lock_path.unlink()  # stale: its process is gone
                continue
            except OSError:
                return None  # an unwritable data folder: nothing to coordinate with
            self._write(fd)
            self.held = True
            return None
        return self.holder()

    def _young(self) -> bool:
        try:
            return time.time() - self.lock_path.stat().st_mtime < 2.0
        except OSError:
            return False

    def _write(self, fd: int) -> None:
        mine = self._mine()
        data = {"pid": mine.pid, "host": mine.host, "path": mine.path, "since": mine.since}
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)

    def take_over(self) -> None:
        """The writer chose to edit here although another window has the file open."""
        try:
            self.lock_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o644)
        except OSError:
            return
        self._write(fd)
        self.held = True

    def release(self) -> None:
        """Give the lock back (only if it is still ours)."""
        if not self.held:
            return
        self.held = False
        holder = self.holder()
        if holder is not None and holder.pid == os.getpid() and holder.path == self.target:
            with contextlib.suppress(OSError):
                self.lock_path.unlink()
