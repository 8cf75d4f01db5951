"""The one trust rule, from a plain script: which source speaks for a file, and why."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_samples import ANA, SMOL, build_record

from memory.document import AuthoredDocument
from memory.events import Author, How, SourceKind
from memory.provenance.annotations import parse_annotated_markdown, write_annotated_markdown
from memory.provenance.trust import (
    BlockChoice,
    BlockState,
    Source,
    decide,
    file_authorship,
    known_ledger,
    open_document,
    split_block,
)
from memory.store import Store

FILE = Author(SourceKind.IMPORT, "essay.md")
TEXT = "Ana wrote this. The model wrote this."


@pytest.fixture
def store(tmp_path: Path):
    opened = Store(tmp_path / "draftsmith.db")
    yield opened
    opened.close()


def block(content_change: tuple[str, str] | None = None, extra: str = "") -> str:
    record = build_record(
        [("Ana wrote this. ", ANA, How.TYPED), ("The model wrote this.", SMOL, How.SUGGESTION)]
    )
    content = write_annotated_markdown(record)
    if content_change:
        content = content.replace(*content_change, 1)
    return content.replace("&SmolLM2", extra + "&SmolLM2") if extra else content


def owners(decision) -> str:
    letters = {SourceKind.PERSON: "h", SourceKind.MODEL: "m", SourceKind.IMPORT: "i"}
    return "".join(letters[author.kind] * length for _s, length, author in decision.runs)


def test_no_block_is_imported_text() -> None:
    decision = decide("Plain.", None, None, imported=FILE)
    assert (decision.source, decision.block, decision.needs_decision) == (
        Source.IMPORTED,
        BlockState.NONE,
        False,
    )
    assert owners(decision) == "i" * 6 and not decision.problems


def test_a_valid_block_restores_its_authors() -> None:
    parsed = parse_annotated_markdown(block())
    decision = decide(parsed.text, parsed, None, imported=FILE)
    assert decision.source is Source.ANNOTATIONS and decision.block is BlockState.VALID
    assert owners(decision) == "h" * 16 + "m" * 21


@pytest.mark.parametrize(
    "content",
    [block(("Ana", "Bob")), block(extra="@Ben: 30,90  \n")],
    ids=["tampered text", "range beyond the text"],
)
def test_a_block_needing_review_waits_for_the_writer(content: str) -> None:
    parsed = parse_annotated_markdown(content)
    asked = decide(parsed.text, parsed, None, imported=FILE)
    assert asked.needs_decision and asked.block is BlockState.NEEDS_REVIEW
    assert asked.source is Source.IMPORTED and owners(asked) == "i" * len(TEXT)
    assert asked.problems == tuple(parsed.problems) and asked.problems
    kept = decide(parsed.text, parsed, None, imported=FILE, choice=BlockChoice.KEEP)
    assert kept.source is Source.ANNOTATIONS and not kept.needs_decision
    assert owners(kept) == "h" * 16 + "m" * 21 and kept.notes
    ignored = decide(parsed.text, parsed, None, imported=FILE, choice=BlockChoice.IGNORE)
    assert ignored.source is Source.IMPORTED and not ignored.needs_decision
    assert owners(ignored) == "i" * len(TEXT)


def test_keep_treats_what_no_valid_range_claims_as_imported() -> None:
    content = block().replace("@Ana Lima: 0,16", "@Ana Lima: 0,16 30,90")
    parsed = parse_annotated_markdown(content.replace("&SmolLM2", "&Other: 40,2  \n&SmolLM2"))
    kept = decide(parsed.text, parsed, None, imported=FILE, choice=BlockChoice.KEEP)
    assert owners(kept) == "h" * 16 + "m" * 21
    assert "2 ranges outside the text were left out" in kept.notes[0]


def test_a_ledger_matching_the_text_wins_over_any_block(store, tmp_path: Path) -> None:
    path = tmp_path / "essay.md"
    path.write_text(block(("Ana", "Bob")), encoding="utf-8")
    text, parsed = split_block(path, path.read_text(encoding="utf-8"))
    AuthoredDocument.create(store, str(path.resolve()), "essay.md", text, ANA).flush()
    decision = decide(text, parsed, known_ledger(store, str(path.resolve())), imported=FILE)
    assert decision.source is Source.LEDGER and not decision.needs_decision
    assert decision.problems and "not used" in decision.notes[0]


def test_a_valid_block_wins_over_a_stale_ledger(store, tmp_path: Path) -> None:
    path = tmp_path / "essay.md"
    path.write_text(block(), encoding="utf-8")
    text, parsed = split_block(path, path.read_text(encoding="utf-8"))
    key = str(path.resolve())
    old = AuthoredDocument.create(store, key, "essay.md", "An older text.", ANA)
    known = known_ledger(store, key)
    decision = decide(text, parsed, known, imported=FILE)
    assert decision.source is Source.ANNOTATIONS
    document = open_document(decision, store, key, "essay.md", known)
    assert document.doc_id != old.doc_id and store.document_for_path(key) == document.doc_id
    assert document.text == text


def test_unsaved_work_and_outside_changes(store, tmp_path: Path) -> None:
    journal, outside = tmp_path / "journal.txt", tmp_path / "outside.txt"
    journal.write_text("Saved.", encoding="utf-8")
    outside.write_text("Mine. Theirs.", encoding="utf-8")
    doc = AuthoredDocument.create(store, str(journal.resolve()), "journal.txt", "Saved.", FILE)
    doc.record(6, 0, " Unsaved.", ANA, How.TYPED)
    doc.flush()
    AuthoredDocument.create(store, str(outside.resolve()), "outside.txt", "Mine. ", ANA).flush()
    recovered = file_authorship(journal, "Saved.", store, app_version="t")
    assert recovered.decision.source is Source.RECOVERY
    assert recovered.decision.text == "Saved. Unsaved."
    assert recovered.record is not None and recovered.record.text == "Saved."  # as on disk
    changed = file_authorship(outside, "Mine. Theirs.", store, app_version="t")
    assert changed.decision.source is Source.EXTERNAL and changed.record is not None
    kinds = [(run.origin, run.length) for run in changed.record.runs()]
    assert kinds == [("human", 6), ("external", 7)]
    # Reading is all a tool does: the ledger still has no external edit in it.
    reopened = known_ledger(store, str(outside.resolve()))
    assert reopened is not None and reopened.head_text == "Mine. "
