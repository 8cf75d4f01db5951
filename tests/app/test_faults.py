"""Faults (issue 11): a full disk, an I/O error or a read-only folder during save, journal
and export; a data folder that cannot be written at start-up. Each fault is injected (a
tmpfs is not available here): `os.replace`/`os.fsync`/`os.open` raising OSError, and
SQLite's own `max_page_count` making the real library file full."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from app import crash, paths
from app.settings import Settings
from app.writing_room import WritingRoom
from memory.document import AuthoredDocument
from memory.events import Author, How, SourceKind
from memory.provenance.annotations import parse_annotated_markdown
from tests.conftest import type_text
from ui.editor import EditIntent

MODEL = Author(SourceKind.MODEL, "TestModel", "cd" * 32)
REPO = Path(__file__).resolve().parents[2]


def _bug_dialogs() -> list[QMessageBox]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.windowTitle() == crash.DIALOG_TITLE and w.isVisible()
    ]


def fail_with(code: int):
    def raiser(*_args, **_kwargs):
        raise OSError(code, os.strerror(code))

    return raiser


def write_with_model(room: WritingRoom) -> None:
    type_text(room.editor, "Ana wrote “this” 🙂. ")
    room.editor.insert_as("The model wrote this.", EditIntent(How.SUGGESTION, author=MODEL))


def save_to(room: WritingRoom, path: Path) -> None:
    room.window.ask_save_path = lambda _suggested: str(path)
    assert room.session.save()


def journaled_text(room: WritingRoom) -> str:
    store = room.session.store
    assert store is not None and room.session.authored is not None
    return AuthoredDocument.open(store, room.session.authored.doc_id).text


# --- save ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "code", "words"),
    [
        ("replace", errno.ENOSPC, "the disk is full"),
        ("fsync", errno.EIO, "the disk reported an error"),
        ("open", errno.EROFS, "is read-only"),
    ],
)
def test_a_failed_save_keeps_the_file_tells_the_writer_and_keeps_the_journal(
    writing_room, tmp_path, monkeypatch, where, code, words
) -> None:
    room = writing_room
    (tmp_path / "docs").mkdir()
    path = tmp_path / "docs" / "chapter.md"
    write_with_model(room)
    save_to(room, path)
    before = path.read_bytes()
    type_text(room.editor, "Unsaved “more” ✍️")
    monkeypatch.setattr(os, where, fail_with(code))
    assert not room.session.save()
    monkeypatch.undo()
    assert path.read_bytes() == before, "the previous file is intact"
    assert [p.name for p in path.parent.iterdir()] == ["chapter.md"], "no temporary left"
    assert words in room.window.messages.text and "previous version is intact" in (
        room.window.messages.text
    )
    assert room.session.modified and room.editor.toPlainText().endswith("Unsaved “more” ✍️")
    room.session.flush()
    assert journaled_text(room) == room.editor.toPlainText(), "the work is in the journal"
    assert not _bug_dialogs()
    assert room.session.save(), "saved once the disk allows"
    assert path.read_text(encoding="utf-8").startswith(room.editor.toPlainText())


# --- journal -------------------------------------------------------------------------


def test_the_journal_resumes_by_itself_after_the_library_fills_up(writing_room, qtbot) -> None:
    room = writing_room
    store = room.session.store
    assert store is not None
    type_text(room.editor, "Before the disk filled. ")
    room.session.flush()
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite now reports a full disk
    for _ in range(6):
        room.editor.insert_as(
            "Written while the disk was full — “ü” 🙂 " * 80, EditIntent(How.PASTE)
        )
        room.session.flush()
    assert room.window.messages.find_text("could not journal") is not None
    assert "disk" in room.window.messages.text and "full" in room.window.messages.text
    assert not _bug_dialogs()

    store.db.execute("PRAGMA max_page_count = 1073741823")  # space returns
    type_text(room.editor, "After.")
    qtbot.waitUntil(
        lambda: room.window.messages.find_text("Journaling works again") is not None,
        timeout=5000,
    )
    assert room.window.messages.find_text("could not journal") is None
    assert journaled_text(room) == room.editor.toPlainText(), "nothing typed meanwhile was lost"
    assert room.session.authored is not None and room.session.authored.ledger.verify()
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_save_writes_the_block_while_the_library_is_full(writing_room, tmp_path) -> None:
    room = writing_room
    store = room.session.store
    assert store is not None
    write_with_model(room)
    room.session.flush()
    store.db.execute(
        f"PRAGMA max_page_count = {store.db.execute('PRAGMA page_count').fetchone()[0]}"
    )
    room.editor.insert_as(" More model words," * 200, EditIntent(How.SUGGESTION, author=MODEL))
    path = tmp_path / "full.md"
    save_to(room, path)
    parsed = parse_annotated_markdown(path.read_text(encoding="utf-8"))
    assert parsed.has_block and parsed.text == room.editor.toPlainText()
    assert {a.name for a in parsed.authors} >= {"TestModel"}
    assert not _bug_dialogs()
    store.db.execute("PRAGMA max_page_count = 1073741823")


def test_an_unusable_library_still_saves_authorship_blocks(qtbot, tmp_path, draftsmith_home):
    draftsmith_home.mkdir(parents=True)
    (draftsmith_home / "draftsmith.db").mkdir()  # SQLite cannot open a folder
    room = WritingRoom(Settings(paths.settings_path()), load_model=False)
    qtbot.addWidget(room.window)
    room.window.set_close_guard(lambda: True)
    room.show()
    try:
        assert "for this session only" in room.window.messages.text
        write_with_model(room)
        path = tmp_path / "no-library.md"
        save_to(room, path)
        parsed = parse_annotated_markdown(path.read_text(encoding="utf-8"))
        assert parsed.has_block, "an unusable library no longer strips the block"
        assert parsed.text == "Ana wrote “this” 🙂. The model wrote this."
        assert {a.name for a in parsed.authors} >= {"TestModel"}
        assert not _bug_dialogs()
    finally:
        room.shutdown()


# --- export --------------------------------------------------------------------------


def test_a_full_disk_during_export_keeps_the_previous_export(
    writing_room, qtbot, tmp_path, monkeypatch
) -> None:
    room = writing_room
    write_with_model(room)
    save_to(room, tmp_path / "piece.md")
    out = tmp_path / "piece.html"
    task = room.export_document("html", ".html", out)
    assert task is not None
    qtbot.waitUntil(lambda: "Exported" in room.window.messages.text, timeout=30_000)
    before = out.read_bytes()
    type_text(room.editor, " And more.")
    monkeypatch.setattr(os, "replace", fail_with(errno.ENOSPC))
    room.export_document("html", ".html", out)
    qtbot.waitUntil(lambda: "Export failed" in room.window.messages.text, timeout=30_000)
    monkeypatch.undo()
    assert out.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert not _bug_dialogs()


# --- start-up ------------------------------------------------------------------------

START_CHILD = textwrap.dedent(
    """
    import errno, logging, os, sqlite3, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    home = os.environ["DRAFTSMITH_HOME"]
    if sys.argv[1] == "read-only":
        # Every write under the data folder fails as on a read-only mount.
        real_open, real_connect = os.open, sqlite3.connect
        def ro_open(path, flags, *args, **kwargs):
            if str(path).startswith(home) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
            return real_open(path, flags, *args, **kwargs)
        def ro_connect(path, *args, **kwargs):
            if str(path).startswith(home):
                return real_connect(f"file:{path}?mode=ro", *args, uri=True, **kwargs)
            return real_connect(path, *args, **kwargs)
        def ro_file(self):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), self.baseFilename)
        os.open, sqlite3.connect = ro_open, ro_connect
        logging.FileHandler._open = ro_file
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication(sys.argv)
    from app import crash, messages
    from app.main import open_window
    said = []
    post = messages.hub.post
    def record(*args, **kwargs):
        message = post(*args, **kwargs)
        said.append(message.text)
        return message
    messages.hub.post = record
    shown = []
    crash.report_bug = lambda *a, **k: shown.append("BUG")
    app_, room = open_window(None, model_path=None, load_model=False)
    room.settings.set("editor_font_size", 15)
    def report():
        print("WINDOW", room.window.isVisible(), flush=True)
        print("FONT", room.settings["editor_font_size"], flush=True)
        print("MESSAGES", " | ".join(said).replace("\\n", " "), flush=True)
        print("BUGS", len(shown), flush=True)
        room.shutdown()
        app.quit()
    QTimer.singleShot(1500, report)
    sys.exit(app.exec())
    """
)


def _start(home: Path, mode: str) -> tuple[str, str]:
    child = subprocess.run(
        [sys.executable, "-c", START_CHILD, mode],
        capture_output=True,
        text=True,
        env={**os.environ, "DRAFTSMITH_HOME": str(home)},
        cwd=REPO,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    return child.stdout, child.stderr


def test_a_data_folder_that_cannot_be_created_still_opens_the_window(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    out, err = _start(blocker / "Draftsmith", "missing")
    assert "WINDOW True" in out and "BUGS 0" in out and "FONT 15" in out
    assert "cannot write to its data folder" in out
    assert "Fatal Python error" not in err and "Error in sys.excepthook" not in err


def test_a_read_only_data_folder_still_opens_the_window(tmp_path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    # A library from an earlier session, readable but not writable now.
    from memory.store import Store

    Store(home / "draftsmith.db").close()
    (home / "settings.json").write_text('{"editor_font_size": 14}\n', encoding="utf-8")
    out, err = _start(home, "read-only")
    assert "WINDOW True" in out and "BUGS 0" in out, out + err
    assert "FONT 15" in out, "a changed setting applies for the session"
    assert "cannot write to its data folder" in out
    assert "for this session only" in out, "authorship kept in memory, said plainly"
    assert "Fatal Python error" not in err and "Error in sys.excepthook" not in err


# --- a damaged library ---------------------------------------------------------------


def new_room(qtbot) -> WritingRoom:
    room = WritingRoom(Settings(paths.settings_path()), load_model=False)
    qtbot.addWidget(room.window)
    room.window.set_close_guard(lambda: True)
    room.show()
    return room


@pytest.mark.parametrize("kind", ["garbage", "truncated", "newer schema"])
def test_a_damaged_library_at_start_is_moved_aside_and_files_keep_their_authorship(
    qtbot, tmp_path, draftsmith_home, kind
) -> None:
    from tests.app.test_authorship_editor import kinds
    from tests.memory.test_damaged_store import damage

    room = new_room(qtbot)
    write_with_model(room)
    path = tmp_path / "kept.md"
    save_to(room, path)
    before = kinds(room)
    qtbot.waitUntil(lambda: room.learning.store is not None, timeout=20_000)
    qtbot.wait(50)  # the memory's "opened" reaches this window before it closes
    room.shutdown()
    library = draftsmith_home / "draftsmith.db"
    damage(library, kind)
    damaged = library.read_bytes()

    room = new_room(qtbot)
    try:
        text = room.window.messages.text
        assert "moved it to" in text and "draftsmith.db.damaged-" in text, text
        moved = next(draftsmith_home.glob("draftsmith.db.damaged-*[0-9]"))
        assert moved.read_bytes() == damaged
        assert room.session.store is not None and room.session.store.path == str(library)
        assert room.session.open_path(path)
        assert room.editor.toPlainText() == "Ana wrote “this” 🙂. The model wrote this."
        assert kinds(room) == before, "the file's block still gives its authorship"
        assert not _bug_dialogs()
    finally:
        room.shutdown()


# --- the same file open twice -------------------------------------------------------

HOLDER_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from app.file_locks import FileLock
    lock = FileLock(Path(sys.argv[1]), Path(sys.argv[2]))
    print("held" if lock.acquire() is None else "refused", flush=True)
    sys.stdin.read()  # hold it until the test lets go (or kills this process)
    lock.release()
    """
)


