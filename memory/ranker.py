"""A per-writer model of which suggestion this writer takes, for ranking candidates.

Each candidate becomes a few features, standardised within the set shown together:
the model's log-probability per character, its length, its similarity to the text
before the cursor, where it was shown in the list, and, from what this writer's memory
holds, its similarity to the suggestions they kept rather than refused (centroids and
nearest neighbours), to their own writing (voice passages), and to the length they
usually keep. A conditional logit (softmax over the set) scores them; its weights
start from one prior shared by every writer and move, one small step per pick,
towards what this writer chose.

`global` ranking is the same model with no personal memory: prior weights only, and
the personal features zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Vector = np.ndarray[Any, np.dtype[np.float32]]

FEATURES = (
    "logprob_per_char",
    "length",
    "context_similarity",
    "kept_vs_refused",
    "nearest_kept_vs_refused",
    "voice_similarity",
    "usual_length",
    "new_paragraph",
    "shown_early",
)
#: One prior for every writer: likelier and more on-topic text is a better first guess.
PRIOR = np.array([0.3, 0.0, 0.3, 0.3, 0.3, 0.2, 0.2, 0.0, 0.0], dtype=np.float64)
PERSONAL = np.array([0, 0, 0, 1, 1, 1, 1, 0, 0], dtype=np.float64)
LEARNING_RATE = 0.15
SHRINK = 0.02  # pull towards the prior each step, so a few picks cannot run away
NEAREST = 3


@dataclass(frozen=True)
class Candidate:
    """One suggestion on offer: its text (as shown), embedding and log-probability."""

    text: str
    vector: Vector
    logprob: float | None = None
    new_paragraph: bool = False


def _standardise(column: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    spread = column.std()
    return (column - column.mean()) / spread if spread > 1e-9 else np.zeros_like(column)


@dataclass
class WriterProfile:
    """What the memory knows about one writer's taste; `personal=False` ignores all of it."""

    personal: bool = True
    weights: np.ndarray[Any, Any] = field(default_factory=lambda: PRIOR.copy())
    kept: list[Vector] = field(default_factory=list)
    refused: list[Vector] = field(default_factory=list)
    kept_lengths: list[float] = field(default_factory=list)
    voice: list[Vector] = field(default_factory=list)
    picks: int = 0

    def features(
        self, context: Vector | None, candidates: Sequence[Candidate]
    ) -> np.ndarray[Any, Any]:
        """The (n, len(FEATURES)) matrix for one set of candidates."""
        n = len(candidates)
        matrix = np.asarray([c.vector for c in candidates], dtype=np.float32).reshape(n, -1)
        out = np.zeros((n, len(FEATURES)), dtype=np.float64)
        lengths = np.array([math.log1p(len(c.text)) for c in candidates])
        if all(c.logprob is not None for c in candidates):
            out[:, 0] = _standardise(
                np.array([(c.logprob or 0.0) / max(len(c.text), 1) for c in candidates])
            )
        out[:, 1] = _standardise(lengths)
        if context is not None:
            out[:, 2] = _standardise(matrix @ context)
        out[:, 7] = [1.0 if c.new_paragraph else 0.0 for c in candidates]
        out[:, 8] = _standardise(-np.arange(n, dtype=np.float64))  # the order shown
        if not self.personal:
            return out
        if self.kept and self.refused:
            kept = np.asarray(self.kept, dtype=np.float32)
            refused = np.asarray(self.refused, dtype=np.float32)
            out[:, 3] = _standardise(matrix @ kept.mean(0) - matrix @ refused.mean(0))
            near_kept = np.sort(matrix @ kept.T, axis=1)[:, -NEAREST:].mean(1)
            near_refused = np.sort(matrix @ refused.T, axis=1)[:, -NEAREST:].mean(1)
            out[:, 4] = _standardise(near_kept - near_refused)
        if self.voice:
            out[:, 5] = _standardise(matrix @ np.asarray(self.voice, dtype=np.float32).mean(0))
        if self.kept_lengths:
            usual = float(np.median(self.kept_lengths))
            out[:, 6] = _standardise(-np.abs(lengths - usual))
        return out

    def scores(
        self, context: Vector | None, candidates: Sequence[Candidate]
    ) -> np.ndarray[Any, Any]:
        """One score per candidate (higher: likelier to be kept)."""
        weights = self.weights if self.personal else PRIOR * (1 - PERSONAL)
        return self.features(context, candidates) @ weights

    def rank(self, context: Vector | None, candidates: Sequence[Candidate]) -> list[int]:
        """Indices of `candidates`, best first (ties keep the order shown)."""
        scores = self.scores(context, candidates)
        return sorted(range(len(candidates)), key=lambda i: (-scores[i], i))

    def learn(self, context: Vector | None, candidates: Sequence[Candidate], picked: int) -> None:
        """The writer kept `picked` and refused the rest: one step towards that choice."""
        if not self.personal:
            return
        if len(candidates) > 1:
            x = self.features(context, candidates)
            z = x @ self.weights
            p = np.exp(z - z.max())
            p /= p.sum()
            gradient = x[picked] - p @ x
            self.weights += LEARNING_RATE * gradient - SHRINK * (self.weights - PRIOR)
        for i, c in enumerate(candidates):
            (self.kept if i == picked else self.refused).append(c.vector)
        self.kept_lengths.append(math.log1p(len(candidates[picked].text)))
        self.picks += 1

    def add_voice(self, vectors: Sequence[Vector]) -> None:
        """Passages of the writer's own text (never model text) to compare candidates with."""
        self.voice.extend(vectors)
