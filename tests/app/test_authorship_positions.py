"""The bridge's incremental UTF-16 map through the real editor, with surrogate pairs.

Random edits (typing, suggestions, selections typed over) on text with emoji and curly
quotes: after each one the engine's text equals the editor's, the bridge's map equals
re-encoding the text, and each paragraph's colour labels cover it exactly in UTF-16.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QTextCursor

from memory.events import Author, How, SourceKind
from tests.conftest import type_text
from ui.editor import EditIntent

MODEL = Author(SourceKind.MODEL, "TestModel", "cd" * 32)
PIECES = [
    "a",
    "b ",
    "\u201cq\u201d",
    "\U0001f600",
    "\U0001f44d\U0001f3fd",
    "\n",
    "\u00e9",
    "x\U0001d11ey",
]
pieces = st.lists(st.sampled_from(PIECES), min_size=1, max_size=4).map("".join)
edits = st.lists(
    st.tuples(st.floats(0, 1), st.floats(0, 0.5), pieces, st.booleans()), min_size=1, max_size=8
)


def units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits)
def test_random_edits_keep_the_map_exact(writing_room, changes) -> None:
    editor = writing_room.editor
    editor.selectAll()
    type_text(editor, "\u201cStart\u201d \U0001f600 here.\nSecond \U0001f44d line.")
    bridge = writing_room.session.bridge
    for where, size, text, by_model in changes:
        plain = editor.toPlainText()  # positions between code points, as a writer's cursor
        start = int(where * len(plain))
        end = min(len(plain), start + int(size * len(plain)))
        cursor = editor.textCursor()
        cursor.setPosition(units(plain[:start]))
        cursor.setPosition(units(plain[:end]), QTextCursor.MoveMode.KeepAnchor)
        editor.setTextCursor(cursor)
        if by_model:
            editor.insert_as(text, EditIntent(How.SUGGESTION, author=MODEL))
        else:
            type_text(editor, text)
        document_text = writing_room.session.authored.text
        assert document_text == editor.toPlainText()
        positions = bridge.positions()
        assert positions.length == len(document_text)
        assert positions.length16 == units(document_text)
        for i in range(0, len(document_text) + 1, 3):
            assert positions.to_utf16(i) == units(document_text[:i])
        block = editor.document().firstBlock()
        while block.isValid():
            labels = bridge.block_labels(block.position(), block.length() - 1)
            offset = 0
            for lo, length, _label in labels:
                assert lo == offset
                offset += length
            assert offset == block.length() - 1 == units(block.text())
            block = block.next()
