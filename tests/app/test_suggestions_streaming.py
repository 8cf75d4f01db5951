"""Streamed ghost text at frame rate, and the prompt cache kept warm while the writer
types and when they move to another paragraph (real window, real bundled model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.model_service import ModelState
from app.suggestions import (
    FRAME_MS,
    GROW_IDLE_MS,
    PAUSE_WARM_LEAD_MS,
    TAIL_CHARS,
    TAIL_GRID,
    TYPING_WARM_MS,
    WARM_IDLE_MS,
    ActiveSuggestion,
)
from assistant.prompts import build_continuation_prompt
from tests.conftest import type_text

NOTES = (
    "The keeper\u2019s lamp burned all night. \u201cAgain,\u201d she said, watching the grey sea.",
    "Gulls circled the harbour \U0001f30a and the boats rocked on their ropes in the wind.",
    "By morning the storm had passed, and the town woke to a washed, quiet light.",
)


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_streamed_text_reaches_the_ghost_at_most_once_a_frame(writing_room, qtbot) -> None:
    editor = writing_room.editor
    controller = writing_room.suggestions
    clock = _Clock()
    controller.clock = clock
    type_text(editor, "The sea \u201cwas\u201d ")
    anchor = editor.textCursor().position()
    current = ActiveSuggestion(anchor, editor.toPlainText())
    controller._current = current
    controller._partial(current, (0, "grey"))
    assert editor.ghost.text == "grey", "a suggestion's first text shows at once"
    clock.now += FRAME_MS / 4000  # a quarter of a frame later
    controller._partial(current, (0, "grey and"))
    controller._partial(current, (0, "grey and cold \U0001f30a"))
    assert editor.ghost.text == "grey", "within the frame the text waits"
    clock.now += FRAME_MS / 1000
    qtbot.waitUntil(lambda: editor.ghost.text == "grey and cold \U0001f30a", timeout=2_000)
    assert controller._pending is None, "only the newest text was kept, and it is shown"
    clock.now += 2 * FRAME_MS / 1000  # a frame after the last update: at once again
    controller._partial(current, (0, "grey and cold \U0001f30a again"))
    assert editor.ghost.text == "grey and cold \U0001f30a again"
    clock.now += FRAME_MS / 4000
    controller._partial(current, (0, "stale"))
    controller.dismiss(notify=False)
    assert controller._pending is None and not editor.ghost.visible
    assert editor.toPlainText() == "The sea \u201cwas\u201d ", "the text is never touched"


@pytest.fixture()
def room_with_model(writing_room, qtbot, default_model: Path):
    writing_room.model.load(default_model)
    qtbot.waitUntil(lambda: writing_room.model.state is ModelState.READY, timeout=120_000)
    writing_room.settings._values["suggestion_max_tokens"] = 4  # the prompt is what counts
    return writing_room


def _move_to_end_of_block(editor, number: int) -> None:
    block = editor.document().findBlockByNumber(number)
    cursor = editor.textCursor()
    cursor.setPosition(block.position() + block.length() - 1)
    editor.setTextCursor(cursor)


@pytest.mark.model
def test_a_word_typed_at_the_end_is_evaluated_before_the_pause(room_with_model, qtbot) -> None:
    editor = room_with_model.editor
    controller = room_with_model.suggestions
    backend = room_with_model.model._backend
    editor.set_pause_interval(60_000)  # no suggestion: only the warm-ups while typing
    type_text(editor, NOTES[0] + " The lamp ")
    qtbot.waitUntil(lambda: controller.warm_ups >= 1, timeout=10_000)
    warming = controller._warm_task
    assert warming is not None
    qtbot.waitUntil(lambda: warming.done, timeout=120_000)
    assert controller.warmed_tokens > 5
    assert controller.request()
    task = controller._task
    qtbot.waitUntil(lambda: task.done, timeout=60_000)
    assert backend.prompt_tokens_evaluated <= 2, "only a re-split last token is left"
    assert editor.toPlainText() == NOTES[0] + " The lamp "


@pytest.mark.model
def test_the_last_letters_are_evaluated_before_the_pause_ends(room_with_model, qtbot) -> None:
    editor = room_with_model.editor
    controller = room_with_model.suggestions
    backend = room_with_model.model._backend
    settings = room_with_model.settings
    editor.set_pause_interval(60_000)  # no suggestion: only the warm-ups while typing
    type_text(editor, NOTES[0] + " The ")
    qtbot.waitUntil(lambda: controller.warm_ups >= 1, timeout=10_000)
    word_end = controller._warm_task
    assert word_end is not None
    qtbot.waitUntil(lambda: word_end.done, timeout=120_000)
    type_text(editor, "lam")  # the writer stops mid-word, with no space
    timer = controller._warm_timer
    assert timer.isActive() and timer.interval() == controller._pause_warm_ms()
    assert timer.interval() < int(settings["suggestion_delay_ms"]), "before the pause"
    qtbot.waitUntil(lambda: controller.warm_ups >= 2, timeout=10_000)
    pause_warm = controller._warm_task
    assert pause_warm is not None and pause_warm is not word_end
    qtbot.waitUntil(lambda: pause_warm.done, timeout=120_000)
    assert controller.request()
    task = controller._task
    qtbot.waitUntil(lambda: task.done, timeout=60_000)
    assert backend.prompt_tokens_evaluated == 0, "the whole prompt was evaluated already"
    assert editor.toPlainText() == NOTES[0] + " The lam"


def test_the_pause_warm_up_comes_before_the_pause_delay(writing_room) -> None:
    controller = writing_room.suggestions
    values = writing_room.settings._values
    for delay in (250, 400, 1000):
        values["suggestion_delay_ms"] = delay
        ms = controller._pause_warm_ms()
        assert ms is not None and 0 < ms < delay
    values["suggestion_delay_ms"] = PAUSE_WARM_LEAD_MS + TYPING_WARM_MS  # too short: none
    assert controller._pause_warm_ms() is None
    for taken in (WARM_IDLE_MS, GROW_IDLE_MS):  # the other warm-ups' intervals stay theirs
        values["suggestion_delay_ms"] = taken + PAUSE_WARM_LEAD_MS
        assert controller._pause_warm_ms() not in (WARM_IDLE_MS, GROW_IDLE_MS)


@pytest.mark.model
def test_another_paragraph_warms_the_short_prompt_and_the_request_keeps_it(
    room_with_model, qtbot
) -> None:
    editor = room_with_model.editor
    controller = room_with_model.suggestions
    backend = room_with_model.model._backend
    text = "\n\n".join(NOTES * 12)
    editor.setPlainText(text)
    _move_to_end_of_block(editor, 30)
    qtbot.waitUntil(lambda: controller.warm_ups >= 1, timeout=10_000)
    warming = controller._warm_task
    assert warming is not None
    qtbot.waitUntil(lambda: warming.done, timeout=120_000)
    before = editor.text_before_cursor()
    full = build_continuation_prompt(before)
    assert controller._window_start is not None
    assert controller._window_start > full.window_start, "the short cold prompt, first"
    editor.set_pause_interval(60_000)
    type_text(editor, " Then")
    assert controller.request()
    task = controller._task
    qtbot.waitUntil(lambda: task.done, timeout=60_000)
    assert backend.prompt_tokens_evaluated <= 4, "only the word typed since"
    assert editor.toPlainText().startswith(text[: len(before)])


@pytest.mark.model
def test_a_long_document_gives_the_prompt_its_tail_and_keeps_its_start(
    room_with_model, qtbot
) -> None:
    editor = room_with_model.editor
    controller = room_with_model.suggestions
    backend = room_with_model.model._backend
    text = "\n\n".join(NOTES * 60) + " The"  # curly quotes and an emoji: UTF-16 differs
    editor.setPlainText(text)
    cursor = editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    editor.set_pause_interval(60_000)
    assert controller.request()
    current = controller._current
    assert current is not None
    assert current.offset > 0 and current.offset % TAIL_GRID == 0
    assert text.endswith(current.before) and len(current.before) >= TAIL_CHARS - 200
    task = controller._task
    qtbot.waitUntil(lambda: task.done, timeout=60_000)
    controller.dismiss()
    type_text(editor, " lamp")
    assert controller.request()
    task = controller._task
    qtbot.waitUntil(lambda: task.done, timeout=60_000)
    assert backend.prompt_tokens_evaluated <= 4, "the last prompt's start is kept"
    assert editor.toPlainText() == text + " lamp"
