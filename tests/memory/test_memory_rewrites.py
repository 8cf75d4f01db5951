"""Accepted-then-rewritten: how much of a kept suggestion's model text the writer changed
later, measured from the authorship ledger of a real document and store."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from memory.document import AuthoredDocument
from memory.events import Author, How, SourceKind
from memory.feedback import (
    ACCEPTED,
    REWRITTEN,
    Feedback,
    measure_rewrites,
    model_chars_by_event,
    record,
    stats,
)
from memory.memories import MemoryStore

WRITER = Author(SourceKind.PERSON, "Ada")
MODEL = Author(SourceKind.MODEL, "SmolLM2", "ab" * 32)
MINE = "The rain had not stopped for three days — “again”, she said. "
SUGGESTED = "Then the river rose over the old stone bridge 🌊 and the town went quiet."


def _setup(tmp_path: Path) -> tuple[MemoryStore, AuthoredDocument, int]:
    from memory.store import Store

    db = tmp_path / "draftsmith.db"
    ledger = Store(db)
    doc = AuthoredDocument.create(ledger, None, "story")
    doc.record(0, 0, MINE, WRITER, How.TYPED)
    event = doc.record(len(doc.text), 0, SUGGESTED, MODEL, How.SUGGESTION)
    assert event is not None
    memory = MemoryStore(db)
    record(
        memory,
        Feedback(
            "Ada",
            "place",
            SUGGESTED,
            ACCEPTED,
            doc_key=doc.doc_id,
            accepted_chars=len(SUGGESTED),
            settings={"ledger_seqs": [event.seq]},
        ),
    )
    return memory, doc, event.seq


def _outcome(memory: MemoryStore) -> tuple[str, int]:
    import json

    ((outcome, raw),) = memory.query("SELECT outcome, settings FROM feedback")
    return outcome, int(json.loads(raw)["rewritten_chars"])


def test_untouched_suggestion_stays_accepted(tmp_path: Path) -> None:
    memory, doc, _seq = _setup(tmp_path)
    assert measure_rewrites(memory, doc.doc_id, model_chars_by_event(doc)) == 1
    assert _outcome(memory) == (ACCEPTED, 0)
    summary = stats(memory)["rewritten"]
    assert summary == {
        "measured": 1,
        "rewritten": 0,
        "model_chars": len(SUGGESTED),
        "changed_chars": 0,
        "changed_share": 0.0,
    }
    memory.close()


def test_deleting_and_editing_model_text_is_measured_as_rewritten(tmp_path: Path) -> None:
    memory, doc, _seq = _setup(tmp_path)
    start = len(MINE)
    # The writer deletes "Then " and types inside the rest: all of it is now
    # "model, edited by the writer", and the 5 deleted characters are gone.
    doc.record(start, 5, "", WRITER, How.TYPED)
    doc.record(start + 10, 0, "slowly ", WRITER, How.TYPED)
    measure_rewrites(memory, doc.doc_id, model_chars_by_event(doc))
    outcome, changed = _outcome(memory)
    assert outcome == REWRITTEN and changed == len(SUGGESTED)
    summary = stats(memory)
    assert summary["rewritten"]["rewritten"] == 1
    assert summary["rewritten"]["changed_share"] == 1.0
    assert summary["outcomes"][REWRITTEN] == 1 and summary["kept"] == 1
    memory.close()


def test_private_or_paused_documents_are_not_measured(tmp_path: Path) -> None:
    memory, doc, _seq = _setup(tmp_path)
    doc.record(len(MINE), 5, "", WRITER, How.TYPED)
    memory.set_private(doc.doc_id, True)
    assert measure_rewrites(memory, doc.doc_id, model_chars_by_event(doc)) == 0
    memory.set_private(doc.doc_id, False)
    memory.set_learning_paused(True)
    assert measure_rewrites(memory, doc.doc_id, model_chars_by_event(doc)) == 0
    assert stats(memory)["rewritten"]["measured"] == 0
    memory.close()


@settings(max_examples=40, deadline=None)
@given(cuts=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 12)), max_size=6))
def test_changed_characters_never_exceed_what_was_accepted(
    tmp_path_factory: object, cuts: list[tuple[int, int]]
) -> None:
    tmp = tmp_path_factory.mktemp("rw")  # type: ignore[attr-defined]
    memory, doc, seq = _setup(tmp)
    for at, n in cuts:
        at = min(at, len(doc.text))
        doc.record(at, min(n, len(doc.text) - at), "✍️", WRITER, How.TYPED)
    still = model_chars_by_event(doc)
    measure_rewrites(memory, doc.doc_id, still)
    outcome, changed = _outcome(memory)
    assert 0 <= changed <= len(SUGGESTED)
    assert changed == len(SUGGESTED) - still.get(seq, 0)
    assert (outcome == REWRITTEN) == (changed > 0)
    memory.close()
