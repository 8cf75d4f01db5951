"""The model's prompt cache: warm-ups, the cached-prefix count, and the prompt chosen by
what is cached (a short cold prompt that keeps its start while the writer types on)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.backend import WARM_CHUNK, LlamaBackend
from assistant.continuation import ContinuationSettings, choose_prompt, continue_text, warm_up
from assistant.prompts import COLD_PROMPT_TOKENS, build_continuation_prompt, prompt_from

WORDS = (
    "keeper stairs sea grey harbour lamp night storm gull rope boat tide “again,” she said 🌊 "
    "the café’s window glowed"
).split()


def manuscript(words: int, seed: int = 7) -> str:
    """Varied prose (no repeating period, so every window tokenizes differently)."""
    chooser = random.Random(seed)
    paragraphs = []
    while words > 0:
        count = min(words, chooser.randint(40, 90))
        words -= count
        paragraphs.append(" ".join(chooser.choice(WORDS) for _ in range(count)) + ".")
    return "\n\n".join(paragraphs)


# --- prompts (no model) ---------------------------------------------------------------
@given(
    st.text(alphabet=st.sampled_from("ab “”’🌊 .\n"), max_size=400),
    st.integers(min_value=-5, max_value=450),
)
def test_prompt_from_is_the_text_from_its_start(text: str, start: int) -> None:
    prompt = prompt_from(text, start, preamble="")
    assert 0 <= prompt.window_start <= len(text)
    window = text[prompt.window_start :]
    assert prompt.text + prompt.trailing_whitespace == window
    assert not prompt.text.endswith((" ", "\t"))


@given(st.text(alphabet=st.sampled_from("ab “”’🌊 .\n"), min_size=1, max_size=3000))
def test_the_full_prompt_is_prompt_from_its_own_start(text: str) -> None:
    full = build_continuation_prompt(text, max_prompt_tokens=128, preamble="")
    assert prompt_from(text, full.window_start, preamble="") == full


# --- the real model --------------------------------------------------------------------


@pytest.mark.model
def test_a_warm_up_leaves_only_the_new_words_to_evaluate(backend: LlamaBackend) -> None:
    text = manuscript(300)
    prompt = build_continuation_prompt(text, max_prompt_tokens=256).text
    backend.warm("An unrelated start, so nothing of the prompt is cached.")
    cached, total = backend.cached_tokens(prompt)
    assert cached < 5 < total
    evaluated = backend.warm(prompt)
    assert evaluated == total - cached
    assert backend.cached_tokens(prompt) == (total, total)
    assert backend.warm(prompt) == 0, "a prompt already cached costs nothing"
    longer = prompt + " and the gull’s cry 🌊"
    cached, total = backend.cached_tokens(longer)
    assert total - cached <= 12, "only the new words (and a re-split last token) are left"


@pytest.mark.model
def test_a_warm_up_stops_between_chunks_and_keeps_what_it_did(backend: LlamaBackend) -> None:
    text = manuscript(400, seed=3)
    prompt = build_continuation_prompt(text, max_prompt_tokens=512).text
    backend.warm("Something else entirely.")
    checks = 0

    def stop_after_two() -> bool:
        nonlocal checks
        checks += 1
        return checks > 2

    evaluated = backend.warm(prompt, should_stop=stop_after_two)
    assert evaluated == 2 * WARM_CHUNK
    cached, total = backend.cached_tokens(prompt)
    assert cached >= 2 * WARM_CHUNK and total > cached
    assert backend.warm(prompt) == total - cached, "the next warm-up carries on from there"


@pytest.mark.model
def test_a_warmed_prompt_gives_the_same_text_with_almost_nothing_evaluated(
    backend: LlamaBackend,
) -> None:
    text = manuscript(250, seed=11)
    settings = ContinuationSettings(max_tokens=16, temperature=0.0, cold_prompt_tokens=0)
    backend.warm("Nothing of it cached.")
    cold = continue_text(backend, text, settings)
    cold_evaluated = backend.prompt_tokens_evaluated
    backend.warm("Nothing of it cached again.")
    assert warm_up(backend, text, settings) > 0
    warmed = continue_text(backend, text, settings)
    assert warmed.text == cold.text, "the cache changes the speed, never the words"
    assert backend.prompt_tokens_evaluated <= 1 < cold_evaluated


@pytest.mark.model
def test_a_cold_place_gets_a_short_prompt_that_keeps_its_start(backend: LlamaBackend) -> None:
    text = manuscript(2000, seed=5)
    settings = ContinuationSettings(max_tokens=4, temperature=0.0)
    backend.warm("Nothing of it cached.")
    first = continue_text(backend, text, settings)
    full = build_continuation_prompt(text).window_start
    assert first.window_start > full, "cold: a short prompt, not the whole budget"
    assert backend.prompt_tokens_evaluated <= COLD_PROMPT_TOKENS + 8
    typed = text + " and the lamp"
    kept = ContinuationSettings(max_tokens=4, temperature=0.0, window_start=first.window_start)
    second = continue_text(backend, typed, kept)
    assert second.window_start == first.window_start, "the short prompt grows as typed"
    assert backend.prompt_tokens_evaluated <= 12
    warm_up(backend, typed, kept)  # the writer pauses: the full prompt is warmed
    third = choose_prompt(backend, typed + " glowed", kept)
    assert third.window_start == full, "once warmed, the whole budget is used"


class _NoCache:
    """A model with no prompt cache to ask (as a server is): only what the choice reads."""

    context_length = 0

    def count_tokens(self, text: str) -> int:
        return len(text) // 4


def test_a_model_without_a_cache_always_gets_the_full_prompt() -> None:
    from assistant.personalize import PersonalizedModel

    text = manuscript(2000, seed=9)
    full = build_continuation_prompt(text)
    settings = ContinuationSettings(window_start=len(text) - 50)
    for model in (_NoCache(), PersonalizedModel(_NoCache())):  # type: ignore[arg-type]
        assert choose_prompt(model, text, settings) == full  # type: ignore[arg-type]
