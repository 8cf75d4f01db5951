"""The bridge reads the engine's text in slices, so no keystroke joins the whole text
(issue #12: `AuthoredText` holds it in chunks). Typing into a long document with the
colours on never joins it, and the colour labels near model text far into a long
document, read from a slice around each model run, equal `label_spans` over the whole
text, with curly quotes and emoji."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QApplication

from app.authorship_bridge import LABEL_CONTEXT
from memory import origins
from memory.events import AttributedSpan, Author, How, SourceKind
from memory.origins import label_spans
from tests.conftest import type_text
from ui.editor import EditIntent

MODEL = Author(SourceKind.MODEL, "TestModel", "cd" * 32)
PARAGRAPH = "\u201cThe keeper climbed the stairs,\u201d she said. \U0001f600 Then the sea. " * 4


def units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def test_the_slice_around_a_model_run_covers_what_the_rule_reads() -> None:
    assert LABEL_CONTEXT >= origins._LOOK_BEHIND


def long_document(writing_room) -> tuple[object, object, object]:
    editor = writing_room.editor
    editor.insert_as((PARAGRAPH + "\n\n") * 300, EditIntent(How.PASTE))  # 80,000 characters
    # Model text in the middle of paragraphs far into the text, typed beside and inside.
    cursor = editor.textCursor()
    for number in (40, 250, 420, 598):
        block = editor.document().findBlockByNumber(number)
        cursor.setPosition(block.position() + 12)
        editor.setTextCursor(cursor)
        editor.insert_as("sea\u2019s grey ", EditIntent(How.SUGGESTION, author=MODEL))
        if number != 420:
            cursor.setPosition(cursor.position() - 3)
            editor.setTextCursor(cursor)
            type_text(editor, "x" if number == 40 else "\u201d. ")
    return editor, writing_room.session.bridge, writing_room.session.authored


def test_labels_near_model_text_far_into_a_long_text_equal_the_rule(writing_room) -> None:
    editor, bridge, document = long_document(writing_room)
    text = document.text
    assert text == editor.toPlainText()
    positions = bridge.positions()
    block = editor.document().firstBlock()
    checked = 0
    while block.isValid():
        lo = positions.to_index(block.position())
        hi = positions.to_index(block.position() + block.length() - 1)
        spans, at = [], lo
        for length, seq in document.segments(lo, hi):
            spans.append(AttributedSpan(at, length, document.events[seq]))
            at += length
        expected = [
            label
            for _s, length, label in label_spans(text, spans, document.edited_models)
            for _ in range(length)
        ]
        got = [label for _s, length, label in bridge._labelled(lo, hi) for _ in range(length)]
        assert got == expected
        checked += origins.MODEL_EDITED in expected
        block = block.next()
    assert checked == 3  # typed beside or inside: edited; the one left alone is the model's


def test_typing_with_the_colours_on_never_joins_the_text(writing_room) -> None:
    editor, bridge, document = long_document(writing_room)
    writing_room.authorship_action.setChecked(True)
    QApplication.processEvents()
    state = document.authored_text
    end = editor.textCursor()
    end.movePosition(QTextCursor.MoveOperation.End)
    editor.setTextCursor(end)
    type_text(editor, "x")  # the first edit after the text was read whole
    assert state._joined is None
    for chunk in ("more words \u201cquoted\u201d ", "\U0001f600 and a backspace"):
        type_text(editor, chunk)
        QApplication.sendPostedEvents()
        assert state._joined is None  # every key, its labels and its colours: slices only
    for _ in range(3):
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            key = QKeyEvent(kind, Qt.Key.Key_Backspace, Qt.KeyboardModifier.NoModifier)
            QApplication.sendEvent(editor, key)
        QApplication.sendPostedEvents()
        assert state._joined is None
    assert editor.toPlainText().endswith("and a backsp")
    labels = bridge.block_labels(editor.textCursor().block().position(), 10_000)
    assert sum(length for _s, length, _l in labels) == units(editor.textCursor().block().text())
    assert document.text == editor.toPlainText()
