"""Ctrl+S writes on the "io" lane: typing goes on during the save, nothing is lost or
misattributed, a second Ctrl+S waits for the first, closing waits for a save in flight.

The lane is held shut by a real task on it (a gate) so that the typing lands while the
save is in flight, in every run: no timing is assumed anywhere."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app.document_session as document_session
from app import paths
from app.writing_room import WritingRoom
from memory.events import Author, How, SourceKind
from memory.provenance.annotations import parse_annotated_markdown
from memory.provenance.build import annotated_runs
from memory.store import Store
from tests.conftest import type_text
from ui.editor import EditIntent

MODEL = Author(SourceKind.MODEL, "TestModel", "ab" * 32)
NOBODY = Author(SourceKind.EXTERNAL, "nobody")
OPENING = "She said “yes” — the café 🙂 closed.\n\n"


@contextmanager
def lane_held(room: WritingRoom) -> Iterator[threading.Event]:
    """Hold the session's save lane shut until the block ends (or the event is set)."""
    gate = threading.Event()
    room.session._saves.submit(lambda _context: gate.wait(30), name="gate", lane="io")
    try:
        yield gate
    finally:
        gate.set()


def start_file(room: WritingRoom, path: Path, text: str = OPENING) -> None:
    path.write_text(text, encoding="utf-8")
    assert room.session.open_path(path)


def ctrl_s(room: WritingRoom) -> None:
    room.window.save_action.trigger()


def saved_runs(path: Path) -> tuple[str, list[tuple[str, SourceKind]]]:
    """The file's text and (text, author kind) per authorship run of its block."""
    parsed = parse_annotated_markdown(path.read_text(encoding="utf-8"))
    assert parsed.has_block and parsed.hash_ok, parsed.problems
    runs = annotated_runs(parsed.text, parsed, NOBODY)
    return parsed.text, [(parsed.text[s : s + n], who.kind) for s, n, who in runs]


def info(room: WritingRoom):
    session = room.session
    assert session.store is not None and session.authored is not None
    return session.store.document_info(session.authored.doc_id)


def test_typing_during_a_save_is_kept_unsaved_and_attributed(writing_room, tmp_path) -> None:
    room = writing_room
    path = tmp_path / "café.md"
    start_file(room, path)
    type_text(room.editor, "Ana typed “this” 👍.")
    before = room.editor.toPlainText()
    with lane_held(room):
        ctrl_s(room)
        assert room.session.saving
        assert "👍" not in path.read_text(encoding="utf-8"), "written on the lane, not here"
        type_text(room.editor, " And more — ✓")  # while the save is in flight
        room.editor.insert_as(" The model's 🙂.", EditIntent(How.SUGGESTION, author=MODEL))
    assert room.session.finish_saving()
    text, runs = saved_runs(path)
    assert text == before, "the file holds the text as it was at Ctrl+S"
    assert room.editor.toPlainText() == before + " And more — ✓ The model's 🙂."
    assert room.session.modified, "what was typed during the save is still unsaved"
    assert room.window.isWindowModified()
    assert info(room).has_unsaved_changes
    assert all(kind is not SourceKind.MODEL for _, kind in runs)
    ctrl_s(room)
    assert room.session.finish_saving()
    text, runs = saved_runs(path)
    assert text == room.editor.toPlainText()
    assert not room.session.modified and not room.window.isWindowModified()
    assert not info(room).has_unsaved_changes
    assert (" The model's 🙂.", SourceKind.MODEL) in runs
    assert any("And more — ✓" in piece and kind is SourceKind.PERSON for piece, kind in runs)


def test_a_second_ctrl_s_waits_and_the_newest_wins(writing_room, tmp_path, monkeypatch) -> None:
    room = writing_room
    path = tmp_path / "twice.md"
    start_file(room, path)
    writing = 0
    most = 0
    calls: list[Path] = []
    real = document_session.write_bytes_atomically

    def counted(target: Path, data: bytes) -> None:
        nonlocal writing, most
        writing += 1
        most = max(most, writing)
        calls.append(target)
        try:
            real(target, data)
        finally:
            writing -= 1

    monkeypatch.setattr(document_session, "write_bytes_atomically", counted)
    with lane_held(room):
        type_text(room.editor, "one ")
        ctrl_s(room)
        type_text(room.editor, "two ")
        ctrl_s(room)  # waits for the first
        type_text(room.editor, "three 🎉")
        ctrl_s(room)  # replaces the one waiting: the newest wins
        assert calls == []
    assert room.session.finish_saving()
    assert not room.session.saving
    assert most == 1, "never two writers on one file"
    assert calls == [path, path], "the first save, then only the newest of the others"
    text, _runs = saved_runs(path)
    assert text == OPENING + "one two three 🎉" == room.editor.toPlainText()
    assert not room.session.modified
    assert not info(room).has_unsaved_changes


def test_closing_waits_for_a_save_in_flight(writing_room, tmp_path) -> None:
    room = writing_room
    path = tmp_path / "closing.md"
    start_file(room, path)
    type_text(room.editor, "Last words “before” closing 🌙")
    with lane_held(room) as gate:
        ctrl_s(room)
        gate.set()  # the save may now be writing, or not yet started
        assert room.session.confirm_discard(), "closing waits for the save, then closes"
    assert not room.session.saving
    text, _runs = saved_runs(path)
    assert text == room.editor.toPlainText()
    assert not room.session.modified
    assert not info(room).has_unsaved_changes


