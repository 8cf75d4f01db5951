"""Benchmark the long-term memory's recall at 100,000 items, against numpy brute force.

Run with `python -m benchmarks.recall` (or as part of `make bench`); prints one JSON
object. A real library file (`memory.memories.MemoryStore`, SQLite with its FTS5 index)
is filled through `MemoryStore.add` with 100,000 memories whose text is real writing:
sentences of the CoAuthor sessions' final texts (replayed through `memory.coauthor`),
two or three to an entry, some with curly quotes and emoji; 5 % are story-bible entries
with names and keywords, 30 % voice passages, a few style rules and refused phrases, the
rest notes. The first 500 have real all-MiniLM-L6-v2 vectors (`memory.embedder`); the
rest random unit vectors (the vector part's cost does not depend on what the vectors
mean). Queries are 200 real passages of 60-90 words from the same stories.

Measured, as distributions over the queries:

- `recall`: `memory.recall.recall(store, near_cursor, query_vector=..., limit=8)`, the
  app's whole call for one prompt (pinned entries, names and keywords near the cursor,
  hybrid FTS5 bm25 + cosine fused by reciprocal rank, style rules, refused phrases, two
  voice passages), after the first call (which loads the vector matrix once: reported
  as `first_recall_ms`).
- the peer, interleaved query by query: numpy brute force over the same float32 matrix
  (the (100,000, 384) matrix the store holds, `matrix @ q`, `argpartition` for the top 8,
  those 8 sorted), the strongest plain-numpy vector search and only the vector half of
  what `recall` does.
- `query_embedding`: `Embedder.embed([query])` for each query, after a warm-up, through
  whatever engine `Embedder()` picks (`embedder_engine`: llama.cpp on the GGUF that
  `python -m memory.embedder_build` built, its threads for a single text chosen by
  measurement, `memory.embedder.ThreadChoice`; else sentence-transformers), interleaved
  query by query with the sentence-transformers engine (torch, one thread: what `embed`
  did before the GGUF, `query_embedding_sentence_transformers_ms`) and, when the engine
  is llama.cpp, the same model held to one thread and to two
  (`query_embedding_llama_cpp_1_thread_ms`, `..._2_threads_ms`); `query_tokens` and
  `tokenizer_ms` (tokenizing's share: llama.cpp's WordPiece, or `tokenizers` for the
  texts that need it) beside them.

`python -m benchmarks.recall --items 20000 --queries 50` runs a smaller library.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.stats import distribution, target

CORPUS = Path("/work/shared/corpora/coauthor/sessions")
ITEMS = 100_000
REAL_VECTORS = 500
QUERIES = 200
TOP = 8
COMMAND = "make bench (benchmarks/recall.py)"
FIRST = ("Ada", "Ben", "Chloë", "Dmitri", "Elif", "Farah", "Gus", "Hana", "Iñigo", "Jun")
LAST = ("Marsh", "O'Neill", "Quist", "Renard", "Søndergaard", "Tanaka", "Umber", "Vale")
PLACES = ("harbour", "lighthouse", "orchard", "market", "chapel", "quarry", "café")


def sentences() -> list[str]:
    """The sentences of the CoAuthor sessions' final texts (real writing)."""
    from memory.coauthor import replay_session

    out: list[str] = []
    for path in sorted(CORPUS.glob("*.jsonl*")):
        text = replay_session(path).final_text
        out.extend(s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 4)
    return out


def passages(pool: list[str], rng: random.Random, count: int, words: int) -> list[str]:
    """`count` runs of consecutive sentences, each at least `words` words."""
    out = []
    for _ in range(count):
        i = rng.randrange(len(pool))
        chunk: list[str] = []
        while sum(len(s.split()) for s in chunk) < words:
            chunk.append(pool[i % len(pool)])
            i += 1
        out.append(" ".join(chunk))
    return out


def fill(store: Any, pool: list[str], rng: random.Random, items: int) -> None:
    """`items` memories through `MemoryStore.add`, in one transaction (named ones first,
    while the table is small: `add` looks for an entry of the same name)."""
    named = items // 20
    with store.transaction():
        for i in range(named):
            first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
            kind = ("character", "place", "term", "claim")[i % 4]
            name = f"{first} {last} {i}" if kind == "character" else f"the {PLACES[i % 7]} {i}"
            text = " ".join(rng.sample(pool, 2))
            store.add(text, kind, name=name, keywords=[f"{last.lower()}{i}", f"tag{i}"])
        for i in range(40):
            store.add(f"Prefer short sentences, rule {i} — “plain” words.", "style")
            store.add(f"a sudden chill {i}", "avoid")
        for i in range(items - named - 80):
            text = " ".join(rng.sample(pool, rng.choice((2, 3))))
            if i % 10 == 0:
                text = f"“{text}” 🌊"
            store.add(text, "voice" if i % 10 < 3 else "note")


