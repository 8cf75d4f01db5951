"""Start-up and opening a file fast, with the authorship exactly as a replay gives it.

- `draftsmith FILE` paints before the co-writer, signing and the version lookup load
  (a subprocess, as the window starts), and the co-writer is there right after.
- A save keeps the ledger's state (`Ledger.snapshot_head`), so reopening the saved file
  replays nothing; what it opens equals a replay of every entry from the first, the
  unsaved work after a save still comes back, and a tampered file is still caught.
- Reading a file: the LF-only and no-long-line shortcuts answer as the full checks.
- The styler's UTF-16 offsets, built from ranges, equal the character-by-character ones.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from app import files
from app.files import read_document
from memory.events import Author, How, SourceKind
from memory.ledger import Ledger
from memory.provenance import trust
from memory.provenance.trust import Source
from memory.runs import AuthoredText
from tests.start_up_child import run_start_twice
from ui.editor import EditIntent
from ui.markdown_style import utf16_offsets

MODEL = Author(SourceKind.MODEL, "tiny", "cd" * 32)
PARAGRAPH = (
    "She said \u201cyes\u201d \u2014 and the caf\u00e9 \U0001f642 closed for the night. " * 8
)


def full_replay(ledger: Ledger, upto: int | None = None) -> tuple[str, list[tuple[int, int, int]]]:
    """Text and runs from the first entry on, no snapshot used."""
    state = AuthoredText()
    for entry in ledger.entries(0, upto):
        state.replace(entry.start, entry.removed, entry.inserted, entry.segments)
    return state.text, list(state.iter_runs())


def test_the_window_paints_before_the_co_writer_and_signing_load(tmp_path: Path) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text("The keeper climbed \u201cslowly\u201d \U0001f56f.\n", encoding="utf-8")
    code = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from PySide6.QtCore import QEvent, QObject\n"
        "from app.main import open_window\n"
        "late = ('cryptography', 'memory.provenance.signing', 'memory.provenance.manifest',\n"
        "        'memory.provenance.verify', 'importlib.metadata', 'app.rewrite',\n"
        "        'app.brainstorm', 'app.export', 'app.scripted_typing', 'llama_cpp',\n"
        "        'numpy', 'sqlite_utils', 'httpx2')\n"
        "seen = []\n"
        "class FirstPaint(QObject):\n"
        "    def eventFilter(self, watched, event):\n"
        "        if event.type() == QEvent.Type.Paint and not seen:\n"
        "            seen.append(sorted(m for m in late if m in sys.modules))\n"
        "        return False\n"
        "qt, room = open_window(Path(sys.argv[1]), model_path=None, load_model=False)\n"
        "spy = FirstPaint()\n"
        "room.editor.viewport().installEventFilter(spy)\n"
        "room.window.repaint()\n"
        "qt.processEvents()\n"
        "until = time.monotonic() + 20\n"
        "while not (seen and room._cowriter_built) and time.monotonic() < until:\n"
        "    qt.processEvents()\n"
        "    time.sleep(0.01)\n"
        "print('painted', seen[0] if seen else 'never', flush=True)\n"
        "print('co-writer', room._cowriter_built, 'app.rewrite' in sys.modules, flush=True)\n"
        "print('about', room.window.about_html().startswith('<b>Draftsmith '), flush=True)\n"
        "room.shutdown()\n"
        "os._exit(0)\n"
    )
    stdout = run_start_twice(code, draft, tmp_path / "home")
    lines = [line for line in stdout.splitlines() if line.startswith(("painted", "co-", "about"))]
    assert lines == ["painted []", "co-writer True True", "about True"], stdout


def _long_draft(room, qtbot, monkeypatch) -> None:
    """A long text typed into and suggested into, where a save keeps a snapshot (its 47
    entries copy 47 chunks on a replay: more than the floor lowered here)."""
    from memory import ledger

    monkeypatch.setattr(ledger, "SAVE_SNAPSHOT_REPLAY_CHARS", 500_000)
    editor = room.editor
    editor.insertPlainText((PARAGRAPH + "\n\n") * 1200)  # about 0.6 million characters
    cursor = editor.textCursor()
    blocks = editor.document().blockCount()
    for i in range(1, 24):  # 47 entries
        cursor.setPosition(editor.document().findBlockByNumber(i * blocks // 24).position() + 3)
        editor.setTextCursor(cursor)
        editor.insert_as("\U0001f916 mx ", EditIntent(How.SUGGESTION, author=MODEL))
        editor.insertPlainText("\u201ctyped\u201d ")


def test_reopening_a_saved_file_is_exactly_a_full_replay(
    writing_room, qtbot, tmp_path: Path, monkeypatch
) -> None:
    room = writing_room
    path = tmp_path / "book.md"
    room.session.start_at(path)  # a file that does not exist yet
    _long_draft(room, qtbot, monkeypatch)
    assert room.session.save()
    doc = room.session.authored
    assert doc is not None
    saved_labels = doc.labels()
    snapshots = [
        int(seq)
        for (seq,) in doc.store.db.execute(
            "SELECT seq FROM snapshots WHERE doc_id = ?", [doc.doc_id]
        ).fetchall()
    ]
    assert doc.head_seq in snapshots  # the save kept its state
    room.session.new_document()  # close it, and open it again from the file
    assert room.session.open_path(path)
    qtbot.waitUntil(lambda: not room.session.loading, timeout=60_000)  # put in slice by slice
    reopened = room.session.authored
    assert room.session.trust is not None and room.session.trust.source is Source.LEDGER
    assert reopened is not None and reopened.doc_id == doc.doc_id
    expected_text, expected_runs = full_replay(reopened.ledger)
    assert reopened.text == expected_text == room.editor.toPlainText()
    assert list(reopened.authored_text.iter_runs()) == expected_runs
    assert reopened.labels() == saved_labels
    assert reopened.ledger.verify()


def test_ctrl_s_keeps_the_snapshot_too(writing_room, qtbot, tmp_path: Path, monkeypatch) -> None:
    room = writing_room
    path = tmp_path / "book.md"
    room.session.start_at(path)
    _long_draft(room, qtbot, monkeypatch)
    doc = room.session.authored
    assert doc is not None
    head = doc.head_seq
    with qtbot.waitSignal(room.session.saved, timeout=30_000):
        room.session.save_in_background()
    qtbot.waitUntil(
        lambda: bool(
            doc.store.db.execute(
                "SELECT 1 FROM snapshots WHERE doc_id = ? AND seq = ?", [doc.doc_id, head]
            ).fetchall()
        ),
        timeout=10_000,
    )
    room.session.new_document()
    assert room.session.open_path(path)
    qtbot.waitUntil(lambda: not room.session.loading, timeout=60_000)  # put in slice by slice
    reopened = room.session.authored
    assert reopened is not None
    assert (reopened.text, list(reopened.authored_text.iter_runs())) == full_replay(reopened.ledger)


def test_unsaved_work_after_a_save_still_comes_back(
    writing_room, qtbot, tmp_path: Path, monkeypatch
) -> None:
    room = writing_room
    path = tmp_path / "book.md"
    room.session.start_at(path)
    _long_draft(room, qtbot, monkeypatch)
    assert room.session.save()
    room.editor.moveCursor(room.editor.textCursor().MoveOperation.End)
    room.editor.insertPlainText("Typed after the save \U0001f642.")
    room.session.flush()
    doc = room.session.authored
    assert doc is not None
    info = doc.store.document_info(doc.doc_id)
    known = trust.known_ledger(doc.store, str(path.resolve()))
    assert known is not None and known.saved is not None
    # The saved state (read through the save's snapshot) is a replay to the save.
    text, runs = full_replay(doc.ledger, info.saved_seq)
    assert known.saved.state.text == text == path.read_text(encoding="utf-8")[: len(text)]
    assert list(known.saved.state.iter_runs()) == runs
    assert known.head_text == doc.text
    decision = trust.decide(text, None, known, imported=Author(SourceKind.IMPORT, path.name))
    assert decision.source is Source.RECOVERY and decision.text == doc.text


def test_a_tampered_saved_file_is_not_trusted(
    writing_room, qtbot, tmp_path: Path, monkeypatch
) -> None:
    room = writing_room
    path = tmp_path / "book.md"
    room.session.start_at(path)
    _long_draft(room, qtbot, monkeypatch)
    assert room.session.save()
    room.session.new_document()
    content = path.read_text(encoding="utf-8")
    path.write_text(content.replace("\u201ctyped\u201d", "\u201cforged\u201d", 1), encoding="utf-8")
    assert room.session.open_path(path)
    qtbot.waitUntil(lambda: not room.session.loading, timeout=60_000)  # put in slice by slice
    decision = room.session.trust
    assert decision is not None
    assert decision.source is Source.EXTERNAL  # the ledger's text is not the file's
    assert decision.block is trust.BlockState.NEEDS_REVIEW  # the block's hash fails
    assert "forged" in room.editor.toPlainText()


def test_a_long_text_is_counted_behind_the_window(writing_room, qtbot) -> None:
    from ui.text_stats import count_words

    room = writing_room
    room.editor.insertPlainText((PARAGRAPH + "\n\n# A \u201cheading\u201d\n") * 300)
    text = room.editor.toPlainText()
    assert len(text) >= 100_000
    status = room.window.status
    status.words = -1
    room._count_words_behind()  # what the pause timer calls
    qtbot.waitUntil(lambda: status.words == count_words(text), timeout=20_000)
    assert status.characters == len(text)
    room.editor.insertPlainText(" one more")
    room._count_words_behind()
    qtbot.waitUntil(lambda: status.words == count_words(text) + 2, timeout=20_000)


def test_the_count_waits_while_a_suggestion_is_generated(writing_room, qtbot, monkeypatch):
    """A count's Python on its lane shares the interpreter's lock with the streaming
    ghost text, so it waits for the suggestion to be done, then counts."""
    from app.suggestions import SuggestionController
    from ui.text_stats import count_words

    generating = [True]
    monkeypatch.setattr(SuggestionController, "generating", property(lambda _s: generating[0]))
    room = writing_room
    room.editor.insertPlainText((PARAGRAPH + "\n\n") * 400)
    text = room.editor.toPlainText()
    status = room.window.status
    status.words = -1
    room._count_words_behind()
    qtbot.wait(600)  # the pause timer came round again meanwhile: still waiting
    assert status.words == -1
    generating[0] = False
    qtbot.waitUntil(lambda: status.words == count_words(text), timeout=20_000)


endings = st.sampled_from(["\n", "\r\n", "\r", ""])
lines = st.lists(
    st.tuples(
        st.sampled_from(["", "a", "caf\u00e9", "\u201cq\u201d", "\U0001f642", "x" * 7]), endings
    ),
    max_size=12,
)


@given(lines)
def test_reading_a_file_answers_as_the_full_checks(tmp_path_factory, parts) -> None:
    raw = "".join(text + end for text, end in parts)
    path = tmp_path_factory.mktemp("read") / "f.md"
    path.write_bytes(raw.encode("utf-8"))
    opened = read_document(path)
    found = files._NEWLINE.findall(raw)
    kinds = set(found)
    assert opened.text == raw.replace("\r\n", "\n").replace("\r", "\n")
    assert opened.format.newline == (max(kinds, key=found.count) if kinds else "\n")
    assert opened.format.endings == (tuple(found) if len(kinds) > 1 else ())


@given(st.text(alphabet="ab\n\u201c", max_size=60), st.integers(0, 14))
def test_a_long_line_is_never_missed(text: str, limit: int) -> None:
    if max(map(len, text.split("\n"))) > limit:
        assert files._may_have_long_line(text, limit)


def _utf16_naive(text: str) -> list[int] | None:
    if all(ord(ch) < 0x10000 for ch in text):
        return None
    offsets, total = [0], 0
    for ch in text:
        total += 2 if ord(ch) >= 0x10000 else 1
        offsets.append(total)
    return offsets


@given(
    st.text(max_size=40)
    | st.lists(st.sampled_from(["a", "\u00e9", "\U0001f642", "\ud800"])).map("".join)
)
def test_utf16_offsets_from_ranges_equal_the_naive_ones(text: str) -> None:
    assert utf16_offsets(text) == _utf16_naive(text)


FORMATS = st.sampled_from(
    [
        files.UTF8,
        files.FileFormat(newline="\r\n"),
        files.FileFormat(bom=True),
        files.FileFormat(encoding="utf-16-le", bom=True, newline="\r\n"),
        files.FileFormat(encoding="cp1252", converted_from="cp1252"),
        files.FileFormat(newline="\r\n", endings=("\r\n", "\n", "\r")),
        files.FileFormat(encoding="utf-16"),
    ]
)


@given(
    text=st.lists(st.sampled_from(["a", " ", "\n", "\u201cq\u201d", "caf\u00e9", "\r"])).map(
        "".join
    ),
    fmt=FORMATS,
    size=st.integers(1, 12),
    then=st.sampled_from(["", "\n---\nAnn: 0,3  \n...\n"]),
)
def test_a_text_encoded_in_pieces_is_the_text_encoded_whole(
    text: str, fmt, size: int, then: str
) -> None:
    """A save encodes a long text a piece of lines at a time and its block after it
    (`encode_text_pieces`): the same bytes as `encode_text` of the two joined, BOM,
    newlines and encoding kept."""
    text = text.replace("\r", "")
    pieces = files.encode_text_pieces(text, fmt, size, then=then)
    assert b"".join(pieces) == files.encode_text(text + then, fmt)
