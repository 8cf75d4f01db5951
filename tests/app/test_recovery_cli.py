"""`draftsmith recover`: list, write out and discard unsaved journaled work, no window."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from app import paths
from app.cli import main
from memory import recovery
from memory.document import AuthoredDocument, text_sha256
from memory.events import Author, How, SourceKind
from memory.provenance.annotations import parse_annotated_markdown
from memory.store import Store

ROOT = Path(__file__).resolve().parents[2]
ANA = Author(SourceKind.PERSON, "Ana")
MODEL = Author(SourceKind.MODEL, "TestModel", "cd" * 32)
FIRST = "“Chapter one” 🙂"


@pytest.fixture()
def journal(tmp_path: Path) -> dict[str, str]:
    """What two crashed windows left: an untitled draft, and a saved file typed on."""
    store = Store(paths.database_path())
    untitled = AuthoredDocument.draft(store, None, "Untitled")
    untitled.record(0, 0, FIRST + "\nAna's words. ", ANA, How.TYPED)
    untitled.record(len(untitled), 0, "Model words.", MODEL, How.SUGGESTION)
    untitled.flush()
    path = tmp_path / "notes.md"
    path.write_text("Saved.", encoding="utf-8")
    titled = AuthoredDocument.draft(store, str(path.resolve()), "notes.md")
    titled.record(0, 0, "Saved.", ANA, How.TYPED)
    titled.mark_saved(text_sha256("Saved."))
    titled.record(6, 0, " Unsaved ✓.", ANA, How.TYPED)
    titled.flush()
    store.close()
    return {"untitled": untitled.doc_id, "titled": titled.doc_id, "path": str(path.resolve())}


def run_json(capsys, *argv: str) -> tuple[int, object]:
    status = main(["recover", *argv, "--json"])
    return status, json.loads(capsys.readouterr().out)


def test_list_json(journal, capsys) -> None:
    status, listed = run_json(capsys, "--list")
    assert status == 0
    by_id = {item["id"]: item for item in listed}
    assert set(by_id) == {journal["untitled"], journal["titled"]}
    untitled = by_id[journal["untitled"]]
    assert untitled["path"] is None and untitled["title"] == "Untitled"
    assert untitled["first_line"] == FIRST
    assert untitled["unsaved_characters"] == len(FIRST + "\nAna's words. Model words.")
    assert datetime.fromisoformat(untitled["saved_at"]).tzinfo is not None
    titled = by_id[journal["titled"]]
    assert titled["path"] == journal["path"] and titled["title"] == "notes.md"
    assert titled["unsaved_characters"] == len(" Unsaved ✓.")
    assert titled["file_changed"] is False
    assert set(untitled) >= {"id", "title", "path", "first_line", "saved_at", "unsaved_characters"}


def test_list_in_words(journal, capsys) -> None:
    assert main(["recover", "--list"]) == 0
    out = capsys.readouterr().out
    assert journal["untitled"] in out and "(untitled)" in out and FIRST in out


def test_out_writes_the_text_with_its_authorship_block(journal, capsys, tmp_path) -> None:
    out = tmp_path / "recovered.md"
    status, result = run_json(capsys, journal["untitled"][:8], "--out", str(out))
    assert status == 0 and result == {"ok": True, "id": journal["untitled"], "written": str(out)}
    parsed = parse_annotated_markdown(out.read_text(encoding="utf-8"))
    assert parsed.text.rstrip("\n") == FIRST + "\nAna's words. Model words."
    assert parsed.has_block and parsed.hash_ok and not parsed.problems
    names = {author.as_author().name for author in parsed.authors}
    assert {"Ana", "TestModel"} <= names
    status, listed = run_json(capsys, "--list")
    assert journal["untitled"] in {item["id"] for item in listed}, "writing out keeps it"


def test_discard(journal, capsys) -> None:
    status, result = run_json(capsys, journal["titled"], "--discard")
    assert status == 0 and result["discarded"] is True
    status, listed = run_json(capsys, "--list")
    assert [item["id"] for item in listed] == [journal["untitled"]]
    store = Store(paths.database_path())
    try:
        document = AuthoredDocument.open(store, journal["titled"])
        assert document.text == "Saved.", "back to the saved text, history kept"
        assert document.ledger.verify()
    finally:
        store.close()
    status, _ = run_json(capsys, journal["untitled"], "--discard")
    assert status == 0
    status, listed = run_json(capsys, "--list")
    assert listed == []


def test_a_document_open_in_a_window_is_left_alone(journal, capsys) -> None:
    store = Store(paths.database_path())
    lock = recovery.DocumentLock(recovery.locks_dir(store), journal["untitled"])
    assert lock.acquire()
    try:
        _status, listed = run_json(capsys, "--list")
        assert [item["id"] for item in listed] == [journal["titled"]]
        status, result = run_json(capsys, journal["untitled"], "--discard")
        assert status == 1 and "open in a running Draftsmith" in result["problem"]
    finally:
        lock.release()
        store.close()


def test_bad_ids_and_arguments(journal, capsys) -> None:
    status, result = run_json(capsys, "nonesuch", "--discard")
    assert status == 1 and result["ok"] is False
    assert main(["recover"]) == 2
    assert main(["recover", journal["titled"]]) == 2
    assert main(["recover", "--list", "--discard"]) == 2


def test_through_the_real_command(journal, tmp_path) -> None:
    out = tmp_path / "out.md"
    listed = subprocess.run(
        [sys.executable, "-m", "app", "recover", "--list", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    assert {item["id"] for item in json.loads(listed.stdout)} == {
        journal["untitled"],
        journal["titled"],
    }
    subprocess.run(
        [sys.executable, "-m", "app", "recover", journal["titled"], "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert parse_annotated_markdown(out.read_text(encoding="utf-8")).text.startswith(
        "Saved. Unsaved ✓."
    )
