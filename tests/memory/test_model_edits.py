"""Authorship truth for deletions and replacements inside and beside model text.

Deleting some of the model's words is editing them, as inserting is: the model text
left around the cut becomes "model, edited by the writer", in the window, after a
restart and in every export. A find/replace of the writer's own word beside model
text leaves the model's words alone.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from memory.document import AuthoredDocument
from memory.events import Author, How, SourceKind
from memory.provenance.build import record_for
from memory.store import Store

ANN = Author(SourceKind.PERSON, "Ann")
MODEL = Author(SourceKind.MODEL, "smol", "cd" * 32)


def labels(doc: AuthoredDocument) -> list[tuple[str, str]]:
    """(text, label) per labelled run."""
    return [(doc.text[s : s + n], label) for s, n, label in doc.labels()]


def model_sentence(store: Store) -> AuthoredDocument:
    doc = AuthoredDocument.create(store, None, "t")
    doc.record(0, 0, "Mara", ANN, How.TYPED)
    doc.record(4, 0, " knew the \u201cold\u201d way north.", MODEL, How.SUGGESTION)
    return doc


def test_deleting_a_word_inside_model_text_marks_it_edited(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    doc = model_sentence(store)
    at = doc.text.index(" \u201cold\u201d")
    doc.record(at, len(" \u201cold\u201d"), "", ANN, How.TYPED)
    assert labels(doc) == [("Mara", "human"), (" knew the way north.", "model_edited")]
    store.close()


def test_trimming_the_end_of_a_suggestion_marks_it_edited(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    doc = model_sentence(store)
    doc.record(len(doc) - 1, 1, "", ANN, How.TYPED)  # backspace the full stop
    assert labels(doc)[-1] == (" knew the \u201cold\u201d way north", "model_edited")
    store.close()


def test_deleting_a_whole_suggestion_leaves_no_edited_text(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    doc = model_sentence(store)
    doc.record(4, len(doc) - 4, "", ANN, How.TYPED)
    assert labels(doc) == [("Mara", "human")]
    assert doc.edited_models == frozenset()
    store.close()


def test_replace_all_beside_model_text_leaves_it_the_models(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    doc = model_sentence(store)
    doc.record(0, 4, "Maren", ANN, How.REPLACE)
    assert labels(doc) == [("Maren", "human"), (" knew the \u201cold\u201d way north.", "model")]
    store.close()


def test_replace_inside_model_text_marks_it_edited(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    doc = AuthoredDocument.create(store, None, "t")
    doc.record(0, 0, "Mara knew the way.", MODEL, How.SUGGESTION)
    doc.record(0, 4, "Maren", ANN, How.REPLACE)
    assert labels(doc) == [("Maren", "human"), (" knew the way.", "model_edited")]
    store.close()


def test_typing_beside_model_text_still_marks_it_edited(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    doc = model_sentence(store)
    doc.record(len(doc) - 1, 0, " again", ANN, How.TYPED)
    assert ("model_edited" in {label for _, label in labels(doc)}) is True
    store.close()


def test_deleting_the_writers_own_text_beside_model_text_changes_nothing(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "lib.db")
    doc = model_sentence(store)
    doc.record(0, 2, "", ANN, How.TYPED)
    assert labels(doc) == [("ra", "human"), (" knew the \u201cold\u201d way north.", "model")]
    store.close()


def test_an_undo_that_puts_the_words_back_unmarks_the_model_text(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    doc = model_sentence(store)
    at = doc.text.index(" way")
    doc.record(at, 4, "", ANN, How.TYPED)
    assert labels(doc)[-1][1] == "model_edited"
    doc.record(at, 0, " way", ANN, How.UNDO)
    assert labels(doc)[-1] == (" knew the \u201cold\u201d way north.", "model")
    doc.flush()
    again = AuthoredDocument.open(store, doc.doc_id)
    assert labels(again)[-1][1] == "model"
    store.close()


def test_the_edit_survives_a_restart_and_reaches_the_export(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.db")
    doc = model_sentence(store)
    at = doc.text.index(" north")
    doc.record(at, len(" north"), "", ANN, How.TYPED)
    before = labels(doc)
    doc.close()
    store.close()

    store = Store(tmp_path / "lib.db")
    again = AuthoredDocument.open(store, doc.doc_id)
    assert labels(again) == before
    record = record_for(again, "t", "test")
    assert [(r.start, r.end, r.origin) for r in record.runs()] == [
        (s, s + n, label) for s, n, label in again.labels()
    ]
    # The history as of before the deletion is the model's own text.
    state_before = again.ledger.edited_models(upto_seq=2)
    assert state_before == {}
    store.close()


@settings(max_examples=60, deadline=None)
@given(
    cuts=st.lists(st.tuples(st.integers(0, 60), st.integers(1, 6)), min_size=1, max_size=6),
)
def test_edited_labels_are_the_same_after_reopening(
    tmp_path_factory: object, cuts: list[tuple[int, int]]
) -> None:
    """Whatever the writer deletes, reopening the ledger gives the same labels."""
    folder = tmp_path_factory.mktemp("cuts")  # type: ignore[attr-defined]
    store = Store(folder / "lib.db")
    doc = model_sentence(store)
    doc.record(len(doc), 0, " \U0001f600 Then she wrote more.", ANN, How.TYPED)
    for at, n in cuts:
        if len(doc) <= 1:
            break
        start = at % len(doc)
        doc.record(start, min(n, len(doc) - start), "", ANN, How.TYPED)
    before = labels(doc)
    doc.close()
    again = AuthoredDocument.open(store, doc.doc_id)
    assert labels(again) == before
    store.close()
