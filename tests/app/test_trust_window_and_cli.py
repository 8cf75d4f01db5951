"""The window and the command line decide a file's authorship by the same rule.

The same files (no block, a valid block, tampered text, a range beyond the text, a
ledger with unsaved work newer than the file, a file changed outside Draftsmith, a
ledger that matches) are opened in the window and exported with `draftsmith export`,
each from its own copy of one data folder, and must come out the same: the same source,
the same problems, the same need for the writer's decision, and the same author for
every character.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from app.cli import NEEDS_DECISION, main
from memory.document import AuthoredDocument
from memory.events import Author, How, SourceKind
from memory.provenance.annotations import parse_annotated_markdown, write_annotated_markdown
from memory.provenance.record import ProvenanceRecord
from memory.provenance.trust import Source
from memory.store import Store
from tests.app.test_authorship_editor import kinds
from tests.export.export_samples import ANA, SMOL, build_record

WRITER = Author(SourceKind.PERSON, "Ana Lima")
LETTERS = {"person": "h", "model": "m", "clipboard": "c", "import": "i", "external": "x"}


def _essay() -> ProvenanceRecord:
    return build_record(
        [("Ana wrote this. ", ANA, How.TYPED), ("The model wrote this.", SMOL, How.SUGGESTION)]
    )


def _files(folder: Path, store: Store) -> dict[str, Path]:
    """One file per case, and the ledger entries the cases need."""
    essay = _essay()
    block = write_annotated_markdown(essay)
    files = {
        "no block": ("plain.md", "Just text, written somewhere else.\n"),
        "valid block": ("valid.md", block),
        "tampered text": ("tampered.md", block.replace("Ana", "Bob", 1)),
        "range beyond the text": (
            "beyond.md",
            block.replace("&SmolLM2-135M-Instruct", "@Ben: 30,90  \n&SmolLM2-135M-Instruct"),
        ),
        "ledger newer than file": ("journal.md", "Saved part."),
        "changed outside": ("outside.md", "Mine. Someone else's."),
        "ledger matches": ("ledger.md", "Recorded text."),
    }
    paths = {}
    for case, (name, content) in files.items():
        path = folder / name
        path.write_text(content, encoding="utf-8")
        paths[case] = path
    journal = AuthoredDocument.create(
        store,
        str(paths["ledger newer than file"].resolve()),
        "journal.md",
        "Saved part.",
        Author(SourceKind.IMPORT, "journal.md"),
    )
    journal.record(11, 0, " Unsaved part.", WRITER, How.TYPED)
    journal.flush()
    outside = AuthoredDocument.create(
        store, str(paths["changed outside"].resolve()), "outside.md", "Mine. ", WRITER, How.TYPED
    )
    outside.flush()
    AuthoredDocument.create(
        store, str(paths["ledger matches"].resolve()), "ledger.md", "Recorded text.", WRITER
    ).flush()
    return paths


def _cli(home: Path, monkeypatch, capsys, path: Path, out: Path, *extra: str) -> tuple[int, dict]:
    """`draftsmith export PATH --to markdown --out OUT --json ...` with the CLI's own data
    folder: its exit status and its JSON."""
    monkeypatch.setenv("DRAFTSMITH_HOME", str(home))
    capsys.readouterr()
    status = main(["export", str(path), "--to", "markdown", "--out", str(out), *extra, "--json"])
    printed = capsys.readouterr().out
    return status, json.loads(printed.strip().splitlines()[-1])


def _letters(exported_markdown: Path) -> str:
    """One letter per character of an exported file, from its authorship block."""
    parsed = parse_annotated_markdown(exported_markdown.read_text(encoding="utf-8"))
    assert parsed.hash_ok and not parsed.problems
    letters = ["?"] * len(parsed.text)
    ranges = parsed.code_point_ranges()
    for author in parsed.authors:
        for start, length in ranges[author.as_author().key]:
            letters[start : start + length] = LETTERS[author.kind.value] * length
    return "".join(letters)


@pytest.fixture
def cases(writing_room, tmp_path: Path) -> tuple[dict[str, Path], Path]:
    """The files, with the window's data folder prepared and copied for the CLI."""
    writing_room.window.set_close_guard(lambda: True)  # recovered text is left unsaved
    folder = tmp_path / "files"
    folder.mkdir()
    store = writing_room.session.store
    paths = _files(folder, store)
    cli_home = tmp_path / "cli-home"
    cli_home.mkdir()
    copy = sqlite3.connect(cli_home / "draftsmith.db")
    store.db.conn.backup(copy)
    copy.close()
    return paths, cli_home


