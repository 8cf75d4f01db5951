"""Leave-one-writer-out check of the personalization ranker's few constants.

`draftsmith bench personalization` runs the ranker with its shipped constants (the prior
and the learning rate in `memory/ranker.py`). Those were chosen by a person looking at
the four shared writers, so their figure flatters the ranker. This script asks the honest
question: if the constants were chosen on three writers, how well does the ranker do on
the fourth, whom it has never seen?

It walks the same picks as the benchmark (`memory.personalization_bench.session_picks`,
voice passages from the authorship replay, every writer's sessions in time order), with
the real `memory.ranker.WriterProfile`, for a small grid of priors × learning rates ×
shrinkages; then, for each writer, picks the setting with the best top-1 on the other
three and scores it on the held-out one.

    .venv/bin/python -m benchmarks.personalization_lowo --corpus ../shared/corpora/coauthor
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from memory.ranker import FEATURES, PRIOR, Candidate, WriterProfile

PRIORS: dict[str, np.ndarray[Any, Any]] = {
    "shipped (primacy + logprob)": PRIOR,
    "primacy only": np.array([1.0 if f == "shown_early" else 0.0 for f in FEATURES]),
    "neutral (all zero)": np.zeros(len(FEATURES)),
    "on-topic (logprob, context, personal)": np.array(
        [0.3, 0.0, 0.3, 0.3, 0.3, 0.2, 0.2, 0.0, 0.0], dtype=np.float64
    ),
}
RATES = (0.0, 0.02, 0.05, 0.1, 0.15)
SHRINKS = (0.02, 0.05)


@dataclass
class Session:
    writer: str
    picks: list[tuple[np.ndarray[Any, Any], list[Candidate], int]]
    voice: np.ndarray[Any, Any]


def load(corpus: Path) -> list[Session]:
    """Every session in time order, embedded once (the embedder is the slow part)."""
    from memory.coauthor import replay_session
    from memory.embedder import Embedder
    from memory.personalization_bench import CONTEXT_CHARS, _sessions_by_writer, session_picks
    from memory.voice import passages_from_labels_string

    embedder = Embedder()
    timeline = sorted(
        (when, writer, path)
        for writer, sessions in _sessions_by_writer(corpus).items()
        for when, path in sessions
    )
    out = []
    for _when, writer, path in timeline:
        print(f"{writer}: {path.name}", file=sys.stderr)
        picks = session_picks(path)
        texts = [t for p in picks for t in ((p.context[-CONTEXT_CHARS:] or " "), *p.options)]
        vectors = np.asarray(embedder.embed(texts), dtype=np.float32) if texts else None
        row, items = 0, []
        for p in picks:
            assert vectors is not None
            context = vectors[row]
            row += 1
            candidates = [
                Candidate(o, vectors[row + i], p.logprobs[i], p.new_paragraph[i])
                for i, o in enumerate(p.options)
            ]
            row += len(candidates)
            items.append((context, candidates, p.picked))
        replay = replay_session(path)
        passages = [x.text for x in passages_from_labels_string(replay.final_text, replay.labels)]
        voice = np.asarray(embedder.embed(passages), dtype=np.float32) if passages else None
        out.append(Session(writer, items, voice if voice is not None else np.zeros((0, 384))))
    return out


def per_writer(sessions: list[Session], prior: Any, rate: float, shrink: float) -> dict[str, Any]:
    """Top-1 hits and picks per writer for one setting (personal profiles only)."""
    profiles: dict[str, WriterProfile] = {}
    hits: dict[str, list[int]] = {}
    for session in sessions:
        profile = profiles.setdefault(
            session.writer,
            WriterProfile(
                prior=np.asarray(prior, dtype=np.float64), learning_rate=rate, shrink=shrink
            ),
        )
        tally = hits.setdefault(session.writer, [0, 0])
        for context, candidates, picked in session.picks:
            tally[0] += int(profile.rank(context, candidates)[0] == picked)
            tally[1] += 1
            profile.learn(context, candidates, picked)
        if len(session.voice):
            profile.add_voice(list(session.voice))
    return hits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    args = parser.parse_args(argv)
    sessions = load(args.corpus)
    grid = list(itertools.product(PRIORS, RATES, SHRINKS))
    results = {g: per_writer(sessions, PRIORS[g[0]], g[1], g[2]) for g in grid}
    writers = sorted({s.writer for s in sessions})

    def top1(g: tuple[str, float, float], among: list[str]) -> float:
        hit = sum(results[g][w][0] for w in among)
        return hit / max(sum(results[g][w][1] for w in among), 1)

    held_out: dict[str, Any] = {}
    hits = picks = 0
    for writer in writers:
        others = [w for w in writers if w != writer]
        best = max(grid, key=lambda g: top1(g, others))
        held_out[writer] = {
            "chosen_on_others": {"prior": best[0], "learning_rate": best[1], "shrink": best[2]},
            "top1": round(top1(best, [writer]), 4),
            "picks": results[best][writer][1],
        }
        hits += results[best][writer][0]
        picks += results[best][writer][1]
    shipped = ("shipped (primacy + logprob)", 0.05, 0.05)
    report = {
        "writers": held_out,
        "leave_one_writer_out_top1": round(hits / max(picks, 1), 4),
        "shipped_setting_top1_all_writers": round(top1(shipped, writers), 4),
        "best_setting_top1_all_writers": round(max(top1(g, writers) for g in grid), 4),
        "grid": {f"{g[0]} | rate {g[1]} | shrink {g[2]}": round(top1(g, writers), 4) for g in grid},
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
