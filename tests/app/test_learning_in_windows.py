"""Learning after a save reads the text as the editor's chunks, never joined (issue 12).

Joining a 50 MB manuscript to label it and find the writer's passages and names was one
allocation of 100-200 MB holding the interpreter's lock, and froze the window for
50-400 ms after every save. The text is read by position over its chunks
(`PiecesText`) and in windows of whole lines (`line_windows`): the labels, passages,
names and counts must be exactly those of the joined text, wherever the chunks and the
windows are cut.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from app.learning import names_to_propose, names_to_propose_in, occurrences, own_stretches
from memory.events import AttributedSpan, Author, EditEvent, How, SourceKind
from memory.origins import label_spans
from memory.text_pieces import PiecesText, line_windows
from memory.voice import MAX_PASSAGES, OWN_LABELS, choose_passages, choose_passages_in

_TOKENS = [
    "Mara",
    "Voss",
    "Captain",
    "the",
    "sea",
    " ",
    " ",
    "\n",
    "\n\n",
    ". ",
    "“yes”",
    "café",
    "The keeper climbed the stairs slowly, counting each step as he went. ",
    "She said yes. ",
]


@st.composite
def _case(draw: st.DrawFn) -> tuple[str, list[str], list[tuple[int, int, str]]]:
    """A text, the same text in chunks cut anywhere, and labels covering it in order."""
    text = "".join(draw(st.lists(st.sampled_from(_TOKENS), max_size=50)))
    chunk_cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    pieces = [text[a:b] for a, b in itertools.pairwise([0, *chunk_cuts, len(text)])]
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=12))) | {0, len(text)})
    kinds = st.sampled_from(["human", "model", "model_edited"])
    labels = [(a, b - a, draw(kinds)) for a, b in itertools.pairwise(cuts) if b > a]
    return text, pieces, labels


@given(_case(), st.data())
def test_the_pieces_read_as_the_text(case, data: st.DataObject) -> None:
    text, pieces, _labels = case
    view = PiecesText(pieces)
    assert len(view) == len(text)
    a = data.draw(st.integers(-2, len(text) + 2))
    b = data.draw(st.integers(-2, len(text) + 2))
    assert view[a:b] == text[a:b]
    assert view.find_char("\n", a) == text.find("\n", max(0, a))
    if text:
        index = data.draw(st.integers(-len(text), len(text) - 1))
        assert view[index] == text[index]


@settings(max_examples=300, deadline=None)
@given(_case(), st.integers(1, 40))
def test_windows_cover_the_text_with_its_labels_cut_to_them(case, size: int) -> None:
    text, pieces, labels = case
    windows = line_windows(pieces, labels, size)
    assert "".join(window for _offset, window, _labels in windows) == text
    for offset, window, inside in windows:
        assert window.endswith("\n") or offset + len(window) == len(text)
        for start, length, label in inside:
            assert 0 <= start and start + length <= len(window)
            assert any(
                s <= offset + start and offset + start + length <= s + n and k == label
                for s, n, k in labels
            )
    assert sum(n for _o, _w, inside in windows for _s, n, _k in inside) == len(text)


@settings(max_examples=300, deadline=None)
@given(_case(), st.integers(8, 60), st.sampled_from([0, 1, 3, MAX_PASSAGES]))
def test_passages_found_window_by_window_are_the_passages_of_the_text(
    case, size: int, most: int
) -> None:
    text, pieces, labels = case
    windows = line_windows(pieces, labels, size)
    assert choose_passages_in(windows, most) == choose_passages(text, labels, most)


@settings(max_examples=300, deadline=None)
@given(_case(), st.integers(8, 60), st.sets(st.sampled_from(["mara voss", "captain mara voss"])))
def test_names_found_window_by_window_are_the_names_of_the_text(
    case, size: int, known: set[str]
) -> None:
    text, pieces, labels = case
    windows = line_windows(pieces, labels, size)
    own = [
        (offset, window, own_stretches(inside, OWN_LABELS)) for offset, window, inside in windows
    ]
    stretches = own_stretches(labels, OWN_LABELS)
    names = names_to_propose(text, known, stretches)
    assert names_to_propose_in(own, known) == names
    for name in names:
        assert sum(occurrences(w, name, s) for _o, w, s in own) == occurrences(
            text, name, stretches
        )


WRITER = Author(SourceKind.PERSON, "Ann")
MODEL = Author(SourceKind.MODEL, "tiny", "ab" * 32)


@given(_case())
def test_labels_read_over_the_pieces_are_the_labels_of_the_text(case) -> None:
    text, pieces, labels = case
    events = [EditEvent(1, MODEL, How.SUGGESTION, 1.0), EditEvent(2, WRITER, How.TYPED, 2.0)]
    spans = [
        AttributedSpan(start, length, events[k % 2])
        for k, (start, length, _label) in enumerate(labels)
    ]
    assert label_spans(PiecesText(pieces), spans) == label_spans(text, spans)
