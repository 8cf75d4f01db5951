"""Authorship through the real editor: every edit a writer can make keeps who wrote what.

The engine's per-character attribution is compared with what the test knows each
character to be, after typing, suggestions, pastes, moves, undo/redo and replace-all,
and after replaying real CoAuthor sessions into the editor widget.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from memory.events import Author, How, SourceKind
from tests.conftest import type_text
from ui.editor import EditIntent

MODEL = Author(SourceKind.MODEL, "TestModel", "ab" * 32)
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "coauthor"


def kinds(room) -> str:
    """One letter per character: h(uman) m(odel) c(lipboard) i(mport) x (external)."""
    document = room.session.authored
    letters = {"person": "h", "model": "m", "clipboard": "c", "import": "i", "external": "x"}
    out = []
    for length, seq in document.segments(0, len(document.text)):
        out.append(letters[document.events[seq].author.kind.value] * length)
    return "".join(out)


def in_sync(room) -> None:
    assert room.session.authored.text == room.editor.toPlainText()


def accept(room, text: str) -> None:
    room.editor.insert_as(text, EditIntent(How.SUGGESTION, author=MODEL))


def test_typing_and_accepting_a_suggestion(writing_room) -> None:
    type_text(writing_room.editor, "Hello ")
    accept(writing_room, "world")
    type_text(writing_room.editor, "!")
    in_sync(writing_room)
    assert kinds(writing_room) == "hhhhhhmmmmmh"


def test_paste_from_outside_is_the_clipboards(writing_room) -> None:
    QApplication.clipboard().setText("quoted words")
    type_text(writing_room.editor, "A ")
    writing_room.editor.paste()
    in_sync(writing_room)
    assert kinds(writing_room) == "hh" + "c" * len("quoted words")


def test_cut_and_paste_inside_keeps_authors(writing_room) -> None:
    editor = writing_room.editor
    type_text(editor, "one ")
    accept(writing_room, "two ")
    type_text(editor, "three")
    cursor = editor.textCursor()
    cursor.setPosition(4)
    cursor.setPosition(8, QTextCursor.MoveMode.KeepAnchor)  # "two "
    editor.setTextCursor(cursor)
    editor.cut()
    cursor = editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    type_text(editor, " ")
    editor.paste()
    in_sync(writing_room)
    assert editor.toPlainText() == "one three two "
    assert kinds(writing_room) == "hhhhhhhhhh" + "mmmm"


def test_drag_and_drop_inside_keeps_authors(writing_room) -> None:
    editor = writing_room.editor
    accept(writing_room, "model ")
    type_text(editor, "human")
    cursor = editor.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(6, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    mime = editor.createMimeDataFromSelection()
    cursor.removeSelectedText()  # what a move-drop does to the source...
    cursor.movePosition(QTextCursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    editor.insertFromMimeData(mime)  # ...and to the target
    in_sync(writing_room)
    assert editor.toPlainText() == "humanmodel "
    assert kinds(writing_room) == "hhhhh" + "mmmmmm"


def test_undo_and_redo_restore_authorship(writing_room) -> None:
    editor = writing_room.editor
    type_text(editor, "abc ")
    accept(writing_room, "xyz")
    assert kinds(writing_room) == "hhhhmmm"
    editor.undo()  # the accepted suggestion goes
    in_sync(writing_room)
    assert editor.toPlainText() == "abc "
    editor.redo()  # and comes back as the model's
    in_sync(writing_room)
    assert kinds(writing_room) == "hhhhmmm"
    cursor = editor.textCursor()
    cursor.setPosition(2)
    cursor.setPosition(6, QTextCursor.MoveMode.KeepAnchor)
    cursor.removeSelectedText()  # delete "c xy" (mixed authors)
    assert editor.toPlainText() == "abz"
    editor.undo()
    in_sync(writing_room)
    assert editor.toPlainText() == "abc xyz"
    assert kinds(writing_room) == "hhhhmmm"


def test_overtyping_a_selection_and_replace_all(writing_room) -> None:
    editor = writing_room.editor
    accept(writing_room, "the sea and the sky")
    cursor = editor.textCursor()
    cursor.setPosition(4)
    cursor.setPosition(7, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    type_text(editor, "ocean")
    assert editor.toPlainText() == "the ocean and the sky"
    assert kinds(writing_room) == "mmmm" + "hhhhh" + "mmmmmmmmmmmm"
    writing_room.window.find_bar.find_field.setText("the")
    writing_room.window.find_bar.replace_field.setText("a")
    writing_room.window.find_bar.replace_everything()
    in_sync(writing_room)
    assert editor.toPlainText() == "a ocean and a sky"
    assert kinds(writing_room) == "h" + "m" + "hhhhh" + "mmmmm" + "h" + "mmmm"


def test_unicode_attributes_exactly(writing_room) -> None:
    editor = writing_room.editor
    editor.insertPlainText("👩‍👩‍👧 e\u0301 ")
    accept(writing_room, "🇵🇹 中文 שלום")
    editor.insertPlainText(" 😀")
    in_sync(writing_room)
    human_1 = len("👩‍👩‍👧 e\u0301 ")
    model = len("🇵🇹 中文 שלום")
    assert kinds(writing_room) == "h" * human_1 + "m" * model + "h" * len(" 😀")
    cursor = editor.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(len("👩‍👩‍👧".encode("utf-16-le")) // 2, QTextCursor.MoveMode.KeepAnchor)
    cursor.removeSelectedText()
    in_sync(writing_room)
    assert kinds(writing_room) == "h" * (human_1 - len("👩‍👩‍👧")) + "m" * model + "hh" + ""[:0] + (
        "h" * (len(" 😀") - 2)
    )


def test_statistics_and_authorship_view(writing_room, qtbot) -> None:
    type_text(writing_room.editor, "abcd")
    accept(writing_room, "efgh ijkl")
    counts, scope = writing_room.session.bridge.shares_for_selection()
    assert scope == "Whole document"
    assert sum(counts.values()) == 13
    assert counts.get("human", 0) == 4
    writing_room.authorship_action.trigger()
    assert writing_room.legend.isVisible()
    block = writing_room.editor.document().firstBlock()
    qtbot.waitUntil(lambda: any(f.start == 4 and f.length == 9 for f in block.layout().formats()))
    tip = writing_room.session.bridge.describe_at(6)
    assert "TestModel" in tip and "accepted suggestion" in tip


# --- real traffic --------------------------------------------------------------------
def _sessions() -> list[Path]:
    return sorted((CORPUS / "sessions").glob("*.jsonl.gz"))


def _reference(events: list[dict]) -> tuple[str, str]:
    """Text and labels by a plain character list, applying Quill deltas in UTF-16 units."""
    chars: list[tuple[str, str]] = []
    for event in events:
        if event["eventName"] == "system-initialize":
            chars = [(c, "p") for c in _units(event["currentDoc"])]
        elif event["eventName"] in ("text-insert", "text-delete") and event["textDelta"]:
            label = "m" if event["eventSource"] == "api" else "h"
            position = 0
            for op in event["textDelta"]["ops"]:
                if "retain" in op:
                    position += op["retain"]
                elif "insert" in op:
                    units = _units(op["insert"])
                    chars[position:position] = [(u, label) for u in units]
                    position += len(units)
                elif "delete" in op:
                    del chars[position : position + op["delete"]]
    text = "".join(c for c, _ in chars).encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    labels: list[str] = []
    units = iter(chars)
    for char in text:
        _, label = next(units)
        if ord(char) > 0xFFFF:
            next(units)
        labels.append(label)
    return text, "".join(labels)


def _units(text: str) -> list[str]:
    data = text.encode("utf-16-le")
    return [data[i : i + 2].decode("utf-16-le", "surrogatepass") for i in range(0, len(data), 2)]


def _replay_into_editor(room, events: list[dict], prompt_file: Path) -> None:
    editor = room.editor
    prompt = next(e["currentDoc"] for e in events if e["eventName"] == "system-initialize")
    prompt_file.write_text(prompt, encoding="utf-8")
    assert room.session.open_path(prompt_file)
    for event in events:
        if event["eventName"] not in ("text-insert", "text-delete") or not event["textDelta"]:
            continue
        intent = (
            EditIntent(How.SUGGESTION, author=MODEL)
            if event["eventSource"] == "api"
            else EditIntent(How.TYPED)
        )
        position = 0
        cursor = QTextCursor(editor.document())
        with editor.intent(intent):
            for op in event["textDelta"]["ops"]:
                if "retain" in op:
                    position += op["retain"]
                elif "insert" in op:
                    cursor.setPosition(position)
                    cursor.insertText(op["insert"])
                    position += len(op["insert"].encode("utf-16-le")) // 2
                elif "delete" in op:
                    cursor.setPosition(position)
                    cursor.setPosition(position + op["delete"], QTextCursor.MoveMode.KeepAnchor)
                    cursor.removeSelectedText()


@pytest.mark.parametrize("session", _sessions(), ids=lambda p: p.name[:8])
def test_coauthor_session_through_the_editor(writing_room, tmp_path, session: Path) -> None:
    events = [json.loads(line) for line in gzip.open(session, "rt", encoding="utf-8")]
    _replay_into_editor(writing_room, events, tmp_path / "prompt.md")
    text, labels = _reference(events)
    assert writing_room.editor.toPlainText() == text
    in_sync(writing_room)
    letters = kinds(writing_room).replace("i", "p")
    assert letters == labels
    human, model = labels.count("h"), labels.count("m")
    published = {
        row["session_id"]: float(row["written_by_human"])
        for row in csv.DictReader(open(CORPUS / "metadata.csv", encoding="utf-8"))
    }[session.name.split(".")[0]]
    assert abs(100 * human / (human + model) - published) < 8


def test_first_run_names_the_writer_and_two_people_can_write(writing_room) -> None:
    from app.settings import account_full_name

    assert writing_room.settings["writer_name"] == account_full_name()
    assert "Welcome" in writing_room.window.messages.text
    type_text(writing_room.editor, "ab")
    writing_room.set_writer_name("Bea")
    type_text(writing_room.editor, "cd")
    document = writing_room.session.authored
    names = [
        document.events[seq].author.name for n, seq in document.segments(0, 4) for _ in range(n)
    ]
    assert names == [account_full_name()] * 2 + ["Bea"] * 2
