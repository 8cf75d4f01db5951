"""Feedback on every suggestion shown: what it was, where, by which model, and its fate.

Outcomes: accepted, partly accepted (how many characters), refused (Esc or typed over),
ignored (the writer moved on), rewritten (accepted, then changed: the ledger says
how much), and shown (an alternative on show that the writer passed over for another).
The same path records the app's suggestions and the benchmark's replayed picks;
`writer_profile` trains the ranker that orders alternatives from it.
A phrase refused `REFUSALS_TO_AVOID` times becomes an "avoid" memory, shown in
the memory panel (deleting it lifts the suppression).
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from memory.memories import AVOID, MemoryStore, feedback_rows
from memory.ranker import WriterProfile

if TYPE_CHECKING:
    from memory.document import AuthoredDocument
    from memory.events import AttributedSpan

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
        "rewritten": rewrite_stats(store),
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


def model_chars_by_event(document: AuthoredDocument) -> Counter[int]:
    """Characters per ledger event that still read as the model's own ("model", not
    "model, edited by the writer"), for `measure_rewrites`."""
    return model_chars_of(document.spans(), document.labels())


def model_chars_of(
    spans: Sequence[AttributedSpan], labels: Sequence[tuple[int, int, str]]
) -> Counter[int]:
    """`model_chars_by_event` from a document's spans and their origin labels, taken
    apart from the document (a save's copy, labelled on the memory lane)."""
    from memory.origins import MODEL

    out: Counter[int] = Counter()
    for span, (_start, length, label) in zip(spans, labels, strict=True):
        if label == MODEL:
            out[span.event.seq] += length
    return out


def measure_rewrites(store: MemoryStore, doc_key: str, still_model: Mapping[int, int]) -> int:
    """Accepted-then-rewritten, from the authorship ledger: for every suggestion kept in
    `doc_key` whose ledger events are known (`settings.ledger_seqs`), how many of the
    model's characters the writer has changed since (now "model, edited by the writer",
    or deleted). `still_model` is the characters per ledger event that still read as the
    model's own. A suggestion with any change becomes "rewritten" (its first outcome is
    kept as `settings.kept_as`); `settings.rewritten_chars` says how much. Nothing is
    measured while learning is paused or the document is private. Returns how many
    suggestions were measured."""
    if store.learning_paused or store.is_private(doc_key):
        return 0
    rows = store.query(
        f"SELECT id, outcome, accepted_chars, settings FROM feedback WHERE doc_key = ? "
        f"AND outcome IN ({','.join('?' * len(KEPT))})",
        [doc_key, *KEPT],
    )
    measured = 0
    with store.transaction() as conn:
        for feedback_id, outcome, accepted, raw in rows:
            settings = json.loads(raw or "{}")
            seqs = settings.get("ledger_seqs")
            if not isinstance(seqs, list) or not seqs:
                continue
            kept_as = settings.setdefault("kept_as", outcome)
            changed = max(int(accepted) - sum(still_model.get(int(q), 0) for q in seqs), 0)
            settings["rewritten_chars"] = changed
            conn.execute(
                "UPDATE feedback SET outcome = ?, settings = ? WHERE id = ?",
                [REWRITTEN if changed else kept_as, json.dumps(settings), feedback_id],
            )
            measured += 1
    return measured


def rewrite_stats(store: MemoryStore) -> dict[str, Any]:
    """How much of the kept suggestions' model text the writer changed later (measured
    suggestions only): how many were measured, how many rewritten, the characters."""
    measured = rewritten = model_chars = changed_chars = 0
    for outcome, accepted, raw in store.query(
        "SELECT outcome, accepted_chars, settings FROM feedback WHERE settings LIKE ?",
        ['%"rewritten_chars"%'],
    ):
        changed = int(json.loads(raw).get("rewritten_chars", 0))
        measured += 1
        rewritten += outcome == REWRITTEN
        model_chars += int(accepted)
        changed_chars += changed
    return {
        "measured": measured,
        "rewritten": rewritten,
        "model_chars": model_chars,
        "changed_chars": changed_chars,
        "changed_share": round(changed_chars / model_chars, 4) if model_chars else 0.0,
    }


def writer_profile(store: MemoryStore, writer: str) -> WriterProfile:
    """This writer's ranker, trained on their feedback in the store, oldest first.

    Every place where the writer saw two or more alternatives and kept one of them is a
    pick (the kept one chosen, the others passed over), learned in the order it happened;
    the writer's voice passages are added for similarity. Suggestions stored without an
    embedding count with a zero vector (only the model's log-probability, the length and
    the order shown tell them apart)."""
    import numpy as np

    from memory.embedder import EMBEDDING_DIMENSION
    from memory.memories import VOICE
    from memory.ranker import Candidate

    profile = WriterProfile()
    rows = store.query(
        "SELECT doc_key, context, text, outcome, rank, logprob, embedding FROM feedback "
        "WHERE writer = ? ORDER BY id",
        [writer],
    )
    places: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    for row in rows:
        places.setdefault((row[0], row[1]), []).append(row)
    zero = np.zeros(EMBEDDING_DIMENSION, dtype=np.float32)

    def vector(blob: bytes | None) -> Any:
        if blob is None or len(blob) != EMBEDDING_DIMENSION * 4:
            return zero
        return np.frombuffer(blob, dtype=np.float32)

    for place in places.values():
        kept = [r for r in place if r[3] in KEPT]
        if len(place) < 2 or not kept:
            continue
        ordered = sorted(place, key=lambda r: int(r[4]))
        candidates = [Candidate(str(r[2]), vector(r[6]), r[5]) for r in ordered]
        profile.learn(None, candidates, ordered.index(kept[-1]))
    voice = store.query(
        "SELECT embedding FROM memories WHERE kind = ? AND status = 'active' "
        "AND embedding IS NOT NULL",
        [VOICE],
    )
    profile.add_voice([vector(blob) for (blob,) in voice if vector(blob) is not zero])
    return profile
