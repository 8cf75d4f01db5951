"""Leave-one-writer-out check of the personalization ranker's few constants.

`draftsmith bench personalization` runs the ranker with its shipped constants (in
`memory/ranker.py`: the pooled profile's learning rate and shrinkage, and the
per-writer offset's `PERSONAL_RATE` and `PERSONAL_SHRINK`). Chosen by a person looking at
the four shared writers, their figure would flatter the ranker. This script asks the
honest question: if the constants were chosen on three writers, how well does the
ranker do on the fourth, whom it has never seen?

It walks the same picks as the benchmark (`memory.personalization_bench.session_picks`,
voice passages from the authorship replay, every writer's sessions in time order,
writers interleaved), with the real `memory.ranker.WriterProfile` as the benchmark runs
it: one pooled profile (`global`) learning from everyone's earlier picks, and each
writer's profile (`personal`) with the pooled one as its parent. For a small grid of
pooled learning rates × personal offset rates × personal shrinkages it records every
pick; then, for each writer, it picks the setting with the best personal top-1 on the
other three and scores it on the held-out one, with 95% bootstrap intervals (picks
resampled within each writer) for the held-out figure and for its paired difference
from `global` and from the first option shown.

    .venv/bin/python -m benchmarks.personalization_lowo --corpus ../shared/corpora/coauthor

`--quick` runs a smaller grid.
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

from memory.ranker import LEARNING_RATE, PERSONAL_RATE, PERSONAL_SHRINK, Candidate, WriterProfile

POOLED_RATES = (0.02, 0.05, 0.1)
PERSONAL_RATES = (0.0, 0.01, 0.02, 0.05, 0.1)
PERSONAL_SHRINKS = (0.01, 0.05)
METHODS = ("personal", "global", "shown_order")
Setting = tuple[float, float, float]


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
    embedder.close()
    return out


def per_writer(sessions: list[Session], setting: Setting) -> dict[str, dict[str, list[float]]]:
    """Top-1 hits pick by pick, per writer and method, for one setting, exactly as the
    benchmark ranks: personal with the pooled profile as its parent."""
    pooled_rate, personal_rate, personal_shrink = setting
    pooled = WriterProfile(learning_rate=pooled_rate)
    profiles: dict[str, WriterProfile] = {}
    hits: dict[str, dict[str, list[float]]] = {}
    for session in sessions:
        profile = profiles.setdefault(
            session.writer,
            WriterProfile(
                parent=pooled, personal_rate=personal_rate, personal_shrink=personal_shrink
            ),
        )
        tally = hits.setdefault(session.writer, {m: [] for m in METHODS})
        for context, candidates, picked in session.picks:
            tally["personal"].append(float(profile.rank(context, candidates)[0] == picked))
            tally["global"].append(float(pooled.rank(context, candidates)[0] == picked))
            tally["shown_order"].append(float(picked == 0))
            profile.learn(context, candidates, picked)
            pooled.learn(context, candidates, picked)
        if len(session.voice):
            profile.add_voice(list(session.voice))
            pooled.add_voice(list(session.voice))
    return hits


def report(sessions: list[Session], grid: list[Setting]) -> dict[str, Any]:
    from memory.personalization_bench import bootstrap_intervals

    results = {g: per_writer(sessions, g) for g in grid}
    writers = sorted({s.writer for s in sessions})

    def top1(g: Setting, among: list[str], method: str = "personal") -> float:
        hit = sum(sum(results[g][w][method]) for w in among)
        return hit / max(sum(len(results[g][w][method]) for w in among), 1)

    held_out: dict[str, Any] = {}
    groups = []
    for writer in writers:
        others = [w for w in writers if w != writer]
        best = max(grid, key=lambda g: (top1(g, others), -g[1]))  # ties: the smaller offset
        held_out[writer] = {
            "chosen_on_others": dict(
                zip(("pooled_rate", "personal_rate", "personal_shrink"), best, strict=True)
            ),
            **{m: round(top1(best, [writer], m), 4) for m in METHODS},
            "picks": len(results[best][writer]["personal"]),
        }
        groups.append(results[best][writer])
    picks = sum(len(g["personal"]) for g in groups)
    shipped = (LEARNING_RATE, PERSONAL_RATE, PERSONAL_SHRINK)
    return {
        "writers": held_out,
        "leave_one_writer_out_top1": {
            m: round(sum(sum(g[m]) for g in groups) / max(picks, 1), 4) for m in METHODS
        },
        **bootstrap_intervals(groups),
        "shipped_setting_top1_all_writers": (
            {m: round(top1(shipped, writers, m), 4) for m in METHODS}
            if shipped in results
            else None
        ),
        "best_setting_top1_all_writers": round(max(top1(g, writers) for g in grid), 4),
        "grid": {
            f"pooled rate {g[0]} | personal rate {g[1]} | personal shrink {g[2]}": {
                m: round(top1(g, writers, m), 4) for m in ("personal", "global")
            }
            for g in grid
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--quick", action="store_true", help="a smaller grid")
    args = parser.parse_args(argv)
    sessions = load(args.corpus)
    if args.quick:
        grid = list(itertools.product((LEARNING_RATE,), (0.0, 0.05), (PERSONAL_SHRINK,)))
    else:
        grid = list(itertools.product(POOLED_RATES, PERSONAL_RATES, PERSONAL_SHRINKS))
    print(json.dumps(report(sessions, grid), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
