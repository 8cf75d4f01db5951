"""The CoAuthor ranking benchmark: does this writer's memory predict which option they pick?

Each writer's sessions are walked in the order they were written. At every pick (a
`suggestion-open` followed by a `suggestion-select`) the options shown are ranked using
only what was learned from that writer's earlier events; then the outcome is recorded
through the app's own feedback path (`memory.feedback.record`: the pick kept, the others
refused) into a real SQLite file, and the writer's profile learns from it. After each
session its human-typed passages (labelled by the authorship engine's replay, never the
model's text) become voice memories.

Compared: `personal` (this writer's memory), `global` (the same ranker learning from
every writer's earlier picks pooled: sessions are walked in the order they were written
across writers, so it is causal too), `shown_order` (the first option shown) and
`random` (its expected value). `personal` is the two-level model of `memory.ranker`:
this writer's own memory in the features, the pooled profile as the parent of the
weights (so with few picks it ranks as `global` does with this writer's memory).

Every top-1 figure comes with a 95% bootstrap interval (picks resampled within each
writer, `BOOTSTRAP` rounds, fixed seed), and so does the paired difference between
`personal` and each baseline: with a few hundred picks, one standard error of a top-1
figure is about 0.02, so a difference smaller than its interval is not a result.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from memory.coauthor import load_metadata, read_events, replay_session
from memory.feedback import ACCEPTED, REFUSED, Feedback, record
from memory.memories import MemoryStore
from memory.positions import utf16_to_index
from memory.ranker import Candidate, WriterProfile
from memory.voice import passages_from_labels_string

CONTEXT_CHARS = 600
BOOTSTRAP = 2000
METHODS = ("personal", "global", "shown_order", "random")
Embed = Callable[[Sequence[str]], np.ndarray[Any, Any]]


@dataclass(frozen=True)
class Pick:
    """One choice a writer made: the text before the cursor, the options, which they took."""

    context: str
    options: tuple[str, ...]
    logprobs: tuple[float | None, ...]
    new_paragraph: tuple[bool, ...]
    picked: int
    at: float


@dataclass
class Score:
    """Top-1 accuracy and mean reciprocal rank, accumulated pick by pick."""

    n: int = 0
    top1: float = 0.0
    rr: float = 0.0
    hits: list[float] = field(default_factory=list)  # top-1 pick by pick, for intervals

    def add(self, top1: float, rr: float) -> None:
        self.n += 1
        self.top1 += top1
        self.rr += rr
        self.hits.append(top1)

    def merge(self, other: Score) -> None:
        self.n += other.n
        self.top1 += other.top1
        self.rr += other.rr
        self.hits.extend(other.hits)

    def to_json(self) -> dict[str, float | int]:
        n = max(self.n, 1)
        return {"top1": round(self.top1 / n, 4), "mrr": round(self.rr / n, 4), "picks": self.n}


@dataclass
class WriterResult:
    sessions: int = 0
    scores: dict[str, Score] = field(default_factory=lambda: {m: Score() for m in METHODS})


def _apply(doc: str, ops: Sequence[dict[str, Any]]) -> str:
    cursor16 = 0
    for op in ops:
        if "retain" in op:
            cursor16 += int(op["retain"])
        elif "insert" in op:
            text = op["insert"] if isinstance(op["insert"], str) else "\ufffc"
            at = utf16_to_index(doc, min(cursor16, _u16(doc)))
            doc = doc[:at] + text + doc[at:]
            cursor16 += _u16(text)
        elif "delete" in op:
            lo = utf16_to_index(doc, min(cursor16, _u16(doc)))
            hi = utf16_to_index(doc, min(cursor16 + int(op["delete"]), _u16(doc)))
            doc = doc[:lo] + doc[hi:]
    return doc


def _u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def session_picks(path: Path | str) -> list[Pick]:
    """Every pick in a session, in order."""
    doc = ""
    pending: dict[str, Any] | None = None
    awaiting: dict[str, Any] | None = None
    picks: list[Pick] = []
    for event in read_events(path):
        name = event.get("eventName")
        if name == "system-initialize":
            doc = event.get("currentDoc") or ""
        elif name in ("text-insert", "text-delete"):
            delta = event.get("textDelta") or {}
            ops = delta.get("ops", [])
            if awaiting is not None and name == "text-insert" and event.get("eventSource") == "api":
                inserted = "".join(o["insert"] for o in ops if isinstance(o.get("insert"), str))
                found = _matching(awaiting["options"], inserted)
                if found is not None:
                    picks.append(_pick(awaiting, found))
                awaiting = None
            doc = _apply(doc, ops)
        elif name == "suggestion-open":
            options = [s for s in event.get("currentSuggestions") or [] if s.get("trimmed")]
            cursor = utf16_to_index(doc, min(int(event.get("currentCursor") or 0), _u16(doc)))
            pending = {"options": options, "context": doc[:cursor], "at": event["eventTimestamp"]}
        elif name == "suggestion-select" and pending is not None:
            chosen = event.get("currentHoverIndex")
            options = pending["options"]
            pending_now, pending = pending, None
            if len(options) < 2:
                continue
            if not isinstance(chosen, int):
                awaiting = pending_now  # the pick is the text the next api insert brings
                continue
            index = next((i for i, s in enumerate(options) if s.get("index") == chosen), None)
            if index is not None:
                picks.append(_pick(pending_now, index))
    return picks


def _matching(options: Sequence[dict[str, Any]], inserted: str) -> int | None:
    """Which option the writer took, from the text the interface inserted."""
    text = " ".join(inserted.split())
    for i, option in enumerate(options):
        if text and text == " ".join(str(option.get("trimmed", "")).split()):
            return i
    return None


def _pick(opened: dict[str, Any], index: int) -> Pick:
    options = opened["options"]
    return Pick(
        context=opened["context"],
        options=tuple(s["trimmed"] for s in options),
        logprobs=tuple(_logprob(s.get("probability")) for s in options),
        new_paragraph=tuple(str(s.get("original", "")).startswith("\n") for s in options),
        picked=index,
        at=float(opened["at"]) / 1000.0,
    )


def _logprob(probability: object) -> float | None:
    if isinstance(probability, (int, float)) and probability > 0:
        return math.log(probability)
    return None


def _reciprocal_rank(order: Sequence[int], picked: int) -> tuple[float, float]:
    position = list(order).index(picked)
    return (1.0 if position == 0 else 0.0), 1.0 / (position + 1)


def _sessions_by_writer(corpus: Path) -> dict[str, list[tuple[float, Path]]]:
    metadata = load_metadata(corpus)
    writers: dict[str, list[tuple[float, Path]]] = {}
    for session_id, row in metadata.items():
        path = corpus / "sessions" / f"{session_id}.jsonl.gz"
        if not path.exists():
            path = corpus / "sessions" / f"{session_id}.jsonl"
        if not path.exists():
            continue
        try:
            when = datetime.strptime(row.get("timestamp", ""), "%m/%d/%Y %H:%M:%S").timestamp()
        except ValueError:
            when = 0.0
        writers.setdefault(row.get("writer") or "unknown", []).append((when, path))
    for sessions in writers.values():
        sessions.sort(key=lambda item: (item[0], item[1].name))
    return writers


def run_benchmark(
    corpus: Path | str,
    embed: Embed,
    *,
    max_sessions: int | None = None,
    store_path: Path | str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Walk every writer's sessions in order and score the four rankings (see module doc)."""
    started = time.perf_counter()
    corpus = Path(corpus)
    writers = _sessions_by_writer(corpus)
    with tempfile.TemporaryDirectory(prefix="draftsmith-bench-") as tmp:
        store = MemoryStore(store_path or Path(tmp) / "bench.sqlite3")
        try:
            results = _run(writers, store, embed, max_sessions, progress)
        finally:
            store.close()
    overall = {m: Score() for m in METHODS}
    for result in results.values():
        for m in METHODS:
            overall[m].merge(result.scores[m])
    intervals = bootstrap_intervals(
        [{m: r.scores[m].hits for m in METHODS} for r in results.values()]
    )
    return {
        "corpus": str(corpus),
        "sessions": sum(r.sessions for r in results.values()),
        "picks": overall["personal"].n,
        "seconds": round(time.perf_counter() - started, 1),
        "writers": {
            w: {
                "sessions": r.sessions,
                **{m: r.scores[m].to_json() for m in METHODS},
                "top1_ci95": bootstrap_intervals([{m: r.scores[m].hits for m in METHODS}])[
                    "top1_ci95"
                ],
            }
            for w, r in sorted(results.items())
        },
        "overall": {m: overall[m].to_json() for m in METHODS},
        **intervals,
    }