def test_a_failed_background_save_says_so_and_keeps_the_work(writing_room, tmp_path) -> None:
    room = writing_room
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    path = blocker / "draft.md"
    room.session.start_at(path)
    type_text(room.editor, "Words worth keeping — “all” of them 🙂")
    typed = room.editor.toPlainText()
    ctrl_s(room)
    assert not room.session.finish_saving()
    assert "was not saved" in room.window.messages.text
    assert room.session.modified and room.editor.toPlainText() == typed
    assert info(room).has_unsaved_changes, "the work stays in the journal"
    blocker.unlink()
    blocker.mkdir()
    ctrl_s(room)
    assert room.session.finish_saving()
    assert saved_runs(path)[0] == typed
    assert not room.session.modified


def test_an_outside_change_still_stops_a_background_save(writing_room, tmp_path) -> None:
    room = writing_room
    path = tmp_path / "shared.md"
    start_file(room, path)
    type_text(room.editor, "Mine.")
    path.write_text("Theirs — changed “outside”.", encoding="utf-8")
    ctrl_s(room)
    assert not room.session.saving
    assert path.read_text(encoding="utf-8") == "Theirs — changed “outside”."
    assert room.window.messages.find_text("changed by another program") is not None
    assert room.session.modified


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    first=st.text(alphabet="ab “”’—é🙂👍🏽\n", min_size=1, max_size=30),
    during=st.text(alphabet="xy “”—ñ🎉\n", min_size=1, max_size=30),
    model=st.text(alphabet="mn 🙂’", min_size=1, max_size=12),
)
def test_any_text_typed_during_a_save_is_exact(
    writing_room: WritingRoom, tmp_path: Path, first: str, during: str, model: str
) -> None:
    room = writing_room
    path = tmp_path / "any.md"
    start_file(room, path, "Start.\n")
    type_text(room.editor, first)
    room.editor.insert_as(model, EditIntent(How.SUGGESTION, author=MODEL))
    at_save = room.editor.toPlainText()
    with lane_held(room):
        ctrl_s(room)
        type_text(room.editor, during)
    assert room.session.finish_saving()
    assert saved_runs(path)[0] == at_save
    assert room.session.modified
    ctrl_s(room)
    assert room.session.finish_saving()
    text, runs = saved_runs(path)
    assert text == at_save + during == room.editor.toPlainText()
    assert "".join(piece for piece, kind in runs if kind is SourceKind.MODEL) == model
    assert not room.session.modified
    room.session.new_document()


def test_closing_the_window_waits_for_the_save_and_records_it(writing_room, tmp_path) -> None:
    room = writing_room
    path = tmp_path / "last.md"
    start_file(room, path)
    type_text(room.editor, "Goodnight — “moon” 🌕")
    typed = room.editor.toPlainText()
    with lane_held(room) as gate:
        ctrl_s(room)
        gate.set()
        assert room._confirm_close(), "the window's own close path"
    assert room.session.store is None, "shut down after the save was recorded"
    assert saved_runs(path)[0] == typed
    store = Store(paths.database_path())
    try:
        doc_id = store.document_for_path(str(path.resolve()))
        assert doc_id is not None
        assert not store.document_info(doc_id).has_unsaved_changes
    finally:
        store.close()


def test_a_bug_while_writing_is_reported_and_the_text_kept(
    writing_room, tmp_path, monkeypatch
) -> None:
    room = writing_room
    path = tmp_path / "bug.md"
    start_file(room, path)
    type_text(room.editor, "Still here — “safe” 🙂")
    typed = room.editor.toPlainText()
    reported: list[BaseException] = []

    def broken(_target: Path, _data: bytes) -> None:
        raise RuntimeError("a bug in the writer")

    monkeypatch.setattr(document_session, "write_bytes_atomically", broken)
    monkeypatch.setattr(document_session, "report_bug", lambda exc, _details: reported.append(exc))
    ctrl_s(room)
    assert not room.session.finish_saving()
    assert [str(exc) for exc in reported] == ["a bug in the writer"]
    assert path.read_text(encoding="utf-8") == OPENING, "the file is as it was"
    assert room.session.modified and room.editor.toPlainText() == typed
    assert info(room).has_unsaved_changes


def test_a_file_changed_outside_is_caught_whether_or_not_its_stat_moved(
    writing_room, qtbot, tmp_path
) -> None:
    """Ctrl+S does not read and hash a file that stats as it did when Draftsmith last
    read or wrote it (size, change time, inode); any other program's write changes one
    of them, and a write in the seconds after Draftsmith's is hashed anyway."""
    import os

    import pytest

    room = writing_room
    path = tmp_path / "notes.md"
    path.write_text("Mine.\n", encoding="utf-8")
    assert room.session.open_path(path)
    type_text(room.editor, "More. ")
    assert room.session.save()
    # Another program writes the same number of bytes at once (the same clock tick).
    saved = path.read_bytes()
    stat = os.stat(path)
    path.write_bytes(saved.replace(b"More.", b"Their"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even its time put back
    type_text(room.editor, "x")
    assert not room.session.save()
    assert room.window.messages.find_text("changed by another program") is not None
    # A file that stats as it was written long ago is taken at its fingerprint's word.
    key = document_session._stat_key(path)
    assert key is not None
    reads: list[Path] = []
    real = Path.read_bytes
    old = key[1][1] - 10 * document_session._SETTLED_NS
    os.utime(path, ns=(old, old))
    document_session._fingerprint(path)  # noted as it stats now
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "read_bytes", lambda self: reads.append(self) or real(self))
        assert document_session._fingerprint(path) is not None
    assert reads == []
