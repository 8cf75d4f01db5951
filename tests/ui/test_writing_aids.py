"""Writing aids as pure functions: undo steps, list continuation, smart punctuation."""

from __future__ import annotations

from ui.writing_aids import (
    ListContinuation,
    list_continuation,
    smart_punctuation,
    starts_undo_step,
)


def test_a_new_undo_step_starts_at_words_pauses_and_other_edits() -> None:
    assert starts_undo_step(" ", "w", since_last_key=0.1, edited_elsewhere=False)
    assert not starts_undo_step("w", "o", since_last_key=0.1, edited_elsewhere=False)
    assert not starts_undo_step("w", " ", since_last_key=0.1, edited_elsewhere=False)
    assert starts_undo_step("w", "o", since_last_key=2.0, edited_elsewhere=False)
    assert starts_undo_step("w", "o", since_last_key=0.1, edited_elsewhere=True)
    assert starts_undo_step("", "o", since_last_key=0.1, edited_elsewhere=False)


def test_lists_and_quotes_continue_and_end() -> None:
    assert list_continuation("- milk", 6) == ListContinuation("- ")
    assert list_continuation("  * eggs", 8) == ListContinuation("  * ")
    assert list_continuation("9. nine", 7) == ListContinuation("10. ")
    assert list_continuation("3) three", 8) == ListContinuation("4) ")
    assert list_continuation("- [x] done", 10) == ListContinuation("- [ ] ")
    assert list_continuation("> \u201cquoted\u201d", 4) == ListContinuation("> ")
    assert list_continuation("- ", 2) == ListContinuation(end_list=True, marker_length=2)
    assert list_continuation(">", 1) == ListContinuation(end_list=True, marker_length=1)
    assert list_continuation("Plain words", 5) is None
    assert list_continuation("-not a list", 5) is None
    assert list_continuation("- milk", 1) is None  # inside the marker: a plain Enter
    assert list_continuation("---", 3) is None  # a rule, not a list


def test_smart_quotes_and_dashes() -> None:
    assert smart_punctuation("", '"') == (0, "\u201c")
    assert smart_punctuation("She said ", '"') == (0, "\u201c")
    assert smart_punctuation("\u201cYes", '"') == (0, "\u201d")
    assert smart_punctuation("Mara", "'") == (0, "\u2019")  # an apostrophe
    assert smart_punctuation("(", "'") == (0, "\u2018")
    assert smart_punctuation("wait-", "-") == (1, "\u2013")
    assert smart_punctuation("wait\u2013", "-") == (1, "\u2014")
    assert smart_punctuation("-", "-") is None  # "--" at a line's start may become a rule
    assert smart_punctuation("word", "-") is None
    assert smart_punctuation("word", "x") is None
