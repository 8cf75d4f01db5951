"""Word-level diffs for rewrites: hunks cover exactly what changed, at the right offsets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.word_diff import apply_hunks, merged_view, word_hunks, word_tokens

WORDS = [
    "the",
    "sea",
    "café",
    "naïve",
    "😀",
    "👩‍👩‍👧",
    "e\u0301",
    "שלום",
    "日本",
    ",",
    ".",
    "don't",
]
texts = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from([" ", "  ", "\n", ""])), max_size=14
).map(lambda parts: "".join(w + s for w, s in parts))


def test_tokens_join_back_and_keep_graphemes() -> None:
    text = "Hello, 👩‍👩‍👧 café — don't stop."
    tokens = word_tokens(text)
    assert "".join(tokens) == text
    assert "👩‍👩‍👧" in tokens and "don't" in tokens and "café" in tokens


def test_a_replaced_word_is_one_hunk() -> None:
    (hunk,) = word_hunks("the old man walk to the sea", "the old man walks to the sea")
    assert (hunk.old, hunk.new) == ("walk", "walks")
    assert "the old man walk to the sea"[hunk.start : hunk.end] == "walk"


def test_neighbouring_changed_words_merge() -> None:
    hunks = word_hunks("he dont like it", "he does not like it")
    assert [(h.old, h.new) for h in hunks] == [("dont", "does not")]


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_all_hunks_turn_old_into_new(old: str, new: str) -> None:
    hunks = word_hunks(old, new)
    assert apply_hunks(old, hunks) == new
    for hunk in hunks:
        assert old[hunk.start : hunk.end] == hunk.old
    starts = [(h.start, h.end) for h in hunks]
    assert starts == sorted(starts)
    assert all(a[1] <= b[0] for a, b in zip(starts, starts[1:], strict=False))


@settings(max_examples=300, deadline=None)
@given(texts, texts, st.data())
def test_any_subset_of_hunks_applies_at_its_own_place(old: str, new: str, data) -> None:
    hunks = word_hunks(old, new)
    keep = [h for h in hunks if data.draw(st.booleans())]
    result = apply_hunks(old, keep)
    # Reference: rebuild left to right from the pieces.
    out, position = [], 0
    for hunk in hunks:
        out.append(old[position : hunk.start])
        out.append(hunk.new if hunk in keep else hunk.old)
        position = hunk.end
    out.append(old[position:])
    assert result == "".join(out)


@settings(max_examples=200, deadline=None)
@given(texts, texts)
def test_merged_view_shows_both_texts(old: str, new: str) -> None:
    pieces = merged_view(old, word_hunks(old, new))
    assert "".join(p.text for p in pieces if p.kind != "added") == old
    assert "".join(p.text for p in pieces if p.kind != "removed") == new