def bootstrap_intervals(
    groups: Sequence[dict[str, list[float]]], rounds: int = BOOTSTRAP, seed: int = 0
) -> dict[str, Any]:
    """95% intervals for each method's top-1 and for `personal` minus each other method,
    resampling the picks within each group (a writer) with one shared draw per round, so
    the differences are paired pick by pick."""
    rng = np.random.default_rng(seed)
    groups = [g for g in groups if g and len(next(iter(g.values()))) > 0]
    if not groups:
        return {"top1_ci95": {}, "personal_minus": {}}
    methods = list(groups[0])
    total = sum(len(g[methods[0]]) for g in groups)
    sums = np.zeros((rounds, len(methods)))
    for g in groups:
        hits = np.array([g[m] for m in methods], dtype=np.float64)  # (methods, picks)
        draw = rng.integers(0, hits.shape[1], size=(rounds, hits.shape[1]))
        sums += hits[:, draw].sum(axis=2).T
    top1 = sums / total

    def ci(values: np.ndarray[Any, Any]) -> list[float]:
        lo, hi = np.percentile(values, [2.5, 97.5])
        return [round(float(lo), 4), round(float(hi), 4)]

    out: dict[str, Any] = {"top1_ci95": {m: ci(top1[:, i]) for i, m in enumerate(methods)}}
    if "personal" in methods:
        p = methods.index("personal")
        observed = {m: sum(sum(g[m]) for g in groups) / total for m in methods}
        out["personal_minus"] = {
            m: {
                "top1": round(observed["personal"] - observed[m], 4),
                "ci95": ci(top1[:, p] - top1[:, i]),
            }
            for i, m in enumerate(methods)
            if m != "personal"
        }
    return out


