"""When streamed text may go on screen: a settled opening at once (often the first token),
anything that could still grow into a refused opening only once it has 6 characters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from assistant.alternatives import SHOW_AFTER_CHARS, may_show, opening_settled, suggest
from assistant.backend import LlamaBackend
from assistant.continuation import ContinuationSettings, clean_suggestion

MID_SENTENCE = "The old keeper climbed the stairs every night, and when the storm came"


@pytest.mark.parametrize(
    ("before", "partial"),
    [
        (MID_SENTENCE, " she"),  # a new word in lower case
        (MID_SENTENCE, " she walked"),
        (MID_SENTENCE, " a"),  # one letter: no junk opening starts so
        ("She looked out at the ", "grey"),  # after a space, no space of its own
        ("she said", ","),  # punctuation straight after a word
        ("The lamp went out", "."),
    ],
)
def test_a_settled_opening_shows_at_once(before: str, partial: str) -> None:
    assert opening_settled(partial, before)
    assert may_show(partial, before)


@pytest.mark.parametrize(
    ("before", "partial", "could_become"),
    [
        ("Notes for the chapter:\n", "2", "2. The harbour"),  # a list number
        ("Notes for the chapter:\n", "Title", "Title: The keeper"),  # a role label
        (MID_SENTENCE, " A", " A: yes"),
        ("Notes:\n", "-", "- the lamp"),  # a bullet
        (MID_SENTENCE, " h", " https://example.org"),  # a URL
        (MID_SENTENCE, " www", " www.example.org"),
        ("he walked to the harbour and", " the", " the harbour again"),  # an echo
        ("he walked to the harbour and", " harb", " harbour and then"),
        ("she said ", ",", ", and"),  # punctuation after a space is refused
        ("The light", "house", "househouse"),  # letters that finish the word typed
    ],
)
def test_an_opening_that_may_still_be_refused_waits(
    before: str, partial: str, could_become: str
) -> None:
    assert could_become.startswith(partial)
    assert not opening_settled(partial, before)
    assert not may_show(partial, before), "shorter than SHOW_AFTER_CHARS"
    assert may_show(partial + "x" * SHOW_AFTER_CHARS, before), "long enough: shown"


class _Recorded:
    """The real backend, with the pieces of text it streams recorded in order."""

    def __init__(self, inner: LlamaBackend, events: list[tuple[str, str]]) -> None:
        self.inner = inner
        self.events = events

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def complete(self, prompt: str, *, on_token: Callable[[str], None], **options: Any) -> Any:
        def piece(text: str) -> None:
            self.events.append(("token", text))
            on_token(text)

        return self.inner.complete(prompt, on_token=piece, **options)


def _first_showable(events: list[tuple[str, str]], before: str) -> int | None:
    """Index just past the first token after which the cleaned text may be shown."""
    raw = ""
    for i, (kind, text) in enumerate(events):
        if kind == "token":
            raw += text
            cleaned = clean_suggestion(raw, before).text
            if cleaned and may_show(cleaned, before):
                return i + 1
    return None


@pytest.mark.model
def test_streamed_text_shows_with_the_first_token_that_settles_it(
    backend: LlamaBackend,
) -> None:
    at_first_token = 0
    for seed in (3, 7, 11, 19):
        events: list[tuple[str, str]] = []
        model: Any = _Recorded(backend, events)
        screened = suggest(
            model,
            MID_SENTENCE,
            ContinuationSettings(seed=seed, max_tokens=12),
            on_partial=lambda text, events=events: events.append(("shown", text)),
        )
        shown = [i for i, (kind, _) in enumerate(events) if kind == "shown"]
        assert any(kind == "token" for kind, _ in events), "the model wrote something"
        if screened.refused in ("junk opening", "markup", "repeat", "echo"):
            continue  # refused while streaming: nothing more is shown
        expected = _first_showable(events, MID_SENTENCE)
        if expected is None:
            assert not shown, events
            continue
        assert shown and shown[0] == expected, events
        assert all(may_show(events[i][1], MID_SENTENCE) for i in shown)
        at_first_token += expected == 1
    # Mid-sentence the model's first token is a new word in lower case ("she", "the").
    assert at_first_token >= 1, "the first word shows with the first token"