EXPECTED = {
    "no block": (Source.IMPORTED, False),
    "valid block": (Source.ANNOTATIONS, False),
    "tampered text": (Source.IMPORTED, True),
    "range beyond the text": (Source.IMPORTED, True),
    "ledger newer than file": (Source.RECOVERY, False),
    "changed outside": (Source.EXTERNAL, False),
    "ledger matches": (Source.LEDGER, False),
}


def test_window_and_cli_decide_the_same(writing_room, cases, tmp_path, monkeypatch, capsys):
    paths, cli_home = cases
    # Recovered text is unsaved: opening the next file discards it rather than asking.
    monkeypatch.setattr(
        writing_room.window, "ask_save_changes", lambda _name: QMessageBox.StandardButton.Discard
    )
    for case, path in paths.items():
        assert writing_room.session.open_path(path), case
        window = writing_room.session.trust
        assert window is not None
        status, cli = _cli(cli_home, monkeypatch, capsys, path, tmp_path / "out" / path.name)
        source, needs_decision = EXPECTED[case]
        assert (window.source, window.needs_decision) == (source, needs_decision), case
        assert cli["authorship"] == window.to_json(), case
        if needs_decision:
            assert status == NEEDS_DECISION and cli["written"] == [], case
            assert cli["problems"] and cli["problems"] == list(window.problems)
            bar = writing_room.window.messages.find_text(f"“{path.name}” has an authorship")
            assert bar is not None and bar.is_decision
            continue
        assert status == 0, case
        if source is Source.RECOVERY:
            # The window brings back the journaled work; the export is of the file as saved.
            assert writing_room.editor.toPlainText() == "Saved part. Unsaved part."
            assert _letters(tmp_path / "out" / path.name) == "i" * len("Saved part.")
            assert kinds(writing_room) == "i" * 11 + "h" * 14
            continue
        assert _letters(tmp_path / "out" / path.name) == kinds(writing_room), case

    letters = {
        "no block": "i" * len("Just text, written somewhere else.\n"),
        "valid block": "h" * 16 + "m" * 21,
        "changed outside": "h" * 6 + "x" * len("Someone else's."),
        "ledger matches": "h" * len("Recorded text."),
    }
    for case, expected in letters.items():
        assert _letters(tmp_path / "out" / paths[case].name) == expected, case


@pytest.mark.parametrize("case", ["tampered text", "range beyond the text"])
@pytest.mark.parametrize(
    ("button", "choice"),
    [("Keep as Imported", "ignore"), ("Apply Its Authorship Anyway", "keep")],
)
def test_the_writers_choice_is_the_same_in_both(
    writing_room, cases, tmp_path, monkeypatch, capsys, case, button, choice
):
    paths, cli_home = cases
    path = paths[case]
    assert writing_room.session.open_path(path)
    bar = writing_room.window.messages.find_text(f"“{path.name}” has an authorship block")
    assert bar is not None
    next(b for b in bar.buttons if b.text() == button).click()
    window = writing_room.session.trust
    assert window is not None and not window.needs_decision
    out = tmp_path / "out" / path.name
    status, cli = _cli(cli_home, monkeypatch, capsys, path, out, "--authorship", choice)
    assert status == 0
    assert cli["authorship"] == window.to_json()
    assert _letters(out) == kinds(writing_room)
    if choice == "ignore":
        assert set(_letters(out)) == {"i"}
        assert window.source is Source.IMPORTED
    else:  # the ranges as the block says; Ben's range beyond the text is left out
        assert _letters(out) == "h" * 16 + "m" * 21
        assert window.source is Source.ANNOTATIONS
        if case == "range beyond the text":
            assert any("left out" in note for note in cli["authorship"]["notes"])
