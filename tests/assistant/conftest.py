"""Session-wide real model and embedder, loaded once so the suite stays quick."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.backend import LlamaBackend
from memory.embedder import Embedder


@pytest.fixture(scope="session")
def backend(default_model: Path) -> Iterator[LlamaBackend]:
    loaded = LlamaBackend()
    loaded.load(default_model, n_ctx=2048, n_threads=2)
    yield loaded
    loaded.close()


@pytest.fixture(scope="session")
def embedder() -> Iterator[Embedder]:
    model = Embedder()
    model.load()
    yield model
    model.close()
