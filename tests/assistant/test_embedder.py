"""The bundled sentence embedder, loaded offline."""

from __future__ import annotations

import math

import pytest

from memory.embedder import EMBEDDING_DIMENSION, Embedder, EmbedderError, embedder_path

pytestmark = pytest.mark.embedder


def test_embedder_path_is_the_bundled_model() -> None:
    path = embedder_path()
    assert path is not None and (path / "model.safetensors").is_file()


def test_embeddings_are_384_dimensions(embedder: Embedder) -> None:
    vectors = embedder.embed(["The keeper climbed the stairs.", "A ship sailed past."])
    assert len(vectors) == 2
    assert all(len(v) == EMBEDDING_DIMENSION == 384 for v in vectors)
    assert math.isclose(sum(x * x for x in vectors[0]), 1.0, rel_tol=1e-4)


def test_similar_sentences_are_closer(embedder: Embedder) -> None:
    a, b, c = embedder.embed(
        [
            "The lighthouse keeper climbs the tower.",
            "A keeper walks up the lighthouse.",
            "Quarterly tax filings are due in April.",
        ]
    )

    def dot(x: list[float], y: list[float]) -> float:
        return sum(p * q for p, q in zip(x, y, strict=True))

    assert dot(a, b) > dot(a, c)


def test_nothing_to_embed() -> None:
    assert Embedder().embed([]) == []


def test_missing_model_folder_is_a_plain_error(tmp_path) -> None:
    with pytest.raises(EmbedderError, match="not"):
        Embedder(tmp_path / "nowhere").load()
