"""Where Draftsmith keeps its state: one data folder, overridable with DRAFTSMITH_HOME."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import platformdirs

APP_NAME = "Draftsmith"


def data_dir() -> Path:
    """The data folder (database, settings, logs, keys), created on first use.

    Never raises: a folder that cannot be created (a full disk, a read-only or missing
    parent) is still returned, and `data_dir_problem()` says why; whatever then fails to
    be written there is reported by its own owner, and the window opens regardless."""
    override = os.environ.get("DRAFTSMITH_HOME")
    base = (
        Path(override).expanduser()
        if override
        else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    )
    _ensure_folder(base)
    return base


_problems: dict[Path, str] = {}


def _ensure_folder(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _problems[path] = str(exc.strerror or exc)
    else:
        _problems.pop(path, None)


def data_dir_problem() -> str:
    """Why the data folder could not be created ("" when it exists), in plain words."""
    base = data_dir()
    reason = _problems.get(base, "")
    if not reason:
        try:  # the one sure test (permissions say nothing on a read-only disk, or to root)
            with tempfile.TemporaryFile(dir=base):
                pass
        except OSError as exc:
            reason = str(exc.strerror or exc)
    if not reason:
        return ""
    return (
        f"Draftsmith cannot write to its data folder {base} ({reason}). Your settings "
        "apply until you quit, and your files open and save as usual."
    )


def database_path() -> Path:
    return data_dir() / "draftsmith.db"


def settings_path() -> Path:
    return data_dir() / "settings.json"


def window_state_path() -> Path:
    return data_dir() / "window-state.json"


def logs_dir() -> Path:
    """The log folder in the data folder (not created when the data folder can't be)."""
    path = data_dir() / "logs"
    _ensure_folder(path)
    return path


def keys_dir() -> Path:
    return data_dir() / "keys"
