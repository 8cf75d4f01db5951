"""Where Draftsmith keeps its state: one data folder, overridable with DRAFTSMITH_HOME."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Draftsmith"


def data_dir() -> Path:
    """The data folder (database, settings, logs, keys), created on first use."""
    override = os.environ.get("DRAFTSMITH_HOME")
    base = (
        Path(override).expanduser()
        if override
        else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    )
    base.mkdir(parents=True, exist_ok=True)
    return base


def database_path() -> Path:
    return data_dir() / "draftsmith.db"


def settings_path() -> Path:
    return data_dir() / "settings.json"


def window_state_path() -> Path:
    return data_dir() / "window-state.json"


def logs_dir() -> Path:
    path = data_dir() / "logs"
    path.mkdir(exist_ok=True)
    return path


def keys_dir() -> Path:
    return data_dir() / "keys"
