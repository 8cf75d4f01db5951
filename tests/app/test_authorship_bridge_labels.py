"""The bridge's colour labels per paragraph are `memory.origins.label_spans`'s, exactly.

The bridge labels a paragraph without building a span per run (a paragraph typed key by
key has a run per key): each run takes its event's origin, and only the model's runs go
through the edited rule, with the runs up to two either side. Random typing, model
insertions, pastes and typing over selections (which marks model text edited), with
curly quotes and emoji: every paragraph's labels, character by character, equal
`label_spans` over all of the paragraph's runs, and so do the whole document's.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QTextCursor

from memory.events import AttributedSpan, Author, How, SourceKind
from memory.origins import label_spans
from tests.conftest import type_text
from ui.editor import EditIntent

MODEL = Author(SourceKind.MODEL, "TestModel", "cd" * 32)
OTHER_MODEL = Author(SourceKind.MODEL, "OtherModel", "ef" * 32)
PIECES = ["a", "b ", "word", ". ", "\u201cq\u201d", "\U0001f600", "\n", "\u00e9", ","]
pieces = st.lists(st.sampled_from(PIECES), min_size=1, max_size=4).map("".join)
KINDS = st.sampled_from(["typed", "model", "other", "paste"])
edits = st.lists(
    st.tuples(st.floats(0, 1), st.floats(0, 0.3), pieces, KINDS), min_size=1, max_size=10
)


def units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def per_character(labels: list[tuple[int, int, str]], start: int, end: int) -> list[str]:
    out: list[str] = []
    position = start
    for at, length, label in labels:
        assert at == position  # in order, no gaps
        out.extend([label] * length)
        position += length
    assert position == end
    return out


def reference(document, start: int, end: int) -> list[tuple[int, int, str]]:
    """label_spans over every run of [start, end), as the bridge did before."""
    spans = []
    position = start
    for length, seq in document.segments(start, end):
        spans.append(AttributedSpan(position, length, document.events[seq]))
        position += length
    return label_spans(document.text, spans, document.edited_models)


def assert_every_paragraph_labelled(bridge, editor, document) -> None:
    """Each paragraph's labels from the bridge are `label_spans`'s, character by character."""
    positions = bridge.positions()
    block = editor.document().firstBlock()
    while block.isValid():
        lo = positions.to_index(block.position())
        hi = positions.to_index(block.position() + block.length() - 1)
        assert per_character(bridge._labelled(lo, hi), lo, hi) == per_character(
            reference(document, lo, hi), lo, hi
        )
        block = block.next()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits)
def test_paragraph_labels_equal_label_spans(writing_room, changes) -> None:
    editor = writing_room.editor
    editor.selectAll()
    type_text(editor, "\u201cStart\u201d \U0001f600 here.\nSecond line")
    bridge = writing_room.session.bridge
    document = writing_room.session.authored
    for where, size, text, kind in changes:
        plain = editor.toPlainText()
        start = int(where * len(plain))
        end = min(len(plain), start + int(size * len(plain)))
        cursor = editor.textCursor()
        cursor.setPosition(units(plain[:start]))
        cursor.setPosition(units(plain[:end]), QTextCursor.MoveMode.KeepAnchor)
        editor.setTextCursor(cursor)
        if kind == "typed":
            type_text(editor, text)  # over a selection: deletes some model text, maybe
        elif kind == "paste":
            editor.insert_as(text, EditIntent(How.PASTE))
        else:
            author = MODEL if kind == "model" else OTHER_MODEL
            editor.insert_as(text, EditIntent(How.SUGGESTION, author=author))
    whole = len(document.text)
    assert per_character(bridge._labelled(0, whole), 0, whole) == per_character(
        reference(document, 0, whole), 0, whole
    )
    assert_every_paragraph_labelled(bridge, editor, document)


def test_a_paragraph_typed_key_by_key_is_one_label(writing_room) -> None:
    editor = writing_room.editor
    type_text(editor, "The writer\u2019s own words, key by key \U0001f600")
    model = Author(SourceKind.MODEL, "TestModel", "ab" * 32)
    editor.insert_as(" and the model's", EditIntent(How.SUGGESTION, author=model))
    type_text(editor, " again")
    bridge = writing_room.session.bridge
    block = editor.document().firstBlock()
    labels = bridge.block_labels(block.position(), block.length() - 1)
    assert [label for _at, _n, label in labels] == ["human", "model_edited", "human"]
    assert sum(n for _at, n, _label in labels) == block.length() - 1


def _spread(labels: list[tuple[int, int, str]]) -> list[str]:
    return [label for _at, length, label in labels for _ in range(length)]


NAMES = st.sampled_from(["human", "pasted", "imported"])


@given(
    st.lists(st.tuples(st.integers(1, 6), NAMES), max_size=6),
    st.integers(0, 40),
    st.floats(0, 1),
    st.floats(0, 0.5),
    st.integers(0, 5),
    NAMES,
)
def test_splice_labels_is_the_characters_spliced(runs, start, where, size, inserted, label) -> None:
    from app.authorship_bridge import splice_labels

    labels, position = [], start
    for length, name in runs:  # joined as `_labelled` gives them
        if labels and labels[-1][2] == name:
            labels[-1] = (labels[-1][0], labels[-1][1] + length, name)
        else:
            labels.append((position, length, name))
        position += length
    total = position - start
    offset = int(where * total)
    removed = min(total - offset, int(size * total))
    chars = _spread(labels)
    expected = chars[:offset] + [label] * inserted + chars[offset + removed :]
    out = splice_labels(labels, start, offset, removed, inserted, label)
    assert _spread(out) == expected
    assert per_character(out, start, start + len(expected)) == expected
    assert all(a[2] != b[2] for a, b in zip(out, out[1:], strict=False))  # joined
    assert all(length > 0 for _at, length, _label in out)


KEYS = st.lists(
    st.tuples(st.floats(0, 1), st.sampled_from(["a", "é", "\U0001f600", " ", "\b", "\n", ","])),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(KEYS, st.booleans())
def test_labels_kept_while_typing_equal_label_spans(writing_room, keys, model_first) -> None:
    """With the colours on the highlighter labels the typed paragraph after each key, and
    the bridge carries the last paragraph's labels over a key instead of walking its runs:
    every paragraph's labels stay `label_spans`'s, key after key, backspaces, new
    paragraphs and model text included."""
    editor = writing_room.editor
    writing_room.authorship_action.setChecked(True)
    editor.selectAll()
    type_text(editor, "Typed \u201cfirst\u201d words.\nA second paragraph")
    editor.insert_as(" pasted", EditIntent(How.PASTE))
    if model_first:
        editor.insert_as(" and the model's", EditIntent(How.SUGGESTION, author=MODEL))
    bridge = writing_room.session.bridge
    document = writing_room.session.authored
    for where, key in keys:
        plain = editor.toPlainText()
        cursor = editor.textCursor()
        cursor.setPosition(units(plain[: int(where * len(plain))]))
        editor.setTextCursor(cursor)
        if key == "\b":
            from PySide6.QtCore import QEvent, Qt
            from PySide6.QtGui import QKeyEvent
            from PySide6.QtWidgets import QApplication

            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(
                    editor, QKeyEvent(kind, Qt.Key.Key_Backspace, Qt.KeyboardModifier.NoModifier)
                )
        else:
            type_text(editor, key)
        kept = bridge._labels_kept
        if kept is not None and kept[1] == kept[0].version:  # what the next paint reads
            lo, hi = kept[2], kept[3]
            assert per_character(list(kept[4]), lo, hi) == per_character(
                reference(document, lo, hi), lo, hi
            )
        assert_every_paragraph_labelled(bridge, editor, document)


def test_a_key_typed_into_a_labelled_paragraph_is_spliced_in(writing_room) -> None:
    editor = writing_room.editor
    writing_room.authorship_action.setChecked(True)
    type_text(editor, "Typed words")
    editor.insert_as(" pasted", EditIntent(How.PASTE))
    type_text(editor, " more")
    bridge = writing_room.session.bridge
    kept = bridge._labels_kept
    assert kept is not None and kept[1] == kept[0].version  # followed the last key
    assert [label for _at, _n, label in kept[4]] == ["human", "pasted", "human"]
    assert kept[2:4] == (0, len("Typed words pasted more"))
