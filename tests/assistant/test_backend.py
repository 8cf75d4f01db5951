"""Loading the real model, streaming, cancelling and closing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from assistant.backend import KV_CACHE_TYPE, LlamaBackend, ModelLoadError, ModelNotLoadedError

pytestmark = pytest.mark.model
PROMPT = "The old lighthouse keeper climbed the stairs every night. He"


def test_load_reports_progress_and_identity(default_model: Path) -> None:
    fractions: list[float] = []
    fresh = LlamaBackend()
    try:
        model_file = fresh.load(default_model, n_ctx=512, n_threads=2, progress=fractions.append)
        assert fresh.loaded
        assert fractions[0] == 0.0 and fractions[-1] == 1.0
        assert len(model_file.sha256) == 64
        assert fresh.model_name == "SmolLM2-135M-Instruct.Q4_1"
    finally:
        fresh.close()
    assert not fresh.loaded


def test_generate_streams_tokens(backend: LlamaBackend) -> None:
    pieces: list[str] = []
    result = backend.generate(PROMPT, max_tokens=12, on_token=pieces.append, seed=3)
    assert len(pieces) >= 2
    assert "".join(pieces) == result.text
    assert result.text.strip()
    assert result.tokens == 12 and result.finish_reason == "length"
    assert not result.cancelled
    assert result.tokens_per_s > 0  # measured, not judged: speed is in make bench
    assert result.prompt_tokens > 5
    assert result.first_token_s is not None and result.first_token_s < result.seconds


def test_should_stop_cancels_between_tokens(backend: LlamaBackend) -> None:
    pieces: list[str] = []
    result = backend.generate(
        "Once upon a time",
        max_tokens=64,
        on_token=pieces.append,
        should_stop=lambda: len(pieces) >= 3,
    )
    assert result.cancelled and result.finish_reason == "cancelled"
    assert len(pieces) == 3
    assert result.text == "".join(pieces)
    assert result.tokens < 64


def test_cancel_before_start_generates_nothing(backend: LlamaBackend) -> None:
    result = backend.generate(PROMPT, should_stop=lambda: True)
    assert result.cancelled and result.text == "" and result.tokens == 0


def test_extending_the_prompt_reuses_the_cache(backend: LlamaBackend) -> None:
    document = "Chapter one.\n\n" + "The harbour was quiet in the early morning light. " * 20
    backend.generate("Something else entirely.", max_tokens=1)
    backend.generate(document, max_tokens=1)
    cold = backend.prompt_tokens_evaluated
    backend.generate(document + "The", max_tokens=1)
    warm = backend.prompt_tokens_evaluated
    # Counted, not timed (a timing fails on a busy machine): the whole document is
    # evaluated once, then only what extends it (and its last token, re-split).
    assert cold >= backend.count_tokens(document)
    assert 0 < warm <= 3


def test_generations_take_turns(backend: LlamaBackend) -> None:
    results: list[str] = []

    def run() -> None:
        results.append(backend.generate(PROMPT, max_tokens=4).text)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 3


def test_corrupt_gguf_is_a_load_error(default_model: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(default_model.read_bytes()[:1024])
    with pytest.raises(ModelLoadError, match="could not be loaded"):
        LlamaBackend().load(broken)


def test_garbage_after_magic_is_a_load_error(tmp_path: Path) -> None:
    broken = tmp_path / "garbage.gguf"
    broken.write_bytes(b"GGUF" + bytes(range(256)) * 16)
    with pytest.raises(ModelLoadError):
        LlamaBackend().load(broken)


def test_missing_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="does not exist"):
        LlamaBackend().load(tmp_path / "nope.gguf")


def test_generate_without_a_model_is_a_bug() -> None:
    with pytest.raises(ModelNotLoadedError):
        LlamaBackend().generate(PROMPT)


def test_missing_runtime_is_a_load_error(
    default_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    with pytest.raises(ModelLoadError, match="llama-cpp-python"):
        LlamaBackend().load(default_model)


def test_importing_assistant_is_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, assistant.backend, assistant.continuation, assistant.prompts, "
        "assistant.model_files, memory.embedder; "
        "heavy = [m for m in ('llama_cpp', 'sentence_transformers', 'torch', 'PySide6') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_close_stops_a_running_generation(default_model: Path) -> None:
    fresh = LlamaBackend()
    fresh.load(default_model, n_ctx=512, n_threads=2)
    started = threading.Event()
    results = []

    def on_token(_piece: str) -> None:
        started.set()

    worker = threading.Thread(
        target=lambda: results.append(
            fresh.generate("Once upon a time", max_tokens=400, on_token=on_token)
        )
    )
    worker.start()
    assert started.wait(timeout=10)
    fresh.close()
    worker.join(timeout=10)
    assert results and results[0].cancelled
    assert not fresh.loaded


def test_flash_attention_is_on_where_llama_cpp_supports_it(backend: LlamaBackend) -> None:
    """On CPU llama.cpp supports it: +14 % generation, +23 % prompt speed here."""
    assert backend.flash_attn


def test_the_kv_cache_is_8_bit_with_flash_attention(backend: LlamaBackend) -> None:
    """Half the f16 cache's memory; the cache-reuse tests below run on it too."""
    params = backend._llm.context_params
    assert (params.type_k, params.type_v) == (KV_CACHE_TYPE, KV_CACHE_TYPE)


def test_generation_threads_apart_from_the_prompts(default_model: Path) -> None:
    from assistant.backend import beside_a_window_thread_count, default_thread_count

    assert beside_a_window_thread_count() == max(1, default_thread_count() - 1)
    fresh = LlamaBackend()
    try:
        fresh.load(default_model, n_ctx=512, n_threads=2, generation_threads=1)
        params = fresh._llm.context_params
        assert (params.n_threads, params.n_threads_batch) == (1, 2)
        assert fresh.generate(PROMPT, max_tokens=4, seed=3).text
        fresh.load(default_model, n_ctx=512, n_threads=2)  # not given: the same for both
        params = fresh._llm.context_params
        assert (params.n_threads, params.n_threads_batch) == (2, 2)
    finally:
        fresh.close()
