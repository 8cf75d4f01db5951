"""Peak resident memory of the app with its model and embedder in use, against the three
libraries loaded naively in one process.

Run with `python -m benchmarks.rss` (or as part of `make bench`); prints one JSON
object. Each side runs in a fresh process and reports its own peak RSS
(`resource.getrusage(RUSAGE_SELF).ru_maxrss`, kB on Linux), three rounds, interleaved,
with the peak so far after each stage (`ours_peak_after_mb`, `naive_peak_after_mb`).

- ours: the window as `draftsmith FILE` opens it (`app.main.open_window`, a 100 KB
  manuscript, no model loaded by the window), then the bundled model loaded through the
  app's `assistant.backend.LlamaBackend` with the app's settings (the suggestion model's
  context, `ModelService.suggestion_n_ctx`) and a 32-token completion, the bundled
  embedder through `memory.embedder.Embedder` embedding 64 passages (whatever engine it
  picks: llama.cpp on the GGUF built at setup, found in the real user cache through
  `$DRAFTSMITH_EMBEDDER_CACHE`, else sentence-transformers;
  `ours_embedder_engine` says which, and whether torch was loaded), and one
  `memory.recall.recall` over 2,000 memories with their vectors: the
  app's own paths, all in the one process that holds the window.
- the peer, "naive": what a script using the same three libraries with their default
  settings holds: `import torch`, `sentence_transformers.SentenceTransformer(folder)`
  encoding the same 64 passages, `llama_cpp.Llama(model_path=...)` (its defaults:
  n_ctx 512, mmap on) completing 32 tokens. No Qt, no SQLite, no window: the peer holds
  less than the app does, so the comparison is the stricter one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.stats import target

COMMAND = "make bench (benchmarks/rss.py)"
ROUNDS = 3

_PASSAGES = """
import resource
def stage(name):
    print("stage", name, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
texts = [f"The keeper’s lamp {i} burned low over the harbour 🌊, and the tide turned." * 3
         for i in range(64)]
"""

OURS = (
    _PASSAGES
    + """
import os, resource, sys, tempfile
from pathlib import Path
from app.main import open_window
file = Path(sys.argv[1])
app, room = open_window(file, model_path=None, load_model=False)
app.processEvents()
stage("window")
from assistant.backend import LlamaBackend
from assistant.model_files import default_model_path
backend = LlamaBackend()
backend.load(default_model_path(), n_ctx=room.model.suggestion_n_ctx())
backend.complete("The lighthouse keeper looked out at the sea and", max_tokens=32, seed=1)
stage("model")
from memory.embedder import Embedder
embedder = Embedder()
vectors = embedder.embed(texts)
stage("embedder")
print("engine", embedder.engine, "torch" in sys.modules, flush=True)
from memory.memories import MemoryStore
from memory.recall import recall
store = MemoryStore(Path(tempfile.mkdtemp()) / "memory.db")
with store.transaction():
    for i in range(2000):
        store.add(texts[i % 64] + f" {i}", "note")
store.set_embeddings([(m.id, vectors[m.id % 64]) for m in store.memories()])
recall(store, texts[3], query_vector=vectors[3], limit=8)
app.processEvents()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
os._exit(0)
"""
)

NAIVE = (
    _PASSAGES
    + """
import os, resource, sys
import torch
from sentence_transformers import SentenceTransformer
from llama_cpp import Llama
stage("imports")
model = SentenceTransformer(sys.argv[1])
model.encode(texts)
stage("embedder")
llm = Llama(model_path=sys.argv[2], verbose=False)
llm("The lighthouse keeper looked out at the sea and", max_tokens=32, seed=1)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
os._exit(0)
"""
)


def _peak_mb(
    script: str,
    args: list[str],
    env: dict[str, str],
    stages: dict[str, list[float]],
    engines: set[str] | None = None,
) -> float:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip().isdigit()]
    for line in done.stdout.splitlines():
        if line.startswith("stage "):
            _, name, kb = line.split()
            stages.setdefault(name, []).append(round(int(kb) / 1024, 1))
        elif line.startswith("engine ") and engines is not None:
            _, engine, torch = line.split()
            engines.add(f"{engine}, torch {'loaded' if torch == 'True' else 'not loaded'}")
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the child failed ({done.returncode}): {done.stderr[-2000:]}")
    return int(lines[-1]) / 1024


def run(rounds: int = ROUNDS) -> dict[str, Any]:
    from assistant.model_files import default_model_path
    from memory.embedder import embedder_path
    from memory.embedder_cache import CACHE_ENV, cache_dir

    model, folder = default_model_path(), embedder_path()
    if model is None or folder is None:
        raise RuntimeError("the bundled model and embedder are needed for this benchmark")
    ours: list[float] = []
    naive: list[float] = []
    ours_stages: dict[str, list[float]] = {}
    naive_stages: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        manuscript = home / "book.md"
        manuscript.write_text("The keeper’s lamp burned low. 🌊\n\n" * 3000, encoding="utf-8")
        env = {k: v for k, v in os.environ.items()}
        env.update(
            HOME=str(home),
            XDG_DATA_HOME=str(home / "data"),
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_CACHE_HOME=str(home / "cache"),
            QT_QPA_PLATFORM="offscreen",
            HF_HUB_OFFLINE="1",
        )
        env[CACHE_ENV] = str(cache_dir())  # the embedder built at setup, not the empty HOME's
        engines: set[str] = set()
        for _ in range(rounds):
            ours.append(_peak_mb(OURS, [str(manuscript)], env, ours_stages, engines))
            naive.append(_peak_mb(NAIVE, [str(folder), str(model)], env, naive_stages))
    ours_mb, naive_mb = max(ours), max(naive)
    return {
        "ours_peak_rss_mb": [round(v, 1) for v in ours],
        "naive_peak_rss_mb": [round(v, 1) for v in naive],
        "ours_embedder_engine": sorted(engines),
        "ours_peak_after_mb": ours_stages,  # peak so far after the window, model, embedder
        "naive_peak_after_mb": naive_stages,
        "targets": [
            target(
                f"peak RSS, window + model + embedder in use (max of {rounds})",
                ours_mb,
                "MB",
                "<= 0.5x the three libraries loaded naively",
                command=COMMAND,
                peer="torch + sentence-transformers + llama-cpp-python, defaults, one process",
                peer_value=naive_mb,
                limit_ratio=0.5,
            )
        ],
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
