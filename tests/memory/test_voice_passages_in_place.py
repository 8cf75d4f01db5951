"""Voice passages chosen in place (issue 12): the same passages as copying each of the
writer's stretches out and keeping every sentence run found, which on a 50 MB manuscript
held the interpreter's lock on the memory lane long enough to freeze the window."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from memory.voice import MAX_PASSAGES, Passage, _sentence_runs, choose_passages, own_ranges


def _reference(text: str, labels: list[tuple[int, int, str]], most: int) -> list[Passage]:
    """`choose_passages` as it was: every run kept, then the longest `most` of them."""
    found: list[Passage] = []
    for lo, hi in own_ranges(labels):
        for paragraph in re.finditer(r"[^\n]+", text[lo:hi]):
            found.extend(
                Passage(text[s:e], s, e)
                for s, e in _sentence_runs(text, lo + paragraph.start(), lo + paragraph.end())
            )
    found.sort(key=lambda p: -(p.end - p.start))
    return sorted(found[:most], key=lambda p: p.start)


_SENTENCES = [
    "The keeper climbed the stairs “slowly”, counting each step as he went. ",
    "She said yes. ",
    "The lamp was cold when she reached the top of the tower, and the sea was loud below. ",
    "Why? ",
    "A long line of rain crossed the harbour while the boats came home one by one. ",
    "\n",
    "\n\n",
    "no end here",
]


@st.composite
def _text_and_labels(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]]]:
    text = "".join(draw(st.lists(st.sampled_from(_SENTENCES), max_size=40)))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=10))) | {0, len(text)})
    kinds = st.sampled_from(["human", "model", "model_edited"])
    labels = [(a, b - a, draw(kinds)) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
    return text, labels


@settings(max_examples=300, deadline=None)
@given(_text_and_labels(), st.sampled_from([0, 1, 3, MAX_PASSAGES]))
def test_the_passages_chosen_in_place_are_the_ones_all_runs_gave(
    case: tuple[str, list[tuple[int, int, str]]], most: int
) -> None:
    text, labels = case
    assert choose_passages(text, labels, most) == _reference(text, labels, most)
