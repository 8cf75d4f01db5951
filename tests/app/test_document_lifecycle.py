"""A document's life through the window: save with authorship, reopen, crash, outside edits."""

from __future__ import annotations

from pathlib import Path

from app import paths
from app.messages import Level
from app.settings import Settings
from app.writing_room import WritingRoom
from memory.events import Author, How, SourceKind
from tests.app.test_authorship_editor import kinds
from tests.conftest import type_text
from ui.editor import EditIntent

MODEL = Author(SourceKind.MODEL, "TestModel", "cd" * 32)


def new_room(qtbot) -> WritingRoom:
    room = WritingRoom(Settings(paths.settings_path()), load_model=False)
    qtbot.addWidget(room.window)
    room.window.set_close_guard(lambda: True)
    room.show()
    return room


def write_with_model(room: WritingRoom) -> None:
    type_text(room.editor, "Ana wrote this. ")
    room.editor.insert_as("The model wrote this.", EditIntent(How.SUGGESTION, author=MODEL))


def save_to(room: WritingRoom, path: Path) -> None:
    room.window.ask_save_path = lambda _suggested: str(path)
    assert room.session.save()


def test_markdown_carries_its_authorship_block(writing_room, qtbot, tmp_path) -> None:
    write_with_model(writing_room)
    path = tmp_path / "piece.md"
    save_to(writing_room, path)
    content = path.read_text(encoding="utf-8")
    assert content.startswith("Ana wrote this. The model wrote this.")
    assert "Annotations:" in content and "&TestModel" in content
    writing_room.shutdown()

    # Another machine: an empty data folder; the file alone restores the authorship.
    (tmp_path / "home").rename(tmp_path / "old-home")
    room = new_room(qtbot)
    try:
        assert room.session.open_path(path)
        assert room.editor.toPlainText() == "Ana wrote this. The model wrote this."
        assert kinds(room) == "h" * 16 + "m" * 21
        assert not room.session.modified
    finally:
        room.shutdown()


def test_a_tampered_block_warns_and_asks(writing_room, qtbot, tmp_path) -> None:
    write_with_model(writing_room)
    path = tmp_path / "piece.md"
    save_to(writing_room, path)
    writing_room.shutdown()
    path.write_text(path.read_text(encoding="utf-8").replace("Ana", "Bob", 1), encoding="utf-8")
    (tmp_path / "home").rename(tmp_path / "old-home")
    room = new_room(qtbot)
    try:
        assert room.session.open_path(path)
        bar = room.window.messages.find_text("does not match")
        assert bar is not None and bar.level == Level.WARNING
        qtbot.waitUntil(bar.isVisible, timeout=5_000)
        assert set(kinds(room)) == {"i"}, "no silent guess: imported until the writer decides"
        apply_button = next(b for b in bar.buttons if "Anyway" in b.text())
        apply_button.click()
        assert kinds(room) == "h" * 16 + "m" * 21
    finally:
        room.shutdown()


def test_plain_text_setting_writes_no_block(writing_room, tmp_path) -> None:
    writing_room.settings.set("markdown_authorship_block", False)
    write_with_model(writing_room)
    path = tmp_path / "plain.md"
    save_to(writing_room, path)
    assert path.read_text(encoding="utf-8") == "Ana wrote this. The model wrote this."


def test_reopening_in_draftsmith_keeps_the_ledger(writing_room, qtbot, tmp_path) -> None:
    write_with_model(writing_room)
    path = tmp_path / "piece.txt"
    save_to(writing_room, path)
    writing_room.shutdown()
    room = new_room(qtbot)
    try:
        assert room.session.open_path(path)
        assert kinds(room) == "h" * 16 + "m" * 21
        assert not room.window.messages.isVisible()
    finally:
        room.shutdown()


def test_unsaved_text_comes_back_after_a_crash(writing_room, qtbot, tmp_path) -> None:
    path = tmp_path / "draft.txt"
    path.write_text("Saved part.", encoding="utf-8")
    assert writing_room.session.open_path(path)
    cursor = writing_room.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    writing_room.editor.setTextCursor(cursor)
    type_text(writing_room.editor, " Unsaved part.")
    writing_room.editor.insert_as(" Model part.", EditIntent(How.SUGGESTION, author=MODEL))
    qtbot.wait(writing_room.settings["autosave_interval_ms"] + 300)  # the journal's tick
    # A crash: nothing is saved or flushed on the way out.
    writing_room.session._journal.stop()
    writing_room.session.authored = None
    writing_room.session.bridge = None
    room = new_room(qtbot)
    try:
        assert room.session.open_path(path)
        assert room.editor.toPlainText() == "Saved part. Unsaved part. Model part."
        assert room.session.modified, "recovered text is unsaved until the writer saves it"
        assert "unsaved changes" in room.window.messages.text
        assert kinds(room) == "i" * 11 + "h" * 14 + "m" * 12
    finally:
        room.shutdown()


