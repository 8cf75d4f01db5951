"""The soft logit bias against phrases the writer keeps refusing, with the real bundled
model: in process (llama.cpp's `logit_bias`), through a real OpenAI-compatible server,
and through `PersonalizedModel` on top of the text filter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.backend import LlamaBackend
from assistant.model import AVOID_BIAS, avoid_bias
from assistant.personalize import PersonalizedModel, PromptMemory
from assistant.remote import RemoteModel, ServerSpec
from tests.model_servers import MODEL_ALIAS, llama_server

PROMPT = "Once upon a time, there was a"


def _tokenize(backend: LlamaBackend, text: str) -> list[int]:
    return list(backend._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))  # type: ignore[union-attr]


def _first_word(text: str) -> str:
    return text.split()[0] if text.split() else ""


@pytest.mark.model
def test_avoiding_a_phrase_lowers_its_first_token_in_the_real_model(
    backend: LlamaBackend,
) -> None:
    plain = backend.complete(PROMPT, max_tokens=8, temperature=0.0, seed=1)
    word = _first_word(plain.text)
    assert word, "the greedy continuation starts with a word"
    avoided = backend.complete(
        PROMPT, max_tokens=8, temperature=0.0, seed=1, avoid=[f"{word} town nestled"]
    )
    assert avoided.text.strip() and _first_word(avoided.text) != word
    by_id = backend.complete(
        PROMPT,
        max_tokens=8,
        temperature=0.0,
        seed=1,
        logit_bias={_tokenize(backend, " " + word)[0]: AVOID_BIAS},
    )
    assert _first_word(by_id.text) != word, "a raw token-id bias works the same way"
    again = backend.complete(PROMPT, max_tokens=8, temperature=0.0, seed=1)
    assert again.text == plain.text, "the bias lasts one generation only"


@pytest.mark.model
def test_the_bias_reaches_the_chat_path_too(backend: LlamaBackend) -> None:
    messages = [{"role": "user", "content": "Say one word: the colour of the sky."}]
    plain = backend.chat(messages, max_tokens=6, temperature=0.0, seed=1)  # type: ignore[arg-type]
    first = _first_word(plain.text)
    assert first
    token = _tokenize(backend, first)[0]
    biased = backend.chat(  # type: ignore[arg-type]
        messages, max_tokens=6, temperature=0.0, seed=1, logit_bias={token: -100.0}
    )
    assert not biased.text.startswith(backend._llm.detokenize([token]).decode())  # type: ignore[union-attr]


@pytest.mark.model
def test_personalized_model_biases_and_filters_a_phrase_refused_three_times(
    backend: LlamaBackend,
) -> None:
    refused = "small town called"  # what the model writes here, refused 3+ times
    memory = PromptMemory(avoid=(refused,))
    wrapped = PersonalizedModel(backend, memory)
    generation = wrapped.complete(PROMPT, max_tokens=12, temperature=0.0, seed=1)
    assert "small town" not in generation.text.lower()
    assert generation.text.strip(), "biased away, the model writes something else"

    class FilterOnly:
        """The same real model with the bias refused: only the text filter acts."""

        identity = backend.identity
        context_length = backend.context_length
        has_chat_template = False
        count_tokens = backend.count_tokens

        def complete(self, prompt: str, **kwargs: object) -> object:
            kwargs.pop("avoid", None)
            return backend.complete(prompt, **kwargs)  # type: ignore[arg-type]

    filtered = PersonalizedModel(FilterOnly(), memory)  # type: ignore[arg-type]
    cut = filtered.complete(PROMPT, max_tokens=12, temperature=0.0, seed=1)
    assert cut.text == "", "without the bias the phrase comes first and is cut: nothing left"


@pytest.fixture(scope="module")
def remote(default_model: Path) -> Iterator[RemoteModel]:
    with llama_server(default_model) as url:
        model = RemoteModel(ServerSpec(url + "/v1", MODEL_ALIAS))
        yield model
        model.close()


@pytest.mark.model
def test_a_server_gets_openai_logit_bias(remote: RemoteModel, backend: LlamaBackend) -> None:
    plain = remote.complete(PROMPT, max_tokens=8, temperature=0.0, seed=1)
    word = _first_word(plain.text)
    assert word
    token = _tokenize(backend, " " + word)[0]  # the server serves the same model file
    biased = remote.complete(
        PROMPT, max_tokens=8, temperature=0.0, seed=1, logit_bias={token: -100.0}
    )
    assert _first_word(biased.text) != word
    ignored = remote.complete(PROMPT, max_tokens=8, temperature=0.0, seed=1, avoid=[word])
    assert ignored.text == plain.text, "phrases without token ids are left to the filter"


@settings(max_examples=80, deadline=None)
@given(
    phrases=st.lists(st.text(min_size=0, max_size=30), max_size=5),
    existing=st.dictionaries(st.integers(0, 50), st.floats(-10, 10), max_size=4),
)
def test_avoid_bias_only_lowers_and_keeps_what_was_given(
    phrases: list[str], existing: dict[int, float]
) -> None:
    def tokenize(text: str) -> list[int]:  # a stand-in vocabulary: one id per character
        return [ord(c) % 997 + 100 for c in text]

    out = avoid_bias(tokenize, phrases, existing)
    for token, bias in existing.items():
        assert out[token] == bias
    for token in out.keys() - existing.keys():
        assert out[token] == AVOID_BIAS
    common = avoid_bias(tokenize, ["the and of", "“The” a"], None)
    assert len(common) <= 2  # only “The”” (not common as written) can be biased
    assert avoid_bias(tokenize, ["Suddenly ✨ a wizard"], None)
