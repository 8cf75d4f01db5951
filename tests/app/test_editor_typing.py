"""Typing in the window: undo in a writer's steps (a word, a pause, an accepted
suggestion on its own), lists that continue on Enter, smart punctuation (optional),
and every character typed this way still the writer's."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from memory.events import Author, How, SourceKind
from tests.conftest import type_text
from ui.editor import EditIntent

MODEL = Author(SourceKind.MODEL, "smol", "ab" * 32)


def press(widget, key: Qt.Key, text: str = "", modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, key, modifiers, text))


def undo_steps(editor) -> list[str]:
    steps = []
    while editor.document().isUndoAvailable():
        editor.undo()
        steps.append(editor.toPlainText())
    return steps


def test_undo_takes_back_a_word_at_a_time_and_a_suggestion_on_its_own(writing_room) -> None:
    editor = writing_room.editor
    type_text(editor, "Mara \u201cknew\u201d it")
    editor.insert_as(" and the tide turned.", EditIntent(How.SUGGESTION, author=MODEL))
    type_text(editor, " Then")
    assert undo_steps(editor) == [
        "Mara \u201cknew\u201d it and the tide turned. ",
        "Mara \u201cknew\u201d it and the tide turned.",
        "Mara \u201cknew\u201d it",
        "Mara \u201cknew\u201d ",
        "Mara ",
        "",
    ]


def test_lists_continue_on_enter_and_end_on_an_empty_item(writing_room) -> None:
    editor = writing_room.editor
    type_text(editor, "Pack:\n- rope")
    press(editor, Qt.Key.Key_Return, "\r")
    type_text(editor, "tea")
    press(editor, Qt.Key.Key_Return, "\r")
    assert editor.toPlainText() == "Pack:\n- rope\n- tea\n- "
    press(editor, Qt.Key.Key_Return, "\r")  # an empty item ends the list
    type_text(editor, "Done.")
    assert editor.toPlainText() == "Pack:\n- rope\n- tea\nDone."
    type_text(editor, "\n9. nine")
    press(editor, Qt.Key.Key_Return, "\r")
    assert editor.toPlainText().endswith("9. nine\n10. ")
    shares = writing_room.session.authored.shares()
    assert shares["human"] == len(editor.toPlainText())


def test_smart_punctuation_when_turned_on(writing_room) -> None:
    editor = writing_room.editor
    type_text(editor, 'She said "no" -- twice.')
    assert editor.toPlainText() == 'She said "no" -- twice.'  # off by default
    editor.clear()
    editor.set_writing_aids(continue_lists=True, smart_punctuation=True)
    type_text(editor, 'She said "no" -- Mara\'s --- twice.')
    assert editor.toPlainText() == "She said \u201cno\u201d \u2013 Mara\u2019s \u2014 twice."
    assert writing_room.session.authored.text == editor.toPlainText()
    assert writing_room.session.authored.shares()["human"] == len(editor.toPlainText())
