"""The writer's own text for name proposals: key-by-key runs are one stretch, read in place."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.learning import names_to_propose, occurrences, own_stretches


def own_text(text: str, labels: list[tuple[int, int, str]], own_labels: set[str]) -> str:
    """The writer's own text as the app copied it out before it read it in place: runs
    that touch joined as they stand, separate stretches by a newline (the reference)."""
    pieces: list[str] = []
    end = -1
    for start, length, label in labels:
        if label not in own_labels:
            continue
        if pieces and start == end:
            pieces[-1] += text[start : start + length]
        else:
            pieces.append(text[start : start + length])
        end = start + length
    return "\n".join(pieces)


def test_runs_that_touch_join_and_separate_stretches_do_not() -> None:
    text = "Captain Mara Voss came. The model wrote this. Mara Voss left."
    labels = [(i, 1, "human") for i in range(23)]  # typed key by key
    labels.append((23, 23, "model"))
    labels.append((46, len(text) - 46, "human"))
    assert own_stretches(labels, {"human"}) == [(0, 23), (46, len(text))]


def test_a_name_typed_key_by_key_is_proposed() -> None:
    text = "Mara Voss sailed. Later Mara Voss slept. Then Mara Voss woke."
    labels = [(i, 1, "human") for i in range(len(text))]
    assert "Mara Voss" in names_to_propose(text, set(), own_stretches(labels, {"human"}))


def test_the_longest_name_seen_as_often_is_proposed_once() -> None:
    text = "Captain Mara Voss sailed. Captain Mara Voss slept. Captain Mara Voss woke."
    assert names_to_propose(text, set()) == ["Captain Mara Voss"]
    assert names_to_propose(text, {"captain mara voss"}) == []


# The writer's own stretches read in place (issue 12): joining them into one string was a
# 50 MB copy on the memory lane that held the interpreter's lock, and froze the window,
# for 0.1-0.3 s after every save of a manuscript.
_WORDS = ["Mara", "Voss", "Captain", "Ilse", "the", "sea", "Lantern", "Hall", "é", "“Mara"]


@st.composite
def _text_and_labels(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]]]:
    tokens = draw(st.lists(st.sampled_from([*_WORDS, " ", " ", "\n", ". ", "x"]), max_size=60))
    text = "".join(tokens)
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=12))) | {0, len(text)})
    kinds = st.sampled_from(["human", "model", "model_edited"])
    labels = [(a, b - a, draw(kinds)) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
    return text, labels


@settings(max_examples=300, deadline=None)
@given(_text_and_labels(), st.sets(st.sampled_from(["mara voss", "captain mara voss"])))
def test_names_in_the_writers_stretches_are_the_names_of_their_own_text(
    case: tuple[str, list[tuple[int, int, str]]], known: set[str]
) -> None:
    text, labels = case
    own = {"human", "model_edited"}
    stretches = own_stretches(labels, own)
    assert "\n".join(text[a:b] for a, b in stretches) == own_text(text, labels, own)
    joined = own_text(text, labels, own)
    assert names_to_propose(text, known, stretches) == names_to_propose(joined, known)
    for name in names_to_propose(joined, known):
        assert occurrences(text, name, stretches) == joined.count(name)


def test_a_stretch_that_starts_inside_a_word_reads_as_its_own_line() -> None:
    # "…wroteMara Voss" in the text: the writer's stretch starts at "Mara", and the name
    # counts as it did when the stretch was copied out on a line of its own.
    text = "The model wrote" + "Mara Voss came. Mara Voss left. Mara Voss slept."
    labels = [(0, 15, "model"), (15, len(text) - 15, "human")]
    stretches = own_stretches(labels, {"human"})
    assert names_to_propose(text, set(), stretches) == ["Mara Voss"]
    assert occurrences(text, "Mara Voss", stretches) == 3
