"""Feedback on every suggestion shown: what it was, where, by which model, and its fate.

Outcomes: accepted, partly accepted (how many characters), refused (Esc or typed over),
ignored (the writer moved on), and rewritten (accepted, then changed: the ledger says
how much). The same path records the app's suggestions and the benchmark's replayed
picks. A phrase refused `REFUSALS_TO_AVOID` times becomes an "avoid" memory, shown in
the memory panel (deleting it lifts the suppression).
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from memory.memories import AVOID, MemoryStore, feedback_rows

__all__ = ["feedback_rows"]

ACCEPTED, PARTIAL, REFUSED, IGNORED, REWRITTEN, SHOWN = (
    "accepted",
    "partial",
    "refused",
    "ignored",
    "rewritten",
    "shown",
)
OUTCOMES = (ACCEPTED, PARTIAL, REFUSED, IGNORED, REWRITTEN, SHOWN)
#: Outcomes in which the writer kept at least some of the suggestion.
KEPT = (ACCEPTED, PARTIAL, REWRITTEN)
REFUSALS_TO_AVOID = 3
PHRASE_WORDS = 4


@dataclass(frozen=True)
class Feedback:
    """One suggestion shown to a writer and what became of it."""

    writer: str
    context: str
    text: str
    outcome: str
    doc_key: str = ""
    project: str = ""
    accepted_chars: int = 0
    rank: int = 0
    model: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)
    logprob: float | None = None
    at: float | None = None


def normalise_phrase(text: str) -> str:
    """Lower case, words only, single spaces: how refused phrases are compared."""
    return " ".join(re.findall(r"[\w']+", text.lower()))


def phrases_of(text: str) -> list[str]:
    """The phrases a refused suggestion counts against: all of it, and its opening words."""
    words = normalise_phrase(text).split()
    if not words:
        return []
    out = [" ".join(words)]
    if len(words) > PHRASE_WORDS:
        out.append(" ".join(words[:PHRASE_WORDS]))
    return out


def record(
    store: MemoryStore, feedback: Feedback, embedding: Sequence[float] | None = None
) -> int | None:
    """Store one piece of feedback; None (nothing stored) while learning is paused or the
    document is private. A third refusal of a phrase makes it an "avoid" memory."""
    if feedback.outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {feedback.outcome!r}")
    if store.learning_paused or store.is_private(feedback.doc_key):
        return None
    blob = None
    if embedding is not None:
        import numpy as np

        blob = np.asarray(embedding, dtype=np.float32).tobytes()
    with store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO feedback (at, writer, doc_key, project, context, text, outcome, "
            "accepted_chars, rank, model, settings, logprob, embedding) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                time.time() if feedback.at is None else feedback.at,
                feedback.writer,
                feedback.doc_key,
                feedback.project,
                feedback.context,
                feedback.text,
                feedback.outcome,
                feedback.accepted_chars,
                feedback.rank,
                feedback.model,
                json.dumps(dict(feedback.settings)),
                feedback.logprob,
                blob,
            ],
        )
        feedback_id = int(cur.lastrowid or 0)
        if feedback.outcome == REFUSED:
            _learn_refusal(store, feedback, feedback_id)
    return feedback_id


def _learn_refusal(store: MemoryStore, feedback: Feedback, feedback_id: int) -> None:
    with store.transaction() as conn:
        for phrase in phrases_of(feedback.text):
            conn.execute(
                "INSERT INTO refused_phrases (writer, phrase, count) VALUES (?, ?, 1) "
                "ON CONFLICT(writer, phrase) DO UPDATE SET count = count + 1",
                [feedback.writer, phrase],
            )
            (count,) = conn.execute(
                "SELECT count FROM refused_phrases WHERE writer = ? AND phrase = ?",
                [feedback.writer, phrase],
            ).fetchone()
            if count != REFUSALS_TO_AVOID:
                continue
            known = conn.execute(
                "SELECT 1 FROM memories WHERE kind = ? AND text = ?", [AVOID, phrase]
            ).fetchone()
            if known is None:
                store.add(
                    phrase,
                    AVOID,
                    evidence=[{"kind": "suggestions", "refused": count, "last": feedback_id}],
                )


def refusal_counts(store: MemoryStore, writer: str | None = None) -> Counter[str]:
    """How often each phrase was refused (by one writer, or anyone)."""
    sql = "SELECT phrase, SUM(count) FROM refused_phrases"
    params: list[Any] = []
    if writer is not None:
        sql += " WHERE writer = ?"
        params.append(writer)
    return Counter({phrase: int(n) for phrase, n in store.query(sql + " GROUP BY phrase", params)})


def avoided_phrases(store: MemoryStore) -> list[str]:
    """Phrases not to offer again (the active "avoid" memories), normalised."""
    return [normalise_phrase(m.text) for m in store.memories([AVOID])]


@dataclass(frozen=True)
class Period:
    """Acceptance over one period (a day): suggestions shown, and how many were kept."""

    start: float
    shown: int
    kept: int

    @property
    def rate(self) -> float:
        return self.kept / self.shown if self.shown else 0.0


def acceptance_over_time(store: MemoryStore, period_s: float = 86400.0) -> list[Period]:
    """The acceptance rate (kept / shown, every outcome counts as shown) per period."""
    rows = store.query(
        "SELECT CAST(at / ? AS INTEGER) AS p, COUNT(*), "
        f"SUM(outcome IN ({','.join('?' * len(KEPT))})) FROM feedback "
        "WHERE outcome != ? GROUP BY p ORDER BY p",
        [period_s, *KEPT, SHOWN],
    )
    return [Period(float(p) * period_s, int(n), int(k or 0)) for p, n, k in rows]


def stats(store: MemoryStore, period_s: float = 86400.0) -> dict[str, Any]:
    """What `draftsmith stats` reports: totals by outcome and acceptance per period."""
    by_outcome = dict.fromkeys(OUTCOMES, 0)
    for outcome, count in store.query("SELECT outcome, COUNT(*) FROM feedback GROUP BY outcome"):
        by_outcome[outcome] = int(count)
    periods = acceptance_over_time(store, period_s)
    shown = sum(p.shown for p in periods)
    kept = sum(p.kept for p in periods)
    return {
        "suggestions": shown,
        "kept": kept,
        "acceptance_rate": kept / shown if shown else 0.0,
        "outcomes": by_outcome,
        "periods": [
            {
                "start": time.strftime("%Y-%m-%d", time.gmtime(p.start)),
                "shown": p.shown,
                "kept": p.kept,
                "acceptance_rate": round(p.rate, 4),
            }
            for p in periods
        ],
    }
