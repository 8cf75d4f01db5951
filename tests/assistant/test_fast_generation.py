"""The backend's own generation loop (`assistant.backend._stream_completion`) against
llama-cpp-python's `create_completion`, on the real bundled model: the same words for
the same seed, the same cache bookkeeping, stop strings held back while they may begin."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.backend import LlamaBackend, _partial_stop

PROMPTS = (
    "The old lighthouse keeper climbed the stairs every night, and",
    "\u201cAgain,\u201d she said. The caf\u00e9\u2019s window glowed \U0001f30a over the",
)


def _reference(backend: LlamaBackend, prompt: str, **options: object) -> tuple[str, int]:
    """What llama-cpp-python's own streaming completion writes (text, chunks)."""
    llm = backend._llm
    tokens = list(llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True))
    chunks = list(
        llm.create_completion(
            tokens,
            stream=True,
            top_p=0.9,
            repeat_penalty=1.1,
            **options,  # type: ignore[arg-type]
        )
    )
    return "".join(c["choices"][0]["text"] for c in chunks), len(chunks)


@pytest.mark.model
@pytest.mark.parametrize("prompt", PROMPTS)
@pytest.mark.parametrize(
    ("temperature", "seed", "bias"),
    [(0.0, 1, None), (0.7, 3, None), (1.0, 7, {11: -5.0, 260: -5.0, 30: 2.0})],
)
def test_the_same_words_as_llama_cpp_python_for_the_same_seed(
    backend: LlamaBackend,
    prompt: str,
    temperature: float,
    seed: int,
    bias: dict[int, float] | None,
) -> None:
    ours = backend.complete(
        prompt, max_tokens=20, temperature=temperature, seed=seed, logit_bias=bias
    )
    theirs, _ = _reference(
        backend, prompt, max_tokens=20, temperature=temperature, seed=seed, logit_bias=bias
    )
    assert ours.tokens <= 20
    # llama-cpp-python goes past max_tokens while a character's bytes are incomplete
    # (an emoji split over tokens); up to the limit the words are the same.
    assert theirs.startswith(ours.text) and ours.text
    if not any(ord(ch) > 0xFFFF for ch in theirs):
        assert ours.text == theirs


@pytest.mark.model
def test_the_cache_is_kept_as_llama_cpp_python_keeps_it(backend: LlamaBackend) -> None:
    prompt = PROMPTS[1]
    first = backend.complete(prompt, max_tokens=8, temperature=0.0, seed=1)
    llm = backend._llm
    tokens = list(llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True))
    # The prompt and every generated token but the last are in the cache.
    assert llm.n_tokens == len(tokens) + first.tokens - 1
    assert list(llm.input_ids[: len(tokens)]) == tokens
    assert backend.cached_tokens(prompt) == (len(tokens), len(tokens))
    again = backend.complete(prompt, max_tokens=8, temperature=0.0, seed=1)
    assert again.text == first.text and backend.prompt_tokens_evaluated == 0
    # llama-cpp-python's own path (chat uses it) carries on from the same cache.
    theirs, _ = _reference(backend, prompt, max_tokens=8, temperature=0.0)
    assert theirs.startswith(first.text)


@pytest.mark.model
def test_a_stop_string_ends_the_text_before_it(backend: LlamaBackend) -> None:
    prompt = "A list of fruit: apples, pears, plums, cherries,"
    for stop in ([","], [" and", "\n"], ["\u2019s", "."]):
        ours = backend.complete(prompt, max_tokens=24, temperature=0.7, seed=5, stop=stop)
        theirs, _ = _reference(backend, prompt, max_tokens=24, temperature=0.7, seed=5, stop=stop)
        assert not any(s in ours.text for s in stop)
        assert ours.text == theirs


@pytest.mark.model
def test_streamed_pieces_make_the_whole_text_and_a_stop_ends_it(backend: LlamaBackend) -> None:
    pieces: list[str] = []
    whole = backend.complete(
        PROMPTS[1], max_tokens=16, temperature=0.8, seed=2, on_token=pieces.append
    )
    assert "".join(pieces) == whole.text and whole.tokens <= 16
    seen: list[str] = []
    stopped = backend.complete(
        PROMPTS[0],
        max_tokens=64,
        temperature=0.8,
        seed=2,
        on_token=seen.append,
        should_stop=lambda: len(seen) >= 3,
    )
    assert stopped.cancelled and stopped.finish_reason == "cancelled"
    assert len(seen) == 3 and stopped.text == "".join(seen)


@given(
    st.text(alphabet="ab\u2019\U0001f30a .", max_size=12),
    st.text(alphabet="ab\u2019\U0001f30a .", min_size=1, max_size=5),
)
def test_the_held_back_end_is_the_longest_that_could_begin_the_stop(text: str, stop: str) -> None:
    held = _partial_stop(text, stop)
    assert 0 <= held < len(stop)
    assert stop.startswith(text[len(text) - held :]) if held else True
    longer = [
        n for n in range(held + 1, min(len(stop) - 1, len(text)) + 1) if stop.startswith(text[-n:])
    ]
    assert not longer
