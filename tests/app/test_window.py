"""The window: it opens ready for typing, saves and opens files, and never loses text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.conftest import type_text


def test_window_opens_titled_and_focused(writing_room, qtbot) -> None:
    window = writing_room.window
    qtbot.waitUntil(window.isVisible)
    assert window.windowTitle() == "Untitled[*] — Draftsmith"
    assert writing_room.editor.hasFocus() or window.focusWidget() is writing_room.editor
    assert [a.text() for a in window.menuBar().actions()] == [
        "&File",
        "&Edit",
        "&View",
        "&Assistant",
        "&Help",
    ]


def test_typing_then_saving_round_trips_non_ascii(writing_room, qtbot, tmp_path: Path) -> None:
    editor = writing_room.editor
    type_text(editor, "Crème brûlée at the café, naïve. ")
    editor.insertPlainText("Emoji 👩‍👩‍👧 and 中文 and עברית.\nSecond line")
    assert writing_room.session.modified
    assert writing_room.window.isWindowModified()
    path = tmp_path / "draft.md"
    writing_room.window.ask_save_path = lambda _suggested: str(path)
    assert writing_room.session.save()
    expected = "Crème brûlée at the café, naïve. Emoji 👩‍👩‍👧 and 中文 and עברית.\nSecond line"
    assert path.read_text(encoding="utf-8").startswith(expected)
    assert not writing_room.session.modified
    assert writing_room.window.windowTitle() == "draft.md[*] — Draftsmith"

    writing_room.session.new_document()
    assert editor.toPlainText() == ""
    assert writing_room.session.open_path(path)
    assert editor.toPlainText().startswith(expected)
    assert str(path.resolve()) in writing_room.state.recent_files


def test_opening_a_non_utf8_file_keeps_the_current_text(writing_room, qtbot, tmp_path) -> None:
    editor = writing_room.editor
    type_text(editor, "my unsaved words")
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("café".encode("latin-1"))
    assert not writing_room.session.open_path(bad)
    assert editor.toPlainText() == "my unsaved words"
    bar = writing_room.window.messages.find_text("UTF-8")
    # Not an error: a decision, offering to open it converted from the likely encoding.
    assert bar is not None and bar.isVisible() and bar.level == "warning"
    assert any("Open Converted" in button.text() for button in bar.buttons)


def test_closing_with_unsaved_work_asks_first(writing_room, qtbot) -> None:
    type_text(writing_room.editor, "precious")
    asked = []

    def cancel(name: str):
        asked.append(name)
        return QMessageBox.StandardButton.Cancel

    writing_room.window.ask_save_changes = cancel
    assert not writing_room.session.confirm_discard()
    assert asked == ["Untitled"]
    assert writing_room.editor.toPlainText() == "precious"


def test_find_and_replace_all(writing_room, qtbot) -> None:
    editor = writing_room.editor
    editor.setPlainText("the cat saw the other cat")
    window = writing_room.window
    window.replace_action.trigger()
    bar = window.find_bar
    assert bar.isVisible()
    bar.find_field.setText("cat")
    bar.replace_field.setText("dog")
    bar.replace_everything()
    assert editor.toPlainText() == "the dog saw the other dog"
    assert bar.status.text() == "Replaced 2"
    editor.undo()
    assert editor.toPlainText() == "the cat saw the other cat"
    qtbot.keyClick(bar.find_field, Qt.Key.Key_Escape)
    assert not bar.isVisible()


def test_window_appears_before_heavy_imports(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from app.settings import Settings\n"
        "from app import paths\n"
        "from app.writing_room import WritingRoom\n"
        "room = WritingRoom(Settings(paths.settings_path()))\n"
        "room.show()\n"
        "heavy = [m for m in ('llama_cpp', 'torch', 'sentence_transformers') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
        "room.shutdown()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "DRAFTSMITH_HOME": str(tmp_path)},
    )
    assert "HEAVY []" in result.stdout, result.stdout + result.stderr


def test_cli_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout.startswith("draftsmith ")


def test_a_fresh_window_has_nothing_to_save(writing_room, tmp_path: Path) -> None:
    assert not writing_room.session.modified
    path = tmp_path / "story.md"
    path.write_text("Once upon a time\n", encoding="utf-8")
    writing_room.window.ask_save_changes = lambda _name: pytest.fail("asked to save nothing")
    assert writing_room.session.open_path(path)
    assert writing_room.window.windowTitle() == "story.md[*] — Draftsmith"
