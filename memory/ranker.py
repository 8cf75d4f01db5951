"""A per-writer model of which suggestion this writer takes, for ranking candidates.

Each candidate becomes a few features, standardised within the set shown together:
the model's log-probability, its length, its similarity to the text before the cursor,
where it was shown in the list, and, from what this writer's memory holds, its
similarity to the suggestions they kept rather than refused (centroids and nearest
neighbours), to their own writing (voice passages), and to the length they usually
keep. A conditional logit (softmax over the set) scores them. Its weights start from a
prior that comes from general knowledge, never from any writer's data: people pick the
first options of a list more often (primacy; `shown_early`) and likelier text reads
better (`logprob`); every other weight starts at zero. Each pick moves the weights one
small step towards what this writer chose, and pulls them back towards the prior, so a
handful of picks cannot run away with it.

`global` ranking in the benchmark is the same model fed with every writer's earlier
picks pooled (still causal), so the comparison is between personal and pooled memory.

Where a pooled profile exists (the benchmark's `global`), a writer's profile can take it
as its `parent`: a two-level (hierarchical) model. The writer's features still come from
their own memory (their kept and refused suggestions, their voice, their usual length),
but the weights are the parent's current weights plus a per-writer offset that starts at
zero, learns from this writer's picks at `PERSONAL_RATE` and is pulled back to zero by
`PERSONAL_SHRINK` each step. With little personal data the writer is ranked by what
everyone's picks taught; only a writer whose picks keep pointing the same way moves
away from it. On the CoAuthor sample the per-writer offset did not pay: at a zero rate
personal top-1 is 0.309-0.314 whatever the pooled rate, with a positive one anywhere
from 0.264 to 0.324, and leave-one-writer-out (which chose 0 for two held-out writers
and 0.05 for two) does no better than the first option shown (docs/performance.md). So
it ships at zero, and the personal part is the writer's own memory in the features,
weighted as everyone's picks taught.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Vector = np.ndarray[Any, np.dtype[np.float32]]

FEATURES = (
    "logprob",
    "length",
    "context_similarity",
    "kept_vs_refused",
    "nearest_kept_vs_refused",
    "voice_similarity",
    "usual_length",
    "new_paragraph",
    "shown_early",
)
#: One prior for every writer, from general knowledge rather than from any writer's
#: picks: the first options shown are taken more often, likelier text reads better.
PRIOR = np.array([0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], dtype=np.float64)
LEARNING_RATE = 0.05
SHRINK = 0.05  # pull towards the prior each step, so a few picks cannot run away
NEAREST = 3
#: With a parent (pooled) profile: how fast the writer's own offset from the parent's
#: weights learns, and how hard it is pulled back to zero each step.
PERSONAL_RATE = 0.0
PERSONAL_SHRINK = 0.05


@dataclass(frozen=True)
class Candidate:
    """One suggestion on offer: its text (as shown), embedding and log-probability."""

    text: str
    vector: Vector
    logprob: float | None = None
    new_paragraph: bool = False


#: Below this spread (relative to the values) a column holds one value: BLAS may give
#: identical rows of a float32 product different last bits, which must not rank them.
FLAT = 1e-6


def _standardise(column: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    spread = column.std()
    if spread <= FLAT * max(1.0, float(np.abs(column).max(initial=0.0))):
        return np.zeros_like(column)
    return (column - column.mean()) / spread


@dataclass
class WriterProfile:
    """What the memory knows about one writer's taste (or, pooled, about everyone's)."""

    prior: np.ndarray[Any, Any] = field(default_factory=lambda: PRIOR.copy())
    learning_rate: float = LEARNING_RATE
    shrink: float = SHRINK
    weights: np.ndarray[Any, Any] = field(default_factory=lambda: np.zeros(0))
    kept: list[Vector] = field(default_factory=list)
    refused: list[Vector] = field(default_factory=list)
    kept_lengths: list[float] = field(default_factory=list)
    voice: list[Vector] = field(default_factory=list)
    picks: int = 0
    #: A pooled profile to borrow weights from (see the module doc); None: own weights.
    parent: WriterProfile | None = None
    personal_rate: float = PERSONAL_RATE
    personal_shrink: float = PERSONAL_SHRINK
    offset: np.ndarray[Any, Any] = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        if self.weights.shape != self.prior.shape:
            self.weights = self.prior.astype(np.float64).copy()
        if self.offset.shape != self.prior.shape:
            self.offset = np.zeros_like(self.prior, dtype=np.float64)

    def effective_weights(self) -> np.ndarray[Any, Any]:
        """The weights that score: the parent's plus this writer's offset, or its own."""
        if self.parent is None:
            return self.weights
        return self.parent.effective_weights() + self.offset

    def features(
        self, context: Vector | None, candidates: Sequence[Candidate]
    ) -> np.ndarray[Any, Any]:
        """The (n, len(FEATURES)) matrix for one set of candidates."""
        n = len(candidates)
        matrix = np.asarray([c.vector for c in candidates], dtype=np.float32).reshape(n, -1)
        out = np.zeros((n, len(FEATURES)), dtype=np.float64)
        lengths = np.array([math.log1p(len(c.text)) for c in candidates])
        if all(c.logprob is not None for c in candidates):
            out[:, 0] = _standardise(np.array([c.logprob or 0.0 for c in candidates]))
        out[:, 1] = _standardise(lengths)
        if context is not None:
            out[:, 2] = _standardise(matrix @ context)
        out[:, 7] = [1.0 if c.new_paragraph else 0.0 for c in candidates]
        out[:, 8] = _standardise(-np.arange(n, dtype=np.float64))  # the order shown
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
        return self.features(context, candidates) @ self.effective_weights()

    def rank(self, context: Vector | None, candidates: Sequence[Candidate]) -> list[int]:
        """Indices of `candidates`, best first (ties keep the order shown)."""
        scores = self.scores(context, candidates)
        return sorted(range(len(candidates)), key=lambda i: (-scores[i], i))

    def learn(self, context: Vector | None, candidates: Sequence[Candidate], picked: int) -> None:
        """The writer kept `picked` and refused the rest: one step towards that choice."""
        if len(candidates) > 1:
            x = self.features(context, candidates)
            z = x @ self.effective_weights()
            p = np.exp(z - z.max())
            p /= p.sum()
            gradient = x[picked] - p @ x
            if self.parent is None:
                self.weights += self.learning_rate * gradient - self.shrink * (
                    self.weights - self.prior
                )
            else:
                self.offset += self.personal_rate * gradient - self.personal_shrink * self.offset
        for i, c in enumerate(candidates):
            (self.kept if i == picked else self.refused).append(c.vector)
        self.kept_lengths.append(math.log1p(len(candidates[picked].text)))
        self.picks += 1

    def add_voice(self, vectors: Sequence[Vector]) -> None:
        """Passages of the writer's own text (never model text) to compare candidates with."""
        self.voice.extend(vectors)