def vectors(store: Any, rng: np.random.Generator) -> None:
    """Real vectors for the first REAL_VECTORS memories, random unit ones for the rest."""
    from memory.embedder import Embedder

    embedder = Embedder()
    first = store.missing_embeddings(limit=REAL_VECTORS)
    real = embedder.embed([t for _, t in first])
    store.set_embeddings(list(zip([m for m, _ in first], real, strict=True)))
    embedder.close()
    while True:
        missing = store.missing_embeddings(limit=20_000)
        if not missing:
            break
        block = rng.standard_normal((len(missing), 384)).astype(np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        store.set_embeddings(list(zip([m for m, _ in missing], block, strict=True)))


def peer_top(matrix: np.ndarray, ids: np.ndarray, q: np.ndarray, k: int = TOP) -> list[int]:
    """numpy brute force: every similarity, the top k by argpartition, sorted."""
    sims = matrix @ q
    part = np.argpartition(-sims, k)[:k]
    return [int(ids[i]) for i in part[np.argsort(-sims[part])]]


def run(items: int = ITEMS, queries: int = QUERIES) -> dict[str, Any]:
    from memory.embedder import Embedder
    from memory.memories import MemoryStore
    from memory.recall import recall

    rng = random.Random(12)
    pool = sentences()
    results: dict[str, Any] = {"items": items, "sentences_in_pool": len(pool)}
    with tempfile.TemporaryDirectory() as tmp:
        store = MemoryStore(Path(tmp) / "draftsmith.db")
        started = time.perf_counter()
        fill(store, pool, rng, items)
        results["fill_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        vectors(store, np.random.default_rng(12))
        results["vectors_s"] = round(time.perf_counter() - started, 1)
        store.close()

        embedder = Embedder()
        texts = passages(pool, rng, queries, 60)
        t0 = time.perf_counter()
        embedder.embed(texts[:4])  # warm-up (the model loads here)
        results["embedder_load_and_warm_up_s"] = round(time.perf_counter() - t0, 2)
        results["embedder_engine"] = embedder.engine
        before = Embedder(engine="sentence-transformers")  # the engine before the GGUF
        before.embed(texts[:4])
        llama = embedder.engine == "llama.cpp"
        fixed = {n: Embedder(engine="llama.cpp", query_threads=n) for n in (1, 2)} if llama else {}
        for other in fixed.values():
            other.embed(texts[:4])
        embed_ms, before_ms, query_vectors = [], [], []
        fixed_ms: dict[int, list[float]] = {n: [] for n in fixed}
        tokens, tokenizer_ms = [], []
        for text in texts:
            t0 = time.perf_counter()
            query_vectors.append(embedder.embed([text])[0])
            embed_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            before.embed([text])
            before_ms.append((time.perf_counter() - t0) * 1000)
            for n, other in fixed.items():  # the same model held to n threads
                t0 = time.perf_counter()
                other.embed([text])
                fixed_ms[n].append((time.perf_counter() - t0) * 1000)
            if llama:
                model: Any = embedder._model  # noqa: SLF001
                t0 = time.perf_counter()
                tokens.append(len(model.tokens(text)))
                tokenizer_ms.append((time.perf_counter() - t0) * 1000)
        embedder.close()
        before.close()
        for other in fixed.values():
            other.close()

        store = MemoryStore(Path(tmp) / "draftsmith.db")  # reopened: nothing cached
        t0 = time.perf_counter()
        recall(store, texts[0], query_vector=query_vectors[0], limit=TOP)
        results["first_recall_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        ids_list, matrix = store.embeddings()
        ids = np.asarray(ids_list, dtype=np.int64)
        ours, peer, found = [], [], 0
        for text, vector in zip(texts, query_vectors, strict=True):
            q = np.asarray(vector, dtype=np.float32)
            t0 = time.perf_counter()
            got = recall(store, text, query_vector=vector, limit=TOP)
            ours.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            top = peer_top(matrix, ids, q)
            peer.append((time.perf_counter() - t0) * 1000)
            found += bool({r.memory.id for r in got.entries + got.voice} & set(top))
        store.close()
    results["recall_ms"] = distribution(ours)
    results["numpy_brute_force_ms"] = distribution(peer)
    results["query_embedding_ms"] = distribution(embed_ms)
    results["query_embedding_sentence_transformers_ms"] = distribution(before_ms)
    if fixed_ms:
        results["query_embedding_llama_cpp_1_thread_ms"] = distribution(fixed_ms[1])
        results["query_embedding_llama_cpp_2_threads_ms"] = distribution(fixed_ms[2])
        results["query_tokens"] = distribution([float(t) for t in tokens])
        results["tokenizer_ms"] = distribution(tokenizer_ms)
    results["queries_sharing_an_item_with_the_peer_top8"] = found
    results["targets"] = [
        target(
            f"memory recall, top-{TOP} of {items:,} (p95)",
            results["recall_ms"]["p95"],
            "ms",
            "<= 20 ms",
            command=COMMAND,
            peer="numpy brute force, same float32 matrix, p95",
            peer_value=results["numpy_brute_force_ms"]["p95"],
            limit_value=20.0,
        ),
        target(
            "query embedding, all-MiniLM-L6-v2, 60-90 words (p95)",
            results["query_embedding_ms"]["p95"],
            "ms",
            "<= 25 ms",
            command=COMMAND,
            limit_value=25.0,
        ),
    ]
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.recall")
    parser.add_argument("--items", type=int, default=ITEMS, help="memories in the library")
    parser.add_argument("--queries", type=int, default=QUERIES, help="queries timed")
    args = parser.parse_args()
    print(json.dumps(run(args.items, args.queries), indent=2))
