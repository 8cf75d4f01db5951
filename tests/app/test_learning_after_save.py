"""After a save, the memory learns from the document off the GUI thread: the GUI thread
takes a copy of the runs (`app.learning.SavedAuthorship`), and the labels, the model's
characters still its own, the voice passages and the rewrites are worked out on the
memory lane, with the same results as from the live document."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.learning import SavedAuthorship
from memory.document import AuthoredDocument
from memory.events import Author, How, SourceKind
from memory.feedback import model_chars_by_event
from memory.store import Store

WRITER = Author(SourceKind.PERSON, "Ada")
MODEL = Author(SourceKind.MODEL, "SmolLM2", "ab" * 32)
PASTE = Author(SourceKind.CLIPBOARD, "Clipboard")
PIECES = ["The rain “again”, ", "she said 🌊. ", "Then the river rose", " — quiet.\n\n", "x", "é"]
EDITS = st.lists(
    st.tuples(
        st.integers(0, 10_000),
        st.integers(0, 6),
        st.sampled_from(PIECES),
        st.sampled_from([(WRITER, How.TYPED), (MODEL, How.SUGGESTION), (PASTE, How.PASTE)]),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(EDITS)
def test_labels_from_the_copy_are_the_documents(tmp_path_factory, edits):
    store = Store(tmp_path_factory.mktemp("db") / "draftsmith.db")
    try:
        doc = AuthoredDocument.create(store, None, "story")
        for where, removed, text, (author, how) in edits:
            start = where % (len(doc.text) + 1)
            doc.record(start, min(removed, len(doc.text) - start), text, author, how)
        saved = SavedAuthorship.of(doc)
        labels, still_model = saved.labels()
        assert labels == doc.labels()
        assert still_model == model_chars_by_event(doc)
        # typing after the save changes the document, not the copy taken at the save
        doc.record(0, 0, "More ", WRITER, How.TYPED)
        assert saved.labels() == (labels, still_model)
    finally:
        store.close()


def test_a_save_learns_voice_passages_on_the_memory_lane(writing_room, qtbot, tmp_path: Path):
    room = writing_room
    learning = room.learning
    path = tmp_path / "story.md"
    path.write_text("", encoding="utf-8")
    assert room.session.open_path(path)
    qtbot.wait_until(lambda: learning.store is not None and bool(learning.doc_key), timeout=20000)
    mine = "The harbour lights came on one by one, “slowly”, as the boats came home 🌙. "
    room.editor.insertPlainText(mine * 3)
    assert room.session.save()

    def voice() -> list[tuple[str]]:
        return learning.store.query(
            "SELECT scope_ref FROM memories WHERE kind = 'voice' AND scope_ref = ?",
            [learning.doc_key],
        )

    qtbot.wait_until(lambda: bool(voice()), timeout=20000)
