"""When a suggestion may be asked for: only after the writer typed, never inside a word;
and the brainstorm history kept in the store. No model needed."""

from __future__ import annotations

from pathlib import Path

from app.model_service import ModelState
from memory.brainstorm_history import add_brainstorm, history, set_ideas
from memory.store import Store
from tests.conftest import type_text
from ui.find_bar import replace_all


def pauses(room, qtbot) -> list[bool]:
    seen: list[bool] = []
    room.editor.paused.connect(lambda: seen.append(True))
    room.editor.set_pause_interval(30)
    return seen


def test_typing_starts_the_pause(writing_room, qtbot) -> None:
    seen = pauses(writing_room, qtbot)
    type_text(writing_room.editor, "Hello there")
    qtbot.waitUntil(lambda: bool(seen), timeout=5_000)


def test_opening_text_or_replace_all_does_not(writing_room, qtbot) -> None:
    seen = pauses(writing_room, qtbot)
    writing_room.editor.setPlainText("A file that was just opened, and")
    qtbot.wait(200)
    replace_all(writing_room.editor, "opened", "loaded", case=False)
    qtbot.wait(200)
    assert not seen


def test_no_request_inside_a_word_or_before_text(writing_room, qtbot, monkeypatch) -> None:
    room = writing_room
    asked: list[bool] = []
    monkeypatch.setattr(room.suggestions, "request", lambda: asked.append(True) or True)
    monkeypatch.setattr(room.model, "state", ModelState.READY)
    editor = room.editor
    editor.setPlainText("The lighthouse stood.")
    cursor = editor.textCursor()
    cursor.setPosition(len("The lighthou"))
    editor.setTextCursor(cursor)
    room.suggestions._paused()
    assert not asked, "inside a word"
    cursor.setPosition(len("The lighthouse"))
    editor.setTextCursor(cursor)
    room.suggestions._paused()
    assert not asked, "text follows the cursor"
    editor.setPlainText("He said (quietly)")
    cursor = editor.textCursor()
    cursor.setPosition(len("He said (quietly"))
    editor.setTextCursor(cursor)
    room.suggestions._paused()
    assert asked, "only closing punctuation follows: mid-paragraph is fine"


def test_brainstorm_history_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    store = Store(path)
    doc = store.new_document(None, "Story")
    entry = add_brainstorm(store, doc, "titles", "the keeper", "model:x")
    set_ideas(store, entry, ["Dark Light", "The Keeper 😀"], ["Dark Light"])
    store.close()
    store = Store(path)
    (found,) = history(store, doc)
    assert found.kind == "titles" and found.about == "the keeper"
    assert found.shown == ("The Keeper 😀",)
    assert history(store, "another") == []
    store.close()
