"""Export signs only what the ledger's hash chain proves; `doctor` checks the library
(SQLite's integrity check and every hash chain) and never passes a damaged one."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from app import paths
from app.cli import main
from app.doctor import check_library, run_doctor
from memory.document import AuthoredDocument, text_sha256
from memory.events import Author, How, SourceKind
from memory.provenance.chain import BrokenHistory, signed_record_for
from memory.store import Store

ANA = Author(SourceKind.PERSON, "Ana Lima")
SMOL = Author(SourceKind.MODEL, "SmolLM2", "ab" * 32)
TEXT = "Ana’s “opening” line 😀. The model’s continuation."


def write_document(path: Path) -> str:
    """A file Draftsmith edited and saved: its ledger in the library, its text on disk."""
    path.write_text(TEXT, encoding="utf-8")
    store = Store(paths.database_path())
    try:
        document = AuthoredDocument.create(store, None, path.stem)
        document.record(0, 0, TEXT[:27], ANA, How.TYPED)
        document.record(27, 0, TEXT[27:], SMOL, How.SUGGESTION)
        store.set_document_path(document.doc_id, str(path.resolve()))
        document.flush()
        document.mark_saved(text_sha256(TEXT))
        return document.doc_id
    finally:
        store.close()


def forge_author(doc_id: str, seq: int = 2) -> None:
    """What a forger does with `sqlite3`: the model's text becomes Ana's."""
    with sqlite3.connect(paths.database_path()) as db:
        db.execute(
            "UPDATE events SET author_key = ? WHERE doc_id = ? AND seq = ?", [ANA.key, doc_id, seq]
        )


def test_an_honest_ledger_is_signed(tmp_path, capsys):
    source = tmp_path / "essay.md"
    write_document(source)
    out = tmp_path / "essay.html"
    assert main(["export", str(source), "--to", "html", "--out", str(out)]) == 0
    assert main(["verify", str(out)]) == 0
    assert "SmolLM2" in out.read_text(encoding="utf-8")
    assert not check_library(paths.database_path()).problems


def test_a_forged_author_is_refused_saying_where_the_chain_breaks(tmp_path, capsys):
    source = tmp_path / "essay.md"
    doc_id = write_document(source)
    forge_author(doc_id)
    out = tmp_path / "essay.html"
    for fmt in ("html", "markdown", "report-html", "prov"):
        assert main(["export", str(source), "--to", fmt, "--out", str(out)]) == 1
        error = capsys.readouterr().err
        assert "will not sign" in error and "(entry 2)" in error, error
        assert "Traceback" not in error
    assert not out.exists()


def test_a_renamed_author_row_breaks_the_chain_too(tmp_path):
    source = tmp_path / "essay.md"
    doc_id = write_document(source)
    with sqlite3.connect(paths.database_path()) as db:
        db.execute("UPDATE authors SET name = 'Mallory' WHERE key = ?", [ANA.key])
    store = Store(paths.database_path())
    try:
        with pytest.raises(BrokenHistory, match="entry 1"):
            signed_record_for(AuthoredDocument.open(store, doc_id), "essay", "test")
    finally:
        store.close()


def test_doctor_reports_a_broken_chain(tmp_path):
    doc_id = write_document(tmp_path / "essay.md")
    forge_author(doc_id)
    found = check_library(paths.database_path())
    assert "1 broken edit history" in found.summary
    assert any("essay.md" in p and "entry 2" in p for p in found.problems)


@pytest.mark.parametrize("damage", ["garbage", "pages", "truncated"])
def test_doctor_reports_a_damaged_library(tmp_path, damage):
    write_document(tmp_path / "essay.md")
    database = paths.database_path()
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(database.read_bytes())
    if damage == "garbage":
        data = bytearray("not a database, just “words” 😀".encode().ljust(len(data), b"\x00"))
    elif damage == "truncated":
        data = data[: len(data) // 2 + 100]
    else:
        page = 4096
        for offset in range(page, len(data), page):
            data[offset + 8 : offset + 200] = b"\xa5" * 192
    database.write_bytes(bytes(data))
    found = check_library(database)
    assert found.problems, found
    assert "damaged" in found.summary or "cannot" in found.summary


def test_doctor_with_no_library_yet_is_fine(tmp_path):
    found = check_library(tmp_path / "nothing.db")
    assert not found.problems and "not created yet" in found.summary


@pytest.mark.model
@pytest.mark.embedder
def test_doctor_never_says_all_checks_passed_on_a_damaged_library(tmp_path):
    write_document(tmp_path / "essay.md")
    paths.database_path().write_bytes(b"garbage " * 4096)
    out = io.StringIO()
    assert run_doctor(None, paths.data_dir(), out) == 1
    report = out.getvalue()
    assert "All checks passed" not in report and "Draftsmith is not ready" in report
    assert "damaged" in report


def test_export_on_a_damaged_library_is_a_plain_message(tmp_path, capsys):
    source = tmp_path / "notes.md"
    source.write_text("Plain “notes” 😀\n", encoding="utf-8")
    paths.database_path().parent.mkdir(parents=True, exist_ok=True)
    paths.database_path().write_bytes(b"garbage " * 4096)
    out = tmp_path / "notes.html"
    status = main(["export", str(source), "--to", "html", "--out", str(out)])
    error = capsys.readouterr().err
    assert "Traceback" not in error and "StoreError" not in error
    assert status == 0 and out.exists()
    assert "uses only what notes.md itself says" in error


def test_the_window_refuses_to_sign_a_forged_history(writing_room, qtbot, tmp_path):
    from tests.conftest import type_text

    room = writing_room
    type_text(room.editor, "Ana’s “draft” 😀.")
    room.window.ask_save_path = lambda _suggested: str(tmp_path / "draft.md")
    assert room.session.save()
    room.session.flush()
    doc_id = room.session.authored.doc_id
    with sqlite3.connect(paths.database_path()) as db:
        db.execute(
            "INSERT OR IGNORE INTO authors (key, kind, name, model_sha256) VALUES (?, ?, ?, '')",
            ["person:Mallory", "person", "Mallory"],
        )
        db.execute(
            "UPDATE events SET author_key = 'person:Mallory' WHERE doc_id = ? AND seq = 1",
            [doc_id],
        )
    out = tmp_path / "draft.html"
    assert room.export_document("html", ".html", out) is None
    qtbot.waitUntil(lambda: "will not sign" in room.window.messages.text, timeout=5_000)
    assert "entry 1" in room.window.messages.text and not out.exists()