def _run(
    writers: dict[str, list[tuple[float, Path]]],
    store: MemoryStore,
    embed: Embed,
    max_sessions: int | None,
    progress: Callable[[str], None] | None,
) -> dict[str, WriterResult]:
    """Every session of every writer in the order they were written (writers interleave),
    so the pooled profile only ever knows what any writer did before this pick."""
    results: dict[str, WriterResult] = {}
    profiles: dict[str, WriterProfile] = {}
    pooled = WriterProfile()
    timeline = sorted(
        (when, writer, index, path)
        for writer, sessions in writers.items()
        for index, (when, path) in enumerate(sessions)
    )
    if max_sessions is not None:
        timeline = timeline[: max(max_sessions, 0)]
    for _when, writer, _index, path in timeline:
        if progress is not None:
            progress(f"{writer}: {path.name}")
        result = results.setdefault(writer, WriterResult())
        result.sessions += 1
        personal = profiles.setdefault(writer, WriterProfile(parent=pooled))
        _session(writer, path, store, embed, personal, pooled, result)
    return {w: r for w, r in results.items() if r.sessions}


def _session(
    writer: str,
    path: Path,
    store: MemoryStore,
    embed: Embed,
    personal: WriterProfile,
    pooled: WriterProfile,
    result: WriterResult,
) -> None:
    picks = session_picks(path)
    texts: list[str] = []
    for pick in picks:
        texts.append(pick.context[-CONTEXT_CHARS:] or " ")
        texts.extend(pick.options)
    vectors = embed(texts) if texts else np.zeros((0, 384), dtype=np.float32)
    row = 0
    for pick in picks:
        context = vectors[row]
        row += 1
        candidates = []
        for i, option in enumerate(pick.options):
            candidates.append(
                Candidate(option, vectors[row], pick.logprobs[i], pick.new_paragraph[i])
            )
            row += 1
        n = len(candidates)
        for method, order in (
            ("personal", personal.rank(context, candidates)),
            ("global", pooled.rank(context, candidates)),
            ("shown_order", list(range(n))),
        ):
            result.scores[method].add(*_reciprocal_rank(order, pick.picked))
        result.scores["random"].add(1.0 / n, sum(1.0 / k for k in range(1, n + 1)) / n)
        for i, c in enumerate(candidates):
            record(
                store,
                Feedback(
                    writer=writer,
                    context=pick.context[-CONTEXT_CHARS:],
                    text=c.text,
                    outcome=ACCEPTED if i == pick.picked else REFUSED,
                    doc_key=path.name,
                    accepted_chars=len(c.text) if i == pick.picked else 0,
                    rank=i,
                    model="GPT-3 (CoAuthor)",
                    logprob=c.logprob,
                    at=pick.at,
                ),
                embedding=c.vector.tolist(),
            )
        personal.learn(context, candidates, pick.picked)
        pooled.learn(context, candidates, pick.picked)
    replay = replay_session(path)
    passages = passages_from_labels_string(replay.final_text, replay.labels)
    store.replace_voice(
        f"{writer}/{path.name}", [(p.text, p.evidence(path.name)) for p in passages]
    )
    if passages:
        voice = list(embed([p.text for p in passages]))
        personal.add_voice(voice)
        pooled.add_voice(voice)
