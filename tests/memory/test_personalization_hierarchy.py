"""The two-level ranker the personalization benchmark runs (a writer's profile with the
pooled one as its parent) and the benchmark's bootstrap intervals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memory.personalization_bench import bootstrap_intervals
from memory.ranker import FEATURES, PRIOR, Candidate, WriterProfile

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "coauthor"
TEXTS = [
    "She opened the door and the “cold” came in.",
    "Rain 🌧️ again, of course.",
    "The letter had no name on it.",
    "He laughed — too loudly — and looked away.",
    "Nobody answered.",
]


def _offered(rng: np.random.Generator, texts: list[str] = TEXTS) -> list[Candidate]:
    out = []
    for t in texts:
        v = rng.normal(size=384).astype(np.float32)
        out.append(Candidate(t, v / np.linalg.norm(v), float(rng.normal()) * 5))
    return out


def test_with_no_picks_of_their_own_a_writer_is_ranked_with_the_pooled_weights() -> None:
    rng = np.random.default_rng(7)
    pooled = WriterProfile()
    writer = WriterProfile(parent=pooled)
    context = rng.normal(size=384).astype(np.float32)
    for _ in range(15):
        pooled.learn(context, _offered(rng), 3)  # everyone else took the fourth option
    assert not np.array_equal(pooled.weights, PRIOR)
    assert np.array_equal(writer.effective_weights(), pooled.weights)
    offered = _offered(rng)
    # The writer has no memory yet, so the features are the pooled ones minus memory.
    assert writer.rank(context, offered) == WriterProfile(weights=pooled.weights.copy()).rank(
        context, offered
    )


def test_a_writers_picks_never_change_the_pooled_weights_and_at_rate_zero_not_their_own() -> None:
    rng = np.random.default_rng(11)
    pooled = WriterProfile()
    writer = WriterProfile(parent=pooled, personal_rate=0.0)
    context = rng.normal(size=384).astype(np.float32)
    before = pooled.weights.copy()
    for _ in range(10):
        writer.learn(context, _offered(rng), 4)
    assert np.array_equal(pooled.weights, before)
    assert not writer.offset.any() and writer.picks == 10
    assert len(writer.kept) == 10 and len(writer.refused) == 40, "the writer's own memory"
    pooled.learn(context, _offered(rng), 0)
    assert np.array_equal(writer.effective_weights(), pooled.weights), "follows the parent"


def test_a_distinctive_writer_moves_away_from_the_pooled_weights() -> None:
    """A writer who always takes the last option shown, among writers who take the first."""
    rng = np.random.default_rng(3)
    pooled = WriterProfile()
    writer = WriterProfile(parent=pooled, personal_rate=0.1, personal_shrink=0.01)
    context = rng.normal(size=384).astype(np.float32)
    early = FEATURES.index("shown_early")
    for _ in range(40):
        pooled.learn(context, _offered(rng), 0)
        writer.learn(context, _offered(rng), len(TEXTS) - 1)
    assert pooled.weights[early] > PRIOR[early] > 0
    assert writer.effective_weights()[early] < 0 < pooled.weights[early]
    same = [Candidate(TEXTS[0], _offered(rng)[0].vector)] * len(TEXTS)
    assert writer.rank(context, same) == list(reversed(range(len(TEXTS))))
    assert pooled.rank(context, same) == list(range(len(TEXTS)))


@settings(max_examples=40, deadline=None)
@given(
    texts=st.lists(st.text(min_size=1, max_size=30), min_size=2, max_size=5),
    seed=st.integers(0, 2**16),
    picks=st.lists(st.tuples(st.booleans(), st.integers(0, 4)), max_size=10),
    rate=st.sampled_from([0.0, 0.05, 0.5]),
)
def test_two_level_ranking_is_a_permutation_and_its_weights_stay_finite(
    texts: list[str], seed: int, picks: list[tuple[bool, int]], rate: float
) -> None:
    rng = np.random.default_rng(seed)
    pooled = WriterProfile()
    writer = WriterProfile(parent=pooled, personal_rate=rate)
    context = rng.normal(size=384).astype(np.float32)
    for mine, picked in picks:
        offered = _offered(rng, texts)
        (writer if mine else pooled).learn(context, offered, picked % len(texts))
    order = writer.rank(context, _offered(rng, texts))
    assert sorted(order) == list(range(len(texts)))
    assert np.isfinite(writer.effective_weights()).all()
    assert writer.effective_weights().shape == (len(FEATURES),)


@settings(max_examples=40, deadline=None)
@given(
    groups=st.lists(
        st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=30),
        min_size=1,
        max_size=4,
    )
)
def test_bootstrap_intervals_hold_the_observed_figure_and_pair_the_picks(
    groups: list[list[tuple[bool, bool]]],
) -> None:
    data = [
        {
            "personal": [float(a) for a, _ in g],
            "global": [float(b) for _, b in g],
            "shown_order": [float(a) for a, _ in g],
        }
        for g in groups
    ]
    out = bootstrap_intervals(data, rounds=300)
    total = sum(len(g) for g in groups)
    for method in ("personal", "global"):
        observed = sum(sum(d[method]) for d in data) / total
        lo, hi = out["top1_ci95"][method]
        assert 0.0 <= lo <= hi <= 1.0
        assert lo - 1e-4 <= observed <= hi + 1e-4  # the figures are rounded to 4 places
    # The same hits pick by pick: the paired difference is exactly zero in every round.
    assert out["personal_minus"]["shown_order"] == {"top1": 0.0, "ci95": [0.0, 0.0]}
    assert out == bootstrap_intervals(data, rounds=300), "a fixed seed"


def test_bootstrap_of_nothing_is_empty() -> None:
    assert bootstrap_intervals([]) == {"top1_ci95": {}, "personal_minus": {}}


@pytest.mark.skipif(not (CORPUS / "metadata.csv").exists(), reason="shared corpus not present")
def test_the_benchmark_reports_intervals_and_the_personal_difference() -> None:
    from memory.embedder import Embedder
    from memory.personalization_bench import METHODS, run_benchmark

    embedder = Embedder()

    def embed(texts: object) -> np.ndarray:
        return np.asarray(embedder.embed(list(texts)), dtype=np.float32)  # type: ignore[call-overload]

    try:
        result = run_benchmark(CORPUS, embed, max_sessions=3)
    finally:
        embedder.close()
    assert set(result["top1_ci95"]) == set(METHODS)
    assert set(result["personal_minus"]) == set(METHODS) - {"personal"}
    for method in METHODS:
        lo, hi = result["top1_ci95"][method]
        assert lo <= result["overall"][method]["top1"] <= hi
    for figures in result["writers"].values():
        assert set(figures["top1_ci95"]) == set(METHODS)


def test_leave_one_writer_out_scores_each_writer_with_a_setting_chosen_on_the_others() -> None:
    from benchmarks.personalization_lowo import Session, report

    rng = np.random.default_rng(5)
    context = rng.normal(size=384).astype(np.float32)
    sessions = [
        Session(
            writer,
            [(context, _offered(rng), int(rng.integers(0, len(TEXTS)))) for _ in range(6)],
            np.zeros((0, 384)),
        )
        for _ in range(2)
        for writer in ("Zoë", "Ada", "Bea")
    ]
    grid = [(0.05, 0.0, 0.05), (0.05, 0.1, 0.05)]
    out = report(sessions, grid)
    assert set(out["writers"]) == {"Zoë", "Ada", "Bea"}
    for figures in out["writers"].values():
        assert figures["picks"] == 12
        chosen = figures["chosen_on_others"]
        assert (chosen["pooled_rate"], chosen["personal_rate"], chosen["personal_shrink"]) in grid
    assert set(out["top1_ci95"]) == {"personal", "global", "shown_order"}
    assert out["shipped_setting_top1_all_writers"] is not None  # (0.05, 0.0, 0.05) shipped
