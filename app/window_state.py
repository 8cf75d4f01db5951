"""Window state (size, recent files) kept apart from the writer's preferences."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.files import FileProblem, write_text_atomically

MAX_RECENT = 10


class WindowState:
    """A small JSON file; a damaged one is simply started afresh."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {}
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                self.data = loaded
        except (OSError, ValueError):
            pass

    @property
    def recent_files(self) -> list[str]:
        recent = self.data.get("recent_files", [])
        return [p for p in recent if isinstance(p, str)]

    def add_recent(self, path: Path) -> None:
        entry = str(path.resolve())
        if self.recent_files[:1] == [entry]:
            return  # already first: nothing to write (and no fsync while a file opens)
        recent = [p for p in self.recent_files if p != entry]
        self.data["recent_files"] = [entry, *recent][:MAX_RECENT]
        self.save()

    def save(self) -> None:
        try:
            write_text_atomically(self.path, json.dumps(self.data, indent=2) + "\n")
        except FileProblem:
            pass  # window state is a convenience; never bother the writer about it
