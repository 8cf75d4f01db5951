"""The journal's recovery rules on a real SQLite file, with random edits (hypothesis)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memory import diff, recovery
from memory.document import AuthoredDocument, text_sha256
from memory.events import Author, How, SourceKind
from memory.store import Store

ANA = Author(SourceKind.PERSON, "Ana")
MODEL = Author(SourceKind.MODEL, "TestModel", "cd" * 32)
ALPHABET = st.sampled_from(list("ab \n.“”’🙂é—"))
EDIT = st.tuples(st.floats(0, 1), st.integers(0, 4), st.text(ALPHABET, max_size=6), st.booleans())


def apply(document: AuthoredDocument, edits: list[tuple[float, int, str, bool]]) -> int:
    """Make `edits`; returns the characters they removed and inserted."""
    changed = 0
    for where, removed, inserted, by_model in edits:
        start = int(where * len(document))
        removed = min(removed, len(document) - start)
        how = How.SUGGESTION if by_model else How.TYPED
        if document.record(start, removed, inserted, MODEL if by_model else ANA, how):
            changed += removed + len(inserted)
    return changed


def authors(document: AuthoredDocument) -> list[tuple[int, str]]:
    return [(n, document.events[e].author.key) for n, e in document.segments(0, len(document))]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(before=st.lists(EDIT, max_size=12), after=st.lists(EDIT, min_size=1, max_size=12))
def test_unsaved_work_is_listed_and_discarding_restores_the_save(
    tmp_path: Path, before: list, after: list
) -> None:
    db = tmp_path / f"j{abs(hash((tuple(before), tuple(after))))}.db"
    store = Store(db)
    try:
        path = str(tmp_path / "file.md")
        document = AuthoredDocument.draft(store, path, "file.md")
        apply(document, before)
        saved_text, saved_authors = document.text, authors(document)
        document.mark_saved(text_sha256(saved_text))
        saved_seq, saved_row = document.head_seq, document.ledger.has_row
        made = apply(document, after)
        document.flush()
        head = document.text
        listed = {item.id: item for item in recovery.recoverable_documents(store)}
        if document.head_seq == saved_seq:
            assert listed == {}, "nothing typed since the save"
            return
        item = listed[document.doc_id]
        assert item.text == head
        if not saved_row:  # nothing was typed before the save: never really saved
            recovery.discard(document, ANA)
            assert store.documents() == []
            return
        _p, removed, inserted = diff.trim_common(saved_text, head)
        # the stretch that differs, or the edits as made where they were fewer
        assert item.unsaved_characters == min(removed + inserted, made)
        recovery.discard(document, ANA)
        assert document.text == saved_text
        assert authors(document) == saved_authors, "the saved text keeps its authors"
        assert recovery.recoverable_documents(store) == []
        reopened = AuthoredDocument.open(store, document.doc_id)
        assert reopened.text == saved_text and reopened.ledger.verify()
    finally:
        store.close()
        db.unlink(missing_ok=True)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=st.lists(EDIT, max_size=10))
def test_a_draft_has_a_row_only_once_it_has_an_edit(tmp_path: Path, edits: list) -> None:
    db = tmp_path / f"d{abs(hash(tuple(edits)))}.db"
    store = Store(db)
    try:
        document = AuthoredDocument.draft(store, None, "Untitled")
        apply(document, edits)
        document.flush()
        ids = [info.id for info in store.documents()]
        assert ids == ([document.doc_id] if document.head_seq else [])
        if document.head_seq:
            assert recovery.recoverable_documents(store)[0].first_line == recovery.first_line(
                document.text
            )
            recovery.discard(document, ANA)  # never saved: gone entirely
            assert store.documents() == []
    finally:
        store.close()
        db.unlink(missing_ok=True)


def test_two_small_edits_far_apart_count_as_what_was_typed(tmp_path: Path) -> None:
    store = Store(tmp_path / "j.db")
    try:
        document = AuthoredDocument.draft(store, str(tmp_path / "book.md"), "book.md")
        document.record(0, 0, "The keeper’s lamp. " * 2_000, ANA, How.TYPED)
        document.mark_saved(text_sha256(document.text))
        document.record(3, 0, "x", ANA, How.TYPED)  # one key near the top...
        document.record(len(document) - 2, 1, "yz", ANA, How.TYPED)  # ...one near the end
        document.flush()
        (item,) = recovery.recoverable_documents(store)
        assert item.unsaved_characters == 1 + 1 + 2  # not the 38,000 between them
    finally:
        store.close()
