"""Crash recovery for every document, titled or not, through the real window.

A "crash" here stops the window's journal timers and forgets its document without
saving or flushing (what SIGKILL leaves), and lets go of the document's lock as the
OS would; the real-process version is tests/app/test_soak.py.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from app import paths
from app.document_session import MAX_LATENCY_MS
from memory.events import Author, How, SourceKind
from memory.store import Store
from tests.app.test_authorship_editor import kinds
from tests.app.test_document_lifecycle import new_room, save_to
from tests.conftest import type_text
from ui.editor import EditIntent

MODEL = Author(SourceKind.MODEL, "TestModel", "cd" * 32)
WORDS = "“Curly” words, an emoji 🙂 and plain ASCII."


def crash(room) -> None:
    """What SIGKILL leaves: what the journal flushed, and no lock."""
    session = room.session
    session.flush()  # the last tick before the kill (what was flushed is what survives)
    for timer in (session._journal, session._settle, session._latency):
        timer.stop()
    if session._lock is not None:
        session._lock.release(remove=False)
        session._lock = None
    session.authored = None
    session.bridge = None


def rows() -> list:
    store = Store(paths.database_path())
    try:
        return store.documents()
    finally:
        store.close()


def click(room, fragment: str, label: str) -> None:
    bar = room.window.messages.find_text(fragment)
    assert bar is not None, room.window.messages.text
    next(b for b in bar.buttons if b.text() == label).click()


def test_a_launch_leaves_no_empty_rows(writing_room, qtbot) -> None:
    writing_room.shutdown()
    room = new_room(qtbot)
    room.shutdown()
    assert rows() == [], "nobody typed: no 'Untitled' rows"


def test_empty_untitled_rows_of_earlier_versions_are_cleaned_up(writing_room, qtbot) -> None:
    writing_room.shutdown()
    store = Store(paths.database_path())
    store.new_document(None, "Untitled")
    store.new_document(None, "Untitled")
    store.close()
    room = new_room(qtbot)
    room.shutdown()
    assert rows() == []


def test_an_untitled_document_comes_back_after_a_crash(writing_room, qtbot, tmp_path) -> None:
    type_text(writing_room.editor, WORDS + "\nSecond line. ")
    writing_room.editor.insert_as("The model wrote this.", EditIntent(How.SUGGESTION, author=MODEL))
    doc_id = writing_room.session.authored.doc_id
    expected = kinds(writing_room)
    crash(writing_room)

    room = new_room(qtbot)
    try:
        bar = room.window.messages.find_text("untitled document")
        assert bar is not None
        assert WORDS in bar.text, "listed by its first line"
        assert "last typed" in bar.text
        assert room.editor.toPlainText() == "", "offered, not forced on the writer"
        click(room, "untitled document", "Open It")
        assert room.editor.toPlainText() == WORDS + "\nSecond line. The model wrote this."
        assert room.session.authored.doc_id == doc_id, "the same stable id"
        assert kinds(room) == expected, "with its authorship"
        assert room.session.modified and room.session.path is None
        assert room.window.messages.find_text("untitled document") is None
        type_text(room.editor, " More.")  # the same ledger goes on
        path = tmp_path / "kept.md"
        save_to(room, path)
        assert path.read_text(encoding="utf-8").startswith(WORDS)
    finally:
        room.shutdown()
    assert [r.id for r in rows()] == [doc_id] and not rows()[0].has_unsaved_changes


def test_a_new_file_comes_back_after_a_crash(writing_room, qtbot, tmp_path) -> None:
    path = tmp_path / "notes.md"
    writing_room.session.start_at(path)
    type_text(writing_room.editor, WORDS)
    doc_id = writing_room.session.authored.doc_id
    crash(writing_room)
    assert not path.exists()

    room = new_room(qtbot)
    try:
        assert room.window.messages.find_text("“notes.md”") is not None, "offered at start-up"
        room.session.start_at(path)  # `draftsmith notes.md` again
        assert room.editor.toPlainText() == WORDS
        assert room.session.authored.doc_id == doc_id
        assert kinds(room) == "h" * len(WORDS)
        assert room.window.messages.find_text("(last typed") is None, "open: no longer offered"
        assert room.session.save()
        assert path.read_text(encoding="utf-8").startswith(WORDS)
    finally:
        room.shutdown()


def test_discarding_at_start_up_is_the_writers_word(writing_room, qtbot) -> None:
    type_text(writing_room.editor, "Throwaway words.")
    crash(writing_room)
    room = new_room(qtbot)
    try:
        click(room, "untitled document", "Discard It")
    finally:
        room.shutdown()
    assert rows() == []
    room = new_room(qtbot)
    try:
        assert room.window.messages.find_text("untitled document") is None
    finally:
        room.shutdown()


def test_a_clean_close_offers_nothing_next_time(writing_room, qtbot, tmp_path) -> None:
    """Closing with Discard takes the changes out of the journal; the file's ledger keeps
    its history and its authors (the imported text stays imported)."""
    path = tmp_path / "draft.txt"
    path.write_text("Saved part.", encoding="utf-8")
    assert writing_room.session.open_path(path)
    doc_id = writing_room.session.authored.doc_id
    type_text(writing_room.editor, " Unwanted.")
    writing_room.window.ask_save_changes = lambda _name: QMessageBox.StandardButton.Discard
    assert writing_room.session.confirm_discard()
    writing_room.shutdown()

    room = new_room(qtbot)
    try:
        assert "last typed" not in room.window.messages.text
        assert room.session.open_path(path)
        assert room.editor.toPlainText() == "Saved part."
        assert room.session.authored.doc_id == doc_id, "its history stays attached"
        assert kinds(room) == "i" * len("Saved part.")
        assert room.window.messages.find_text("unsaved changes") is None
    finally:
        room.shutdown()


def test_going_back_to_the_saved_file_keeps_its_authors(writing_room, qtbot, tmp_path) -> None:
    path = tmp_path / "draft.md"
    writing_room.editor.insert_as("Model words. ", EditIntent(How.SUGGESTION, author=MODEL))
    type_text(writing_room.editor, "Mine.")
    save_to(writing_room, path)
    type_text(writing_room.editor, " Later 🙂.")
    crash(writing_room)
    room = new_room(qtbot)
    try:
        assert room.session.open_path(path)
        assert room.editor.toPlainText() == "Model words. Mine. Later 🙂."
        click(room, "unsaved changes", "Go Back to the Saved File")
        assert room.editor.toPlainText() == "Model words. Mine."
        assert kinds(room) == "m" * 13 + "h" * 5
        assert not room.session.modified
    finally:
        room.shutdown()
    assert not rows()[0].has_unsaved_changes


def test_crash_then_outside_change_still_offers_the_journal(writing_room, qtbot, tmp_path) -> None:
    path = tmp_path / "shared.md"
    type_text(writing_room.editor, "Mine. ")
    save_to(writing_room, path)
    type_text(writing_room.editor, "Unsaved “mine”.")
    crash(writing_room)
    path.write_text("Mine. A sync service wrote this.", encoding="utf-8")

    room = new_room(qtbot)
    try:
        bar = room.window.messages.find_text("(last typed")
        assert bar is not None and "also changed outside Draftsmith" in bar.text, bar.text
        assert room.session.open_path(path)
        assert room.editor.toPlainText() == "Mine. Unsaved “mine”."
        assert room.window.messages.find_text("also changed outside Draftsmith") is not None
        assert kinds(room) == "h" * len("Mine. Unsaved “mine”.")
        info = room.session.store.document_info(room.session.authored.doc_id)
        assert info.has_unsaved_changes, "not recorded as saved"
        assert not room.session.save(), "saving asks before replacing the other version"
        assert path.read_text(encoding="utf-8") == "Mine. A sync service wrote this."
        assert room.window.messages.find_text("changed by another program") is not None
    finally:
        room.shutdown()


def test_choosing_the_files_version_after_a_crash(writing_room, qtbot, tmp_path) -> None:
    path = tmp_path / "shared.txt"
    type_text(writing_room.editor, "Mine. ")
    save_to(writing_room, path)
    type_text(writing_room.editor, "Unsaved.")
    crash(writing_room)
    path.write_text("Mine. Theirs.", encoding="utf-8")
    room = new_room(qtbot)
    try:
        assert room.session.open_path(path)
        click(room, "also changed outside", "Use the File's Version")
        assert room.editor.toPlainText() == "Mine. Theirs."
        assert kinds(room) == "h" * 6 + "x" * len("Theirs.")
        assert room.session.save(), "the file's version is now the saved one"
    finally:
        room.shutdown()


def test_continuous_typing_is_journaled_without_a_pause(writing_room, qtbot) -> None:
    """Keys every 30 ms never give the pause timer its 150 ms: the max-latency timer
    journals anyway, so the flushes come while the typing goes on."""
    session = writing_room.session
    session._journal.stop()  # only the pause and the max-latency timers may journal
    text = "Typing on and on, “quoted” 🙂 " * 3
    flushed_while_typing: list[int] = []
    typed = {"n": 0}
    session.journaled.connect(
        lambda n: flushed_while_typing.append(n) if typed["n"] < len(text) else None
    )
    timer = QTimer()
    timer.setInterval(30)

    def key() -> None:
        if typed["n"] >= len(text):
            timer.stop()
            return
        type_text(writing_room.editor, text[typed["n"]])
        typed["n"] += 1

    timer.timeout.connect(key)
    timer.start()
    qtbot.waitUntil(lambda: typed["n"] >= len(text), timeout=30_000)
    assert len(flushed_while_typing) >= 2, flushed_while_typing
    assert session._latency.interval() == MAX_LATENCY_MS <= 500
    assert all(0 < n < len(text) for n in flushed_while_typing)


def test_a_save_cut_off_by_a_crash_is_recognised(writing_room, qtbot, tmp_path) -> None:
    """Killed between writing the file and recording the save: the file is a state the
    journal passed through, not an outside change, and the newer typing still wins."""
    from app.files import write_text_atomically

    path = tmp_path / "notes.md"
    type_text(writing_room.editor, "First. ")
    save_to(writing_room, path)
    type_text(writing_room.editor, "Second “part”. ")
    session = writing_room.session
    session.flush()
    write_text_atomically(path, session.file_text(session.editor.toPlainText(), path))
    type_text(writing_room.editor, "Third 🙂.")
    crash(writing_room)

    room = new_room(qtbot)
    try:
        assert room.session.open_path(path)
        assert room.editor.toPlainText() == "First. Second “part”. Third 🙂."
        assert room.window.messages.find_text("unsaved changes") is not None
        assert room.window.messages.find_text("outside Draftsmith") is None
        assert room.session.save(), "no outside change to ask about"
    finally:
        room.shutdown()


def test_a_document_open_in_another_window_is_not_offered(writing_room, qtbot) -> None:
    type_text(writing_room.editor, "Still being written.")
    writing_room.session.flush()
    other = new_room(qtbot)
    try:
        assert other.window.messages.find_text("Still being written") is None
        assert other.session.offer_recoverable() == []
    finally:
        other.shutdown()
    crash(writing_room)  # now nobody holds it: the next start offers it
    room = new_room(qtbot)
    try:
        assert room.window.messages.find_text("Still being written") is not None
    finally:
        room.shutdown()