def test_unsaved_text_after_saving_markdown_comes_back_after_a_crash(
    writing_room, qtbot, tmp_path
) -> None:
    """The default path: a Markdown file saved with its authorship block, more typing,
    a crash. The block must not hide the journaled work, nor cut the ledger's history."""
    path = tmp_path / "notes.md"
    type_text(writing_room.editor, "First line.")
    save_to(writing_room, path)
    assert "Annotations:" in path.read_text(encoding="utf-8"), "saved with its block"
    doc_id = writing_room.session.authored.doc_id
    type_text(writing_room.editor, " Third line unsaved.")
    qtbot.wait(writing_room.settings["autosave_interval_ms"] + 300)  # the journal's tick
    writing_room.session._journal.stop()  # a crash: nothing saved or flushed on the way out
    writing_room.session.authored = None
    writing_room.session.bridge = None
    room = new_room(qtbot)
    try:
        assert room.session.open_path(path)
        assert room.editor.toPlainText() == "First line. Third line unsaved."
        assert room.session.modified
        assert room.window.messages.find_text("unsaved changes") is not None
        assert room.session.authored.doc_id == doc_id, "the same ledger, its history kept"
        assert kinds(room) == "h" * len("First line. Third line unsaved.")
    finally:
        room.shutdown()


def test_changes_made_outside_are_marked_external(writing_room, qtbot, tmp_path) -> None:
    path = tmp_path / "shared.txt"
    type_text(writing_room.editor, "Mine. ")
    save_to(writing_room, path)
    writing_room.shutdown()
    path.write_text("Mine. Someone else's.", encoding="utf-8")
    room = new_room(qtbot)
    try:
        assert room.session.open_path(path)
        assert room.editor.toPlainText() == "Mine. Someone else's."
        assert kinds(room) == "h" * 6 + "x" * len("Someone else's.")
        assert "changed outside Draftsmith" in room.window.messages.text
    finally:
        room.shutdown()


def test_export_from_the_window_runs_in_the_background(writing_room, qtbot, tmp_path) -> None:
    from memory.provenance import verify_file

    write_with_model(writing_room)
    out = tmp_path / "piece.html"
    with qtbot.waitSignal(writing_room.exported, timeout=60_000) as signal:
        task = writing_room.export_document("html", ".html", out=out)
        assert task is not None
    assert signal.args[0] == [str(out)]
    assert not writing_room.window.status.progress.isVisible()
    result = verify_file(out)
    assert result.ok, result.problems
    assert "Exported piece.html" in writing_room.window.messages.text


def test_an_outside_edit_is_never_overwritten_silently(writing_room, qtbot, tmp_path) -> None:
    path = tmp_path / "shared.txt"
    path.write_text("Theirs and mine.", encoding="utf-8")
    assert writing_room.session.open_path(path)
    type_text(writing_room.editor, " More of mine.")
    path.write_text("Theirs, changed by another program.", encoding="utf-8")
    assert not writing_room.session.save(), "the other program's edit is not overwritten"
    assert path.read_text(encoding="utf-8") == "Theirs, changed by another program."
    bar = writing_room.window.messages.find_text("changed by another program")
    assert bar is not None and writing_room.session.modified
    next(b for b in bar.buttons if b.text() == "Overwrite").click()
    assert path.read_text(encoding="utf-8") == writing_room.editor.toPlainText()
    assert not writing_room.session.modified
    type_text(writing_room.editor, "!")
    assert writing_room.session.save(), "after its own save, the next save just saves"


def test_a_pause_in_typing_journals_at_once(writing_room, qtbot) -> None:
    from app.document_session import SETTLE_MS

    writing_room.session._journal.stop()  # only the pause may journal in this test
    document = writing_room.session.authored
    type_text(writing_room.editor, "Quick words.")
    assert document.ledger.pending > 0, "typing waits in the ledger's buffer"
    qtbot.waitUntil(lambda: document.ledger.pending == 0, timeout=SETTLE_MS + 1000)


def test_the_journal_resumes_after_a_failure(writing_room, qtbot, monkeypatch) -> None:
    document = writing_room.session.authored
    real_flush = document.flush
    failing = {"on": True}

    def flaky() -> int:
        if failing["on"]:
            raise OSError(28, "No space left on device")
        return real_flush()

    monkeypatch.setattr(document, "flush", flaky)
    type_text(writing_room.editor, "Words.")
    writing_room.session.flush()
    assert writing_room.window.messages.find_text("could not journal") is not None
    failing["on"] = False
    writing_room.session.flush()
    assert writing_room.window.messages.find_text("could not journal") is None
    assert writing_room.window.messages.find_text("Journaling works again") is not None
