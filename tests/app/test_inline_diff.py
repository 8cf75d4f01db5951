"""Applying kept rewrite hunks in the real editor: right places in UTF-16 (emoji, marks,
right-to-left text), one undo step, and the diff view never touching the document."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.word_diff import apply_hunks, word_hunks
from memory.events import How
from ui.editor import DraftEditor, EditIntent
from ui.inline_diff import InlineDiffView, ShownHunk, apply_word_hunks

WORDS = ["sea", "café", "😀", "👩‍👩‍👧", "e\u0301", "שלום", "日本", ",", "don't", "🇫🇷"]
texts = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from([" ", "\n", ""])), min_size=1, max_size=10
).map(lambda parts: "".join(w + s for w, s in parts))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prefix=texts, old=texts, new=texts, data=st.data())
def test_kept_hunks_land_in_place_and_undo_in_one_step(qapp, prefix, old, new, data) -> None:
    editor = DraftEditor()
    head = prefix + "\n"
    editor.setPlainText(head + old + "\nend")
    hunks = word_hunks(old, new)
    kept = [h for h in hunks if data.draw(st.booleans())]
    shown = [ShownHunk(h.start, h.end, h.old, h.new) for h in kept]
    start16 = len(head.encode("utf-16-le")) // 2
    apply_word_hunks(editor, start16, old, shown, EditIntent(How.REWRITE))
    assert editor.toPlainText() == head + apply_hunks(old, kept) + "\nend"
    if kept:
        editor.undo()
        assert editor.toPlainText() == head + old + "\nend"
        editor.redo()
        assert editor.toPlainText() == head + apply_hunks(old, kept) + "\nend"
    editor.deleteLater()


def test_the_view_shows_the_diff_without_changing_the_document(qapp) -> None:
    editor = DraftEditor()
    editor.resize(600, 300)
    editor.setPlainText("Before.\nthe old man walk 😀 home.\nAfter.")
    old = "the old man walk 😀 home."
    hunks = [
        ShownHunk(h.start, h.end, h.old, h.new) for h in word_hunks(old, "The man walks 😀 home.")
    ]
    view = InlineDiffView(editor)
    view.begin(editor.toPlainText(), 8, len(old.encode("utf-16-le")) // 2)
    view.show_diff(old, hunks, 0, decidable=True)
    shown = view.toPlainText()
    assert shown.startswith("Before.\n") and shown.endswith(" 😀 home.\nAfter.")
    assert "walkwalks" in shown and "the oldThe man" in shown, "removed, then added words"
    assert editor.toPlainText() == "Before.\nthe old man walk 😀 home.\nAfter."
    assert len(view._buttons) == len(hunks)
    view.end()
    editor.deleteLater()