def _holder(home: Path, path: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER_CHILD, str(home), str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    return child


def test_a_file_open_in_another_draftsmith_is_read_only_until_the_writer_chooses(
    writing_room, tmp_path, draftsmith_home
) -> None:
    path = tmp_path / "both “windows” 🙂.md"
    path.write_text("Shared words.\n", encoding="utf-8")
    other = _holder(draftsmith_home, path)
    try:
        room = writing_room
        assert room.session.open_path(path)
        assert room.editor.isReadOnly(), "the second window does not edit it silently"
        bar = room.window.messages.find_text("already open in another Draftsmith")
        assert bar is not None and str(other.pid) in bar.text
        type_text(room.editor, "ignored")
        assert room.editor.toPlainText() == "Shared words.\n"
        next(b for b in bar.buttons if b.text() == "Edit Here Anyway").click()
        assert not room.editor.isReadOnly()
        type_text(room.editor, "Mine.")
        assert room.session.save()
    finally:
        other.kill()
        other.wait()


def test_a_lock_left_by_a_killed_process_is_stale(writing_room, tmp_path, draftsmith_home):
    from app.file_locks import FileLock

    path = tmp_path / "crashed.md"
    path.write_text("Words.\n", encoding="utf-8")
    other = _holder(draftsmith_home, path)
    other.kill()  # SIGKILL: the lock file stays behind
    other.wait()
    lock = FileLock(draftsmith_home, path)
    assert lock.holder() is not None and lock.holder().pid == other.pid
    assert writing_room.session.open_path(path)
    assert not writing_room.editor.isReadOnly()
    assert writing_room.window.messages.find_text("already open") is None
    assert lock.holder() is not None and lock.holder().pid == os.getpid()
    writing_room.session.new_document()
    assert lock.holder() is None, "released when the window lets the file go"


def test_locks_are_per_file_and_released_by_their_owner(tmp_path) -> None:
    from app.file_locks import FileLock

    one, two = FileLock(tmp_path, tmp_path / "one.md"), FileLock(tmp_path, tmp_path / "two.md")
    assert one.lock_path != two.lock_path
    assert one.acquire() is None and two.acquire() is None
    one.release()
    assert one.holder() is None and two.holder() is not None
    two.release()
    blocked = FileLock(tmp_path / "a-file" / "x", tmp_path / "one.md")
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    assert blocked.acquire() is None, "an unwritable data folder coordinates nothing"


def test_a_library_failing_while_the_block_is_built_still_saves_the_text(
    writing_room, tmp_path, monkeypatch
) -> None:
    from app import document_session
    from memory.store import StoreError

    def unreadable(*_args, **_kwargs):
        raise StoreError("the Draftsmith library cannot be read: disk I/O error")

    write_with_model(writing_room)
    monkeypatch.setattr(document_session, "annotation_block_of_pieces", unreadable)
    path = tmp_path / "plain.md"
    save_to(writing_room, path)
    assert path.read_text(encoding="utf-8") == writing_room.editor.toPlainText()
    assert "without its authorship block" in writing_room.window.messages.text
    assert not _bug_dialogs()
