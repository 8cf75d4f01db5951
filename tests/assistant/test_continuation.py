"""Continuing the writer's sentence with the real model, and cleaning what it writes."""

from __future__ import annotations

import pytest

from assistant.backend import LlamaBackend
from assistant.continuation import ContinuationSettings, clean_suggestion, continue_text

DOC = "The old lighthouse keeper climbed the stairs every night. He"


@pytest.mark.model
def test_continuation_of_a_real_sentence(backend: LlamaBackend) -> None:
    partials: list[str] = []
    suggestion = continue_text(
        backend, DOC, ContinuationSettings(seed=7), on_partial=partials.append
    )
    assert suggestion.text.strip()
    # After a whole word: a space ("He" + " climbed"), or something that attaches to the
    # word without one ("He" + "'d"), never a glued letter ("Heclimbed").
    first = suggestion.text[0]
    assert first == " " or first in "'’,.;:!?", suggestion.text
    assert "\n" not in suggestion.text
    assert suggestion.text == suggestion.text.rstrip()
    assert not suggestion.cancelled
    assert suggestion.model_name == "SmolLM2-135M-Instruct.Q4_1"
    assert len(suggestion.model_sha256) == 64
    assert 0 < suggestion.tokens <= 24
    assert suggestion.tokens_per_s > 0  # measured, not judged: speed is in make bench
    assert partials and all(p.strip() for p in partials)
    assert partials[0] != suggestion.text or len(partials) == 1


@pytest.mark.model
def test_after_a_space_the_suggestion_starts_with_a_word(backend: LlamaBackend) -> None:
    suggestion = continue_text(backend, DOC + " ", ContinuationSettings(seed=7))
    assert suggestion.text and not suggestion.text[0].isspace()


@pytest.mark.model
def test_cancelled_continuation_is_marked(backend: LlamaBackend) -> None:
    partials: list[str] = []
    suggestion = continue_text(
        backend,
        "Once upon a time, in a small village by the sea,",
        # A sample that starts with words (seed 1 starts with a line break: no text).
        ContinuationSettings(max_tokens=40, seed=2),
        should_stop=lambda: len(partials) >= 2,
        on_partial=partials.append,
    )
    assert suggestion.cancelled


@pytest.mark.model
def test_no_suggestion_inside_a_word(backend: LlamaBackend) -> None:
    suggestion = continue_text(backend, "The lighth", text_after_cursor="ouse stood")
    assert suggestion.text == "" and suggestion.tokens == 0


@pytest.mark.parametrize(
    ("raw", "before", "expected"),
    [
        (" walked home. Then he slept", "He", " walked home."),
        (" walked home\nNext line", "He", " walked home"),
        ("  walked home.", "He ", "walked home."),
        ("He slept.", "It was night.", " He slept."),
        ("aved his hat.", "He w", "aved his hat."),
        ("\n\nChapter two", "The end.", ""),
        ("   ", "He", ""),
        (" met Mr. Smith at the door. Then", "He", " met Mr. Smith at the door."),
        (" paid 3.50 for it. Then", "He", " paid 3.50 for it."),
        ("Chapter two", "The end.\n\n", "Chapter two"),
    ],
)
def test_cleaning(raw: str, before: str, expected: str) -> None:
    assert clean_suggestion(raw, before, final=True).text == expected


def test_a_word_cut_by_the_token_limit_is_dropped() -> None:
    raw = " walked along the shore and then saw the ligh"
    cleaned = clean_suggestion(raw, "He", final=True, cut=True)
    assert cleaned.text == " walked along the shore and then saw the"


def test_partial_cleaning_marks_a_finished_sentence() -> None:
    assert not clean_suggestion(" walked home", "He").complete
    assert clean_suggestion(" walked home. The", "He").complete
