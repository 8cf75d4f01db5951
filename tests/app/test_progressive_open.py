"""A long file goes into the editor slice by slice (`app.editor_load`): nothing lost
or mis-attributed against the one-shot path, typing refused until it is all in, and
closing or opening another file mid-load clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import editor_load
from memory.events import Author, How, SourceKind
from memory.utf16_offsets import Utf16Offsets
from tests.conftest import type_text
from ui.editor import DraftEditor, EditIntent

MODEL = Author(SourceKind.MODEL, "test-model")
PIECES = [
    "plain words ",
    "She said \u201cyes\u201d \u2014 ",
    "caf\u00e9 ",
    "\U0001f642",
    "\n",
    "\n\n",
    "# Heading\n",
]


@pytest.fixture
def small_slices(monkeypatch):
    """Slices of a few hundred characters, so a short text loads in many turns."""
    monkeypatch.setattr(editor_load, "PROGRESSIVE_CHARS", 2_000)
    monkeypatch.setattr(editor_load, "SLICE_CHARS", 700)
    monkeypatch.setattr(editor_load, "FIRST_SLICE_CHARS", 300)
    monkeypatch.setattr(editor_load, "MIN_SLICE_CHARS", 200)
    monkeypatch.setattr(editor_load, "MAX_SLICE_CHARS", 900)


@pytest.fixture
def editor(qtbot):
    """One editor for every example (a load starts by emptying it)."""
    widget = DraftEditor()
    qtbot.addWidget(widget)
    return widget


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.lists(
        st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), min_size=1, max_size=80
    ).map("".join),
    first=st.integers(1, 400),
    size=st.integers(1, 600),
)
def test_the_editor_holds_exactly_the_text_and_its_map(qtbot, editor, text, first, size) -> None:
    text = text.replace("\r", "").replace("\u2029", "").replace("\u2028", "")
    done: list[bool] = []
    load = editor_load.EditorLoad(
        editor, text, on_done=lambda: done.append(True), slice_chars=size, first_chars=first
    )
    load.start()
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    # The raw text: `toPlainText` shows a no-break space as a space (Qt's, either path).
    assert editor.document().toRawText().replace("\u2029", "\n") == text
    assert not load.active and done == [True]
    assert not editor.document().isUndoAvailable()  # undo starts empty
    positions = load.positions()
    expected = Utf16Offsets(text)
    assert positions is not None
    assert positions.length == expected.length and positions.length16 == expected.length16
    for index in range(0, len(text) + 1, max(1, len(text) // 25)):
        assert positions.to_utf16(index) == expected.to_utf16(index)


def _draft(room, qtbot, path: Path, newline: str = "\n") -> None:
    """A saved file with the writer's and the model's text, curly quotes and emoji."""
    room.session.start_at(path)
    editor = room.editor
    body = "".join(
        f"## Part {i}\n\nShe said \u201cyes\u201d \u2014 the caf\u00e9 \U0001f642 closed, "
        f"line {i}.\n\n"
        for i in range(120)
    )
    editor.insertPlainText(body)
    cursor = editor.textCursor()
    for i in (3, 40, 90):
        cursor.setPosition(editor.document().findBlockByNumber(i).position() + 2)
        editor.setTextCursor(cursor)
        editor.insert_as("\U0001f916 model words ", EditIntent(How.SUGGESTION, author=MODEL))
        editor.insertPlainText("\u201ctyped\u201d ")
    assert room.session.save()
    if newline != "\n":  # the same file with other newlines (kept on save, LF in the editor)
        data = path.read_bytes().replace(b"\n", newline.encode())
        path.write_bytes(data)


def _opened(room, qtbot, path: Path):
    room.session.new_document()
    assert room.session.open_path(path)
    qtbot.waitUntil(lambda: not room.session.loading, timeout=30_000)
    doc = room.session.authored
    assert doc is not None and room.session.bridge is not None
    return (
        room.editor.toPlainText(),
        doc.text,
        list(doc.authored_text.iter_runs()),
        doc.labels(),
        doc.head_seq,
        room.session.trust.source if room.session.trust else None,
        room.editor.textCursor().position(),
        room.editor.document().isModified(),
    )


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_progressive_open_equals_the_one_shot_open(
    writing_room, qtbot, tmp_path, monkeypatch, newline
) -> None:
    room = writing_room
    path = tmp_path / "book.md"
    _draft(room, qtbot, path, newline)
    monkeypatch.setattr(editor_load, "PROGRESSIVE_CHARS", 10_000_000)
    at_once = _opened(room, qtbot, path)
    monkeypatch.setattr(editor_load, "PROGRESSIVE_CHARS", 2_000)
    monkeypatch.setattr(editor_load, "SLICE_CHARS", 700)
    monkeypatch.setattr(editor_load, "FIRST_SLICE_CHARS", 300)
    monkeypatch.setattr(editor_load, "MIN_SLICE_CHARS", 200)
    in_slices = _opened(room, qtbot, path)
    assert in_slices == at_once
    text = in_slices[0]
    assert "\U0001f642" in text and "\u201c" in text and "\r" not in text
    # Typing after the load is recorded where it lands, by the map found slice by slice.
    doc = room.session.authored
    head = doc.head_seq
    type_text(room.editor, "more \U0001f600")
    assert doc.text == room.editor.toPlainText() == text + "more \U0001f600"
    assert doc.head_seq > head
    assert doc.ledger.verify()
    bridge = room.session.bridge
    assert bridge.positions().length16 == Utf16Offsets(doc.text).length16


def test_typing_is_refused_until_the_text_is_all_in(
    writing_room, qtbot, tmp_path, small_slices
) -> None:
    room = writing_room
    path = tmp_path / "book.md"
    _draft(room, qtbot, path)
    room.session.new_document()
    assert room.session.open_path(path)
    assert room.session.loading and room.editor.isReadOnly()
    type_text(room.editor, "lost?")
    qtbot.waitUntil(lambda: len(room.editor.toPlainText()) > 0, timeout=10_000)
    assert room.session.loading  # still going in: many slices
    type_text(room.editor, "lost?")
    qtbot.waitUntil(lambda: not room.session.loading, timeout=30_000)
    assert not room.editor.isReadOnly()
    doc = room.session.authored
    assert "lost?" not in room.editor.toPlainText() and "lost?" not in doc.text
    assert not room.session.modified
    type_text(room.editor, "kept")
    assert doc.text == room.editor.toPlainText() and doc.text.endswith("kept")


def test_the_load_is_not_heard_as_typing(writing_room, qtbot, tmp_path, small_slices) -> None:
    room = writing_room
    path = tmp_path / "book.md"
    _draft(room, qtbot, path)
    room.session.new_document()
    opened: list[int] = []
    pauses: list[bool] = []
    room.session.opened.connect(lambda: opened.append(len(room.editor.toPlainText())))
    assert room.session.open_path(path)
    while room.session.loading:
        qtbot.wait(5)
        pauses.append(room.editor._pause.isActive())  # a pause would ask for a suggestion
    doc = room.session.authored
    assert not any(pauses) and not room.editor._pause.isActive()
    assert opened == [len(doc.text)]  # told once, with the whole text in the editor
    seq = doc.head_seq
    room.session.flush()
    assert doc.head_seq == seq and doc.ledger.verify()  # the journal recorded no edit
    assert not room.editor.document().isUndoAvailable()
    assert not room.session.modified


def test_closing_or_opening_another_file_mid_load_is_clean(
    writing_room, qtbot, tmp_path, small_slices
) -> None:
    room = writing_room
    path = tmp_path / "book.md"
    _draft(room, qtbot, path)
    on_disk = path.read_bytes()
    other = tmp_path / "short.md"
    other.write_text("A short \u201cnote\u201d \U0001f642.\n", encoding="utf-8")
    room.session.new_document()
    # Another file mid-load, while the block is parsed and while the text goes in.
    assert room.session.open_path(path)
    assert room.session.open_path(other)
    assert not room.session.loading
    assert room.editor.toPlainText() == "A short \u201cnote\u201d \U0001f642.\n"
    assert room.session.open_path(path)
    qtbot.waitUntil(lambda: len(room.editor.toPlainText()) > 0, timeout=10_000)
    assert room.session.loading
    room.session.new_document()
    assert not room.session.loading and room.editor.toPlainText() == ""
    assert not room.editor.isReadOnly()
    qtbot.wait(200)  # nothing of the cancelled load arrives later
    assert room.editor.toPlainText() == "" and room.session.path is None
    assert path.read_bytes() == on_disk
    # And the window closes mid-load (the fixture's shutdown) with nothing left behind.
    assert room.session.open_path(path)
    qtbot.waitUntil(lambda: len(room.editor.toPlainText()) > 0, timeout=10_000)
    room.session.close()
    assert not room.session.loading
    assert path.read_bytes() == on_disk


def test_a_save_mid_load_writes_the_whole_text(writing_room, qtbot, tmp_path, small_slices) -> None:
    room = writing_room
    path = tmp_path / "book.md"
    _draft(room, qtbot, path)
    room.session.new_document()
    expected = path.read_text(encoding="utf-8")
    assert room.session.open_path(path)
    assert room.session.save()
    assert path.read_text(encoding="utf-8") == expected
    qtbot.waitUntil(lambda: not room.session.loading, timeout=30_000)
    assert room.editor.toPlainText() == room.session.authored.text


def _block_from_elsewhere(room, qtbot, path: Path) -> None:
    """A file with an authorship block this library has no ledger for (another
    computer's Draftsmith wrote it): the block's runs are written as the file opens."""
    from memory.provenance.annotations import write_annotated_markdown
    from memory.provenance.build import record_from_runs

    writer = Author(SourceKind.PERSON, "Ann")
    text, runs = "", []
    for i in range(150):
        for piece, who in (
            (f"She said \u201cyes\u201d \U0001f642 at line {i}. ", writer),
            ("The model went on. ", MODEL),
        ):
            runs.append((len(text), len(piece), who))
            text += piece
    record = record_from_runs(text, runs, path.stem, 0.0, "t")
    path.write_text(write_annotated_markdown(record), encoding="utf-8")


def _changed_outside(room, qtbot, path: Path) -> None:
    """A file Draftsmith saved, then changed by another program."""
    _draft(room, qtbot, path)
    room.session.new_document()
    content = path.read_text(encoding="utf-8")
    path.write_text(content.replace("line 7.", "line seven, said the other editor."), "utf-8")


def _crashed(room, qtbot, path: Path) -> None:
    """A file Draftsmith saved, then typed in and journaled, never saved (a crash)."""
    from memory.document import AuthoredDocument

    _draft(room, qtbot, path)
    room.session.new_document()
    store = room.session.store
    doc = AuthoredDocument.open(store, store.document_for_path(str(path.resolve())))
    typed = "Unsaved \u201cwork\u201d \U0001f600."
    doc.record(len(doc.text), 0, typed, room.session.writer(), How.TYPED)
    doc.flush()


@pytest.mark.parametrize("make", [_block_from_elsewhere, _changed_outside, _crashed])
def test_the_trust_rule_on_the_open_lane_decides_as_the_gui_thread_does(
    writing_room, qtbot, tmp_path, monkeypatch, make
) -> None:
    """A long file's trust rule runs on the "open" lane over its own connection to the
    library; the writer sees what the one-shot open on the GUI thread shows: the same
    source, text, runs and labels (each open from the same starting point)."""
    import threading

    from app import document_session

    room = writing_room
    seen = []
    ran_on: list[int] = []
    rule = document_session._authorship

    def noted(*args):
        ran_on.append(threading.get_ident())
        return rule(*args)

    monkeypatch.setattr(document_session, "_authorship", noted)
    for folder, progressive in (("one-shot", False), ("in-slices", True)):
        path = tmp_path / folder / "book.md"
        path.parent.mkdir()
        make(room, qtbot, path)
        if progressive:
            monkeypatch.setattr(editor_load, "PROGRESSIVE_CHARS", 2_000)
            monkeypatch.setattr(editor_load, "SLICE_CHARS", 700)
            monkeypatch.setattr(editor_load, "FIRST_SLICE_CHARS", 300)
            monkeypatch.setattr(editor_load, "MIN_SLICE_CHARS", 200)
        else:
            monkeypatch.setattr(editor_load, "PROGRESSIVE_CHARS", 10_000_000)
        opened = _opened(room, qtbot, path)
        on_gui_thread = ran_on[-1] == threading.get_ident()
        assert on_gui_thread is not progressive
        doc = room.session.authored
        assert doc.store is room.session.store  # the GUI thread's connection, not the lane's
        assert doc.ledger.verify()
        type_text(room.editor, "on \U0001f600")
        assert doc.text == room.editor.toPlainText()
        assert room.session.save()
        seen.append((opened[0], opened[1], opened[2], opened[3], opened[5], opened[7]))
    assert seen[0] == seen[1]
    assert seen[0][4] is not None


def test_a_library_that_fails_on_the_open_lane_costs_no_text(
    writing_room, qtbot, tmp_path, small_slices, monkeypatch
) -> None:
    from app import document_session, messages
    from memory.store import StoreError

    room = writing_room
    path = tmp_path / "book.md"
    _block_from_elsewhere(room, qtbot, path)
    said: list[str] = []
    monkeypatch.setattr(messages, "warning", lambda text, **_kw: said.append(text))

    def locked(_path: object) -> None:
        raise StoreError("the Draftsmith library is in use by another program")

    monkeypatch.setattr(document_session, "Store", locked)
    room.session.new_document()
    assert room.session.open_path(path)
    qtbot.waitUntil(lambda: not room.session.loading, timeout=30_000)
    assert room.session.authored is None
    assert room.editor.toPlainText().startswith("She said \u201cyes\u201d")
    assert any("Authorship is not being recorded" in text and "in use" in text for text in said)


def test_the_first_screen_shows_while_the_authorship_is_worked_out(
    writing_room, qtbot, tmp_path, small_slices, monkeypatch
) -> None:
    """A long file's first screen is in the editor (read-only) while the "open" lane
    works out its authorship, and the load goes on from it: nothing put in is taken
    out again when the text to show begins with it."""
    import threading

    from app import document_session

    room = writing_room
    path = tmp_path / "book.md"
    _block_from_elsewhere(room, qtbot, path)
    release = threading.Event()
    prepare = document_session._prepare_authorship

    def slow(reading):
        release.wait(30)
        prepare(reading)

    monkeypatch.setattr(document_session, "_prepare_authorship", slow)
    room.session.new_document()
    removed: list[int] = []
    assert room.session.open_path(path)
    qtbot.waitUntil(lambda: len(room.editor.toPlainText()) > 0, timeout=10_000)
    shown = room.editor.toPlainText()
    assert room.session.loading and room.editor.isReadOnly() and room.session.authored is None
    assert path.read_text(encoding="utf-8").startswith(shown)
    room.editor.document().contentsChange.connect(lambda _at, gone, _added: removed.append(gone))
    qtbot.wait(100)
    assert room.editor.toPlainText() == shown  # held: the rest waits for the authorship
    release.set()
    qtbot.waitUntil(lambda: not room.session.loading, timeout=30_000)
    doc = room.session.authored
    assert doc is not None and room.editor.toPlainText() == doc.text
    assert doc.text.startswith(shown) and not any(removed)
    assert not room.editor.isReadOnly() and not room.session.modified
