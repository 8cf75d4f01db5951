"""The engine's one diff: hunks and opcodes against a plain reference, for any texts."""

from __future__ import annotations

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from memory.diff import common_prefix, common_suffix, hunks, opcodes, trim_common
from memory.document import AuthoredDocument
from memory.events import Author, How, SourceKind
from memory.store import Store

ALPHABET = st.sampled_from(list("ab \n") + ["é", "e\u0301", "👩‍👩‍👧", "\r\n", "שׁ"])
TEXTS = st.lists(ALPHABET, max_size=40).map("".join)
WRITER = Author(SourceKind.PERSON, "Ana")
MODEL = Author(SourceKind.MODEL, "M", "ab" * 32)


def apply_hunks(old: str, new: str, found: list[tuple[int, int, int, int]]) -> str:
    """`old` with each hunk's removed stretch replaced by its stretch of `new`, right to
    left (as the authorship bridge records them)."""
    text = old
    for offset, removed, new_offset, inserted in reversed(found):
        text = text[:offset] + new[new_offset : new_offset + inserted] + text[offset + removed :]
    return text


@settings(max_examples=300, deadline=None)
@given(TEXTS, TEXTS)
def test_hunks_turn_old_into_new_and_touch_only_changes(old: str, new: str) -> None:
    found = hunks(old, new)
    assert apply_hunks(old, new, found) == new
    assert (found == []) == (old == new)
    position = -1
    for offset, removed, new_offset, inserted in found:
        assert offset > position and (removed or inserted)  # left to right, never empty
        position = offset
        assert 0 <= offset <= offset + removed <= len(old)
        assert 0 <= new_offset <= new_offset + inserted <= len(new)
    # Nothing outside the shared ends is ever touched.
    prefix, removed, inserted = trim_common(old, new)
    for offset, gone, new_offset, added in found:
        assert prefix <= offset and offset + gone <= prefix + removed
        assert prefix <= new_offset and new_offset + added <= prefix + inserted


@settings(max_examples=300, deadline=None)
@given(TEXTS, TEXTS)
def test_trim_common_agrees_with_a_character_loop(old: str, new: str) -> None:
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    assert trim_common(old, new) == (prefix, len(old) - prefix - suffix, len(new) - prefix - suffix)
    assert common_prefix(old, new) == prefix
    assert common_suffix(old, new) >= suffix


@settings(max_examples=300, deadline=None)
@given(TEXTS, TEXTS)
def test_small_texts_diff_by_character_exactly_as_difflib(old: str, new: str) -> None:
    reference = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    assert opcodes(old, new) == reference


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXTS, max_size=8), st.lists(TEXTS, max_size=8))
def test_line_by_line_diff_covers_both_texts(old_lines: list[str], new_lines: list[str]) -> None:
    old, new = "\n".join(old_lines), "\n".join(new_lines)
    for limit in (0, 8, 10_000):  # lines only, lines then characters, characters only
        codes = opcodes(old, new, limit=limit)
        assert "".join(old[i1:i2] for _t, i1, i2, _j1, _j2 in codes) == old
        assert "".join(new[j1:j2] for _t, _i1, _i2, j1, j2 in codes) == new
        for tag, i1, i2, j1, j2 in codes:
            if tag == "equal":
                assert old[i1:i2] == new[j1:j2]


@settings(max_examples=200, deadline=None)
@given(TEXTS, TEXTS, st.sampled_from([0, 4, 10_000]))
def test_a_window_too_big_to_diff_is_one_hunk(old: str, new: str, limit: int) -> None:
    found = hunks(old, new, limit=limit)
    assert apply_hunks(old, new, found) == new
    prefix, removed, inserted = trim_common(old, new)
    if removed * inserted > limit:
        assert found == [(prefix, removed, prefix, inserted)]


def test_a_replace_all_keeps_the_unchanged_text_between_changes() -> None:
    old = "the sea and the sky"
    new = "a sea and a sky"
    assert hunks(old, new) == [(0, 3, 0, 1), (12, 3, 10, 1)]


def test_a_long_outside_change_is_found_line_by_line() -> None:
    old = "".join(f"line {n}\n" for n in range(3000))
    new = old.replace("line 10\n", "line ten\n").replace("line 2990\n", "line 2990!\n")
    changed = [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in opcodes(old, new) if tag != "equal"]
    assert sum(i2 - i1 for i1, i2, _j1, _j2 in changed) <= len("10")
    assert "".join(new[j1:j2] for _i1, _i2, j1, j2 in changed) in ("ten!", "te!")


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(TEXTS, st.booleans()), max_size=5), TEXTS)
def test_previewing_an_outside_change_matches_recording_it(
    pieces: list[tuple[str, bool]], disk_text: str
) -> None:
    """What `draftsmith export` reads (a preview) is what the window records on open."""
    store = Store(":memory:")
    try:
        document = AuthoredDocument.create(store, None, "t")
        for piece, by_model in pieces:
            author = MODEL if by_model else WRITER
            document.record(len(document), 0, piece, author, How.TYPED)
        state, events = document.preview_reconcile(disk_text, at=1.0)
        document.reconcile_with_disk(disk_text, at=1.0)
        assert state.text == document.text == disk_text
        assert list(state.iter_runs()) == list(document.authored_text.iter_runs())
        assert {s: events[s] for s in state.event_ids()} == {
            s: document.events[s] for s in document.authored_text.event_ids()
        }
    finally:
        store.close()
