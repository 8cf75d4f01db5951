"""Two kinds of failure: the world failing becomes a message and the app keeps going;
a bug, from any thread, goes to the log and the crash dialog with details to copy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from app import crash
from app.errors import DraftsmithError


def _bug_dialogs() -> list[QMessageBox]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.windowTitle() == crash.DIALOG_TITLE and w.isVisible()
    ]


@pytest.fixture()
def no_dialogs_after():
    yield
    for box in _bug_dialogs():
        box.done(0)


def test_a_bug_in_a_background_task_opens_the_crash_dialog(
    writing_room, qtbot, no_dialogs_after
) -> None:
    def work(_ctx):
        raise ZeroDivisionError("a bug in a worker")

    writing_room.runner.submit(work, name="buggy", lane="io")
    qtbot.waitUntil(lambda: bool(_bug_dialogs()), timeout=10_000)
    box = _bug_dialogs()[0]
    assert "ZeroDivisionError" in box.informativeText()
    assert "a bug in a worker" in box.detailedText() and "Traceback" in box.detailedText()
    assert writing_room.window.messages.find_text("a bug in a worker") is None, "a bug is no notice"


def test_a_problem_in_a_background_task_is_a_message(writing_room, qtbot) -> None:
    def work(_ctx):
        raise DraftsmithError("The disk is full.")

    writing_room.runner.submit(work, name="world failed", lane="io")
    qtbot.waitUntil(lambda: writing_room.window.messages.find_text("disk is full") is not None)
    assert not _bug_dialogs()


def test_an_uncaught_exception_in_a_plain_thread_reaches_the_gui(
    qtbot, monkeypatch, no_dialogs_after
) -> None:
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    crash.install_crash_handler()

    def boom() -> None:
        raise RuntimeError("thread bug")

    thread = threading.Thread(target=boom, name="helper")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: bool(_bug_dialogs()), timeout=10_000)
    assert "in thread helper" in _bug_dialogs()[0].detailedText()


def test_an_unwritable_settings_file_is_a_message_not_a_crash(writing_room, qtbot) -> None:
    settings = writing_room.settings
    settings.path = Path("/proc/draftsmith-cannot-write-here/settings.json")
    settings.set("editor_font_size", 15)
    assert settings["editor_font_size"] == 15, "the change holds for this session"
    qtbot.waitUntil(
        lambda: writing_room.window.messages.find_text("could not be saved") is not None
    )


SIGTERM_CHILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from app.main import run_window
    app = QApplication(sys.argv)
    target = Path(sys.argv[1])
    def type_then_wait():
        window = next(w for w in QApplication.topLevelWidgets() if hasattr(w, "editor"))
        window.editor.insertPlainText("Written just before SIGTERM.")
        print("typed", flush=True)
    QTimer.singleShot(500, type_then_wait)
    sys.exit(run_window(target, model_path=None, load_model=False))
    """
)


def test_sigterm_closes_cleanly_with_the_journal_flushed(tmp_path, draftsmith_home) -> None:
    target = tmp_path / "notes.md"
    target.write_text("Saved line.\n", encoding="utf-8")
    env = {**os.environ, "DRAFTSMITH_HOME": str(draftsmith_home)}
    child = subprocess.Popen(
        [sys.executable, "-c", SIGTERM_CHILD, str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "typed"
    child.send_signal(signal.SIGTERM)
    _out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    log = (draftsmith_home / "logs" / "draftsmith.log").read_text(encoding="utf-8")
    assert "received SIGTERM" in log
    from memory.store import Store

    store = Store(draftsmith_home / "draftsmith.db")
    try:
        doc_id = store.document_for_path(str(target.resolve()))
        assert doc_id is not None
        from memory.document import AuthoredDocument

        assert "Written just before SIGTERM." in AuthoredDocument.open(store, doc_id).text
    finally:
        store.close()
