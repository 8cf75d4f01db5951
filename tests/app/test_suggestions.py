"""Inline suggestions with the real bundled model, driven through the real window."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer

from app.model_service import ModelState
from tests.conftest import type_text
from ui.editor import SuggestionKey

pytestmark = pytest.mark.model

PROMPT = "The old lighthouse keeper climbed the stairs every night, and"


@pytest.fixture()
def room_with_model(writing_room, qtbot, default_model: Path):
    writing_room.model.load(default_model)
    qtbot.waitUntil(lambda: writing_room.model.state is ModelState.READY, timeout=120_000)
    return writing_room


def wait_for_suggestion(qtbot, editor) -> str:
    qtbot.waitUntil(lambda: editor.ghost.visible and not editor.ghost.streaming, timeout=60_000)
    return editor.ghost.text


def test_pause_shows_ghost_text_and_tab_inserts_it(room_with_model, qtbot) -> None:
    editor = room_with_model.editor
    type_text(editor, PROMPT)
    ghost = wait_for_suggestion(qtbot, editor)
    assert ghost.strip()
    assert editor.toPlainText() == PROMPT, "ghost text must not change the document"
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == PROMPT + ghost
    assert not editor.ghost.visible
    assert editor.textCursor().position() == len(PROMPT + ghost)


def test_escape_discards_the_suggestion(room_with_model, qtbot) -> None:
    editor = room_with_model.editor
    type_text(editor, PROMPT)
    wait_for_suggestion(qtbot, editor)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert not editor.ghost.visible
    assert editor.toPlainText() == PROMPT


def test_typing_something_else_discards_it(room_with_model, qtbot) -> None:
    editor = room_with_model.editor
    type_text(editor, PROMPT)
    ghost = wait_for_suggestion(qtbot, editor)
    other = "\u00a7" if not ghost.startswith("\u00a7") else "\u00b6"
    type_text(editor, other)
    assert not editor.ghost.visible
    assert editor.toPlainText() == PROMPT + other


def test_typing_the_ghosts_own_start_keeps_the_rest(room_with_model, qtbot) -> None:
    editor = room_with_model.editor
    room_with_model.settings._values["temperature"] = 0.0  # greedy: the same ghost every run
    type_text(editor, PROMPT)
    ghost = wait_for_suggestion(qtbot, editor)
    assert len(ghost) >= 2, f"greedy suggestion too short to type into: {ghost!r}"
    type_text(editor, ghost[0])
    assert editor.ghost.visible and editor.ghost.text == ghost[1:]


def test_keystroke_during_generation_cancels_it(room_with_model, qtbot) -> None:
    editor = room_with_model.editor
    controller = room_with_model.suggestions
    editor.setPlainText(PROMPT)
    cursor = editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    room_with_model.settings._values["suggestion_max_tokens"] = 200
    assert controller.request()
    task = controller._task
    assert task is not None
    type_text(editor, "x")
    assert task.cancelled
    qtbot.waitUntil(lambda: task.done, timeout=30_000)
    assert not editor.ghost.visible
    assert editor.toPlainText() == PROMPT + "x"


def test_gui_thread_never_stalls_while_the_model_generates(room_with_model, qtbot) -> None:
    editor = room_with_model.editor
    controller = room_with_model.suggestions
    room_with_model.settings._values["suggestion_max_tokens"] = 64
    editor.setPlainText(PROMPT)
    cursor = editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    gaps: list[float] = []
    clock = QElapsedTimer()
    ticker = QTimer()
    ticker.setInterval(5)

    def tick() -> None:
        gaps.append(clock.restart())

    ticker.timeout.connect(tick)
    clock.start()
    ticker.start()
    started = time.perf_counter()
    for word in ("and", "then", "slowly", "the", "sea", "was", "quiet", "again"):
        editor.insertPlainText(f" {word}")
        assert controller.request()
        task = controller._task
        qtbot.waitUntil(lambda t=task: t.done, timeout=60_000)
    ticker.stop()
    assert time.perf_counter() - started > 0.3, "generation too short to measure"
    assert max(gaps[1:]) < 50, f"event loop stalled {max(gaps):.0f} ms"


def test_bad_model_path_leaves_a_working_editor(writing_room, qtbot, tmp_path: Path) -> None:
    bogus = tmp_path / "broken.gguf"
    bogus.write_bytes(b"GGUF" + b"\x00garbage" * 100)
    writing_room.model.load(bogus)
    qtbot.waitUntil(lambda: writing_room.model.state is ModelState.ERROR, timeout=60_000)
    stack = writing_room.window.messages
    assert stack.isVisible() and stack.find_text("could not be loaded") is not None
    assert "unavailable" in writing_room.window.status.model_label.text()
    type_text(writing_room.editor, "still writing")
    assert writing_room.editor.toPlainText() == "still writing"
    assert not writing_room.suggestions.request()


def test_missing_model_file_gives_a_plain_message(writing_room, qtbot, tmp_path: Path) -> None:
    writing_room.model.load(tmp_path / "nowhere.gguf")
    qtbot.waitUntil(lambda: writing_room.model.state is ModelState.ERROR, timeout=30_000)
    assert "nowhere.gguf" in writing_room.window.messages.text


def test_a_bad_model_file_leaves_the_loaded_model_working(
    room_with_model, qtbot, tmp_path: Path
) -> None:
    room = room_with_model
    working = room.model.model_file
    settings_before = room.settings["model_path"]
    bogus = tmp_path / "broken.gguf"
    bogus.write_bytes(b"GGUF" + b"\x00garbage" * 100)
    room.model.load(bogus)
    qtbot.waitUntil(lambda: room.model.state is ModelState.READY, timeout=60_000)
    qtbot.waitUntil(lambda: room.window.messages.find_text("broken") is not None, timeout=10_000)
    assert room.model.model_file is working, "the model that worked is still the one in use"
    assert room.settings["model_path"] == settings_before, "a broken path is never remembered"
    note = room.window.messages.find_text("broken")
    assert note is not None and "still come from" in note.text
    assert "ready" in room.window.status.model_label.text()
    editor = room.editor
    type_text(editor, PROMPT)
    assert wait_for_suggestion(qtbot, editor).strip(), "suggestions still come"


def test_a_model_that_loads_clears_the_earlier_failure(
    writing_room, qtbot, tmp_path: Path, default_model: Path
) -> None:
    writing_room.model.load(tmp_path / "nowhere.gguf")
    qtbot.waitUntil(lambda: writing_room.model.state is ModelState.ERROR, timeout=30_000)
    assert writing_room.window.messages.find_text("nowhere.gguf") is not None
    writing_room.model.load(default_model)
    qtbot.waitUntil(lambda: writing_room.model.state is ModelState.READY, timeout=120_000)
    assert writing_room.window.messages.find_text("nowhere.gguf") is None
    assert writing_room.window.messages.find_text("could not be loaded") is None


def test_alt_brackets_reach_the_editor_when_no_alternatives_exist(room_with_model, qtbot) -> None:
    editor = room_with_model.editor
    type_text(editor, PROMPT)
    wait_for_suggestion(qtbot, editor)
    handled = room_with_model.suggestions.suggestion_key(SuggestionKey.PREVIOUS)
    assert not handled, "no earlier alternative: the key is not swallowed"
    room_with_model.suggestions.dismiss()
    assert not room_with_model.suggestions.suggestion_key(SuggestionKey.NEXT)
