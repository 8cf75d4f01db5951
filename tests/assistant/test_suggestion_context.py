"""The suggestion model's context is sized to the longest prompt a suggestion builds."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from assistant.backend import LlamaBackend
from assistant.continuation import ContinuationSettings, full_prompt
from assistant.personalize import DEFAULT_MEMORY_TOKENS
from assistant.prompts import (
    DEFAULT_PROMPT_TOKENS,
    MEMORY_PROMPT_TOKENS,
    suggestion_context_tokens,
)


def test_the_memory_share_is_the_apps() -> None:
    from app.learning import MEMORY_TOKENS

    assert MEMORY_PROMPT_TOKENS == MEMORY_TOKENS == DEFAULT_MEMORY_TOKENS


@given(st.integers(min_value=0, max_value=4096), st.integers(min_value=0, max_value=2048))
def test_the_context_holds_memory_window_and_suggestion(max_tokens: int, memory: int) -> None:
    size = suggestion_context_tokens(max_tokens, memory)
    assert size % 256 == 0
    # full_prompt keeps max_tokens + 8 free; a kept start may add one token to the window.
    assert size - memory - max_tokens - 8 >= DEFAULT_PROMPT_TOKENS + 1
    assert size - 256 < memory + DEFAULT_PROMPT_TOKENS + 1 + max_tokens + 8


def test_the_default_is_smaller_than_the_long_jobs_context() -> None:
    assert suggestion_context_tokens(24) == 1536


class _Sized:
    """A model seen through the memory's wrapper: its context less the memory's share."""

    def __init__(self, backend: LlamaBackend, memory: int) -> None:
        self.backend = backend
        self.memory = memory

    @property
    def context_length(self) -> int:
        return self.backend.context_length - self.memory

    def count_tokens(self, text: str) -> int:
        return self.backend.count_tokens(text)


def test_the_longest_prompt_and_suggestion_fit_the_real_model(default_model: Path) -> None:
    """The whole window (not shrunk), a full memory preamble and the longest suggestion
    run in the context the suggestion model is loaded with; ASCII and curly quotes with
    emoji."""
    max_tokens = 24
    backend = LlamaBackend()
    backend.load(default_model, n_ctx=suggestion_context_tokens(max_tokens), n_threads=2)
    try:
        preamble_line = "Remember: Mara keeps the lamp; the harbour is “Greyhaven” 🌊.\n"
        preamble = ""
        while backend.count_tokens(preamble + preamble_line) <= MEMORY_PROMPT_TOKENS:
            preamble += preamble_line
        for unit in (
            "The keeper climbed the stairs and watched the sea. ",
            "“Again,” she said 🌊. ",
        ):
            text = unit * 600
            sized = _Sized(backend, MEMORY_PROMPT_TOKENS)
            # The window's budget is not cut for lack of room in the context.
            assert sized.context_length - max_tokens - 8 >= DEFAULT_PROMPT_TOKENS
            prompt, _ = full_prompt(sized, text, ContinuationSettings(max_tokens=24))
            assert backend.count_tokens(prompt.text) <= DEFAULT_PROMPT_TOKENS + 1
            result = backend.complete(preamble + prompt.text, max_tokens=max_tokens, seed=3)
            assert result.prompt_tokens <= backend.context_length - max_tokens
            assert not result.cancelled
    finally:
        backend.close()
