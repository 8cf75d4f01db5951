"""Inline suggestions with the real bundled model, driven through the real window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer

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
    """The event loop keeps running (timers fire, ghost text streams in) while the model
    generates; how long its gaps are is measured by benchmarks/suggestion_latency.py."""
    editor = room_with_model.editor
    controller = room_with_model.suggestions
    room_with_model.settings._values["suggestion_max_tokens"] = 64
    editor.setPlainText(PROMPT)
    cursor = editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    ticks_while_generating = 0
    partials: list[str] = []
    ticker = QTimer()
    ticker.setInterval(5)

    def tick() -> None:
        nonlocal ticks_while_generating
        task = controller._task
        if task is not None and not task.done:
            ticks_while_generating += 1
            if editor.ghost.text and editor.ghost.text not in partials:
                partials.append(editor.ghost.text)

    ticker.timeout.connect(tick)
    ticker.start()
    for word in ("and", "then", "slowly", "the", "sea", "was", "quiet", "again"):
        editor.insertPlainText(f" {word}")
        assert controller.request()
        task = controller._task
        qtbot.waitUntil(lambda t=task: t.done, timeout=60_000)
    ticker.stop()
    assert ticks_while_generating > 0, "no timer fired while the model generated"
    assert partials, "no streamed ghost text was painted while the model generated"


NOTES = (
    "The keeper\u2019s lamp burned all night. \u201cAgain,\u201d she said, watching the grey sea.",
    "Gulls circled the harbour \U0001f30a and the boats rocked on their ropes in the wind.",
    "By morning the storm had passed, and the town woke to a washed, quiet light.",
)


def _move_to_end_of_block(editor, number: int) -> None:
    block = editor.document().findBlockByNumber(number)
    cursor = editor.textCursor()
    cursor.setPosition(block.position() + block.length() - 1)
    editor.setTextCursor(cursor)


def test_moving_to_another_paragraph_warms_the_prompt_cache(room_with_model, qtbot) -> None:
    editor = room_with_model.editor
    controller = room_with_model.suggestions
    backend = room_with_model.model._backend
    editor.setPlainText("\n\n".join(NOTES * 4))
    _move_to_end_of_block(editor, 6)  # another paragraph: a warm-up starts after an idle
    qtbot.waitUntil(lambda: controller.warm_ups >= 1, timeout=10_000)
    warming = controller._warm_task
    assert warming is not None
    qtbot.waitUntil(lambda: warming.done, timeout=120_000)
    assert controller.warmed_tokens > 0
    assert not editor.ghost.visible, "a warm-up shows nothing"
    assert editor.toPlainText() == "\n\n".join(NOTES * 4), "nor changes the text"
    assert controller.request()
    task = controller._task
    qtbot.waitUntil(lambda: task.done, timeout=60_000)
    assert backend.prompt_tokens_evaluated <= 1, "the request started from the warmed cache"


def test_a_request_cancels_the_warm_up_it_replaces(room_with_model, qtbot) -> None:
    editor = room_with_model.editor
    controller = room_with_model.suggestions
    editor.setPlainText("\n\n".join(NOTES * 6))
    _move_to_end_of_block(editor, 10)
    qtbot.waitUntil(lambda: controller.warm_ups >= 1, timeout=10_000)
    warming = controller._warm_task
    assert warming is not None
    assert controller.request()
    assert warming.cancelled, "newest wins: the real request replaces the warm-up"
    task = controller._task
    qtbot.waitUntil(lambda: task.done, timeout=60_000)
    assert editor.toPlainText() == "\n\n".join(NOTES * 6)


def test_no_warm_up_while_a_suggestion_generates(room_with_model, qtbot) -> None:
    editor = room_with_model.editor
    controller = room_with_model.suggestions
    room_with_model.settings._values["suggestion_max_tokens"] = 64
    type_text(editor, PROMPT)
    assert controller.request()
    task = controller._task
    started = controller.warm_ups
    assert not controller.warm(), "a warm-up would cancel the suggestion"
    assert controller.warm_ups == started and not task.cancelled
    qtbot.waitUntil(lambda: task.done, timeout=60_000)


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
