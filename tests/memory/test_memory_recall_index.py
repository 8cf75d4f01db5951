"""The recall index (memory.memories.RecallIndex) against brute force over the file.

Recall no longer reads every memory for each prompt: the vectors, pinned ids and names
live in memory, loaded once and kept in step with each write. These tests hold it to
what reading the file gives: random writes of every kind on a real SQLite library, with
curly quotes, accents and emoji in the names, then the index's answers compared with
brute force (numpy over `MemoryStore.embeddings`, `named_in` over every memory) and
`recall` compared with the earlier implementation that read everything.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path
from unittest import mock

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memory import memories
from memory.memories import ACTIVE, KINDS, Memory, MemoryStore
from memory.recall import (
    NAMED,
    PINNED,
    RECALLED_KINDS,
    RELATED,
    RULE,
    SAMPLE,
    Recalled,
    Recollection,
    in_scope,
    named_in,
    recall,
    rrf,
)

WORDS = ["Ada", "“Bea”", "Zoë", "café", "🐉", "O'Neill", "harbour", "x", "née", "Łódź", "—", "7"]
NAMES = st.lists(st.sampled_from(WORDS), min_size=0, max_size=3).map(" ".join)
TEXTS = st.lists(st.sampled_from([*WORDS, "the", "lamp", "quiet", "sea"]), min_size=1, max_size=8)

OPS = st.one_of(
    st.tuples(
        st.just("add"),
        st.sampled_from(KINDS),
        TEXTS.map(" ".join),
        NAMES,
        st.lists(NAMES, max_size=2),
        st.booleans(),
        st.sampled_from(["everywhere", "project", "document"]),
    ),
    st.tuples(st.just("embed"), st.integers(0, 10_000)),
    st.tuples(st.just("correct"), st.integers(0, 50), NAMES, TEXTS.map(" ".join)),
    st.tuples(st.just("pin"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("rekind"), st.integers(0, 50), st.sampled_from(KINDS)),
    st.tuples(st.just("dismiss"), st.integers(0, 50)),
    st.tuples(st.just("accept"), st.integers(0, 50)),
    st.tuples(st.just("forget"), st.integers(0, 50)),
)


def apply(store: MemoryStore, op: tuple[object, ...], rng: np.random.Generator) -> None:
    ids = [m.id for m in store.memories(status=None)]
    kind = op[0]
    if kind == "add":
        _, mkind, text, name, keywords, pinned, scope = op
        ref = {"everywhere": "", "project": "/p", "document": "doc-1"}[str(scope)]
        store.add(
            str(text) or "x",
            str(mkind),
            name=str(name),
            keywords=[str(k) for k in keywords] if isinstance(keywords, list) else (),
            pinned=bool(pinned),
            scope=str(scope),
            scope_ref=ref,
        )
        return
    if kind == "embed":
        missing = store.missing_embeddings()
        block = rng.standard_normal((len(missing), 384)).astype(np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        store.set_embeddings([(mid, v) for (mid, _), v in zip(missing, block, strict=True)])
        return
    if not ids:
        return
    target = ids[int(op[1]) % len(ids)]  # type: ignore[call-overload]
    if kind == "correct":
        store.correct(target, name=str(op[2]), text=str(op[3]) or "y")
    elif kind == "pin":
        store.set_pinned(target, bool(op[2]))
    elif kind == "rekind":  # another kind: its vector moves to that kind's matrix
        vector = store.query("SELECT embedding FROM memories WHERE id = ?", [target])[0][0]
        store.correct(target, kind=str(op[2]))
        if vector is not None:
            store.set_embeddings([(target, np.frombuffer(vector, dtype=np.float32))])
    elif kind == "dismiss":
        store.dismiss(target)
    elif kind == "accept":
        store.accept(target)
    elif kind == "forget":
        store.forget(target)


def brute_top(store: MemoryStore, q: np.ndarray, kinds: Sequence[str], k: int) -> list[int]:
    ids, matrix = store.embeddings(kinds)
    if not ids:
        return []
    sims = matrix.astype(np.float64) @ q.astype(np.float64)
    return [ids[i] for i in np.argsort(-sims, kind="stable")[:k]]


def check_index(store: MemoryStore, rng: np.random.Generator, texts: Sequence[str]) -> None:
    active = store.memories([k for k in RECALLED_KINDS])
    for kind in KINDS:  # kept between writes, never stale
        assert store.active(kind) == store.memories([kind])
    assert store.pinned_ids() == sorted(m.id for m in active if m.pinned)
    for text in texts:
        named = {m.id for m in active if named_in(m, text)}
        assert named <= set(store.named_candidates(text)), text
    for _ in range(3):
        q = rng.standard_normal(384).astype(np.float32)
        q /= np.linalg.norm(q)
        for kinds in (RECALLED_KINDS, ("voice",), KINDS):
            for k in (1, 3, 50):
                assert store.vector_top(q, kinds, k) == brute_top(store, q, kinds, k)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    ops=st.lists(OPS, min_size=1, max_size=25),
    seed=st.integers(0, 2**16),
    texts=st.lists(TEXTS.map(" ".join), min_size=1, max_size=4),
)
def test_the_index_kept_in_step_answers_as_brute_force_over_the_file(
    ops: list[tuple[object, ...]], seed: int, texts: list[str]
) -> None:
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "draftsmith.db"
        store = MemoryStore(db)
        try:
            store.pinned_ids()  # loaded before the writes, so they are applied one by one
            for op in ops:
                apply(store, op, rng)
                check_index(store, np.random.default_rng(seed), texts[:1])
            check_index(store, rng, texts)
            # loaded from the file in one go, 3 rows a batch (to cross batches): the same answers
            fresh = MemoryStore(db)
            try:
                with mock.patch.object(memories, "_LOAD_BATCH", 3):
                    fresh.pinned_ids()
                q = rng.standard_normal(384).astype(np.float32)
                for kinds in (RECALLED_KINDS, ("voice",)):
                    assert fresh.vector_top(q, kinds, 8) == store.vector_top(q, kinds, 8)
                assert fresh.pinned_ids() == store.pinned_ids()
                for text in texts:
                    assert fresh.named_candidates(text) == store.named_candidates(text)
            finally:
                fresh.close()
        finally:
            store.close()


@settings(max_examples=200, deadline=None)
@given(
    trigger=NAMES.filter(lambda s: bool(s.strip())),
    before=TEXTS,
    after=TEXTS,
    glue=st.sampled_from([" ", ", ", "(", "\n", ""]),
)
def test_a_name_that_appears_is_always_a_candidate(
    trigger: str, before: list[str], after: list[str], glue: str
) -> None:
    from memory.memories import RecallIndex

    index = RecallIndex()
    index.load([[(7, "character", trigger, "", 0, None)]])
    text = " ".join(before) + glue + trigger + glue + " ".join(after)
    memory = Memory(7, "character", "t", name=trigger)
    if named_in(memory, text):
        assert 7 in index.named_candidates(text)


def test_another_connection_writing_is_seen_at_the_next_recall(tmp_path: Path) -> None:
    db = tmp_path / "draftsmith.db"
    store = MemoryStore(db)
    other = MemoryStore(db)
    try:
        m = store.add("The lighthouse keeper’s daughter 🌊", "character", name="Nell Quist")
        store.set_embeddings([(m.id, [1.0] + [0.0] * 383)])
        assert store.vector_top([1.0] + [0.0] * 383, RECALLED_KINDS, 8) == [m.id]
        assert store.named_candidates("and nell quist said") == [m.id]
        rule = store.add("No exclamation marks — ever.", "style")
        assert [r.id for r in store.active("style")] == [rule.id]
        assert store.search_ids("lighthouse", postings=1000) == [m.id]
        other.forget(m.id)  # another connection (another process would do the same)
        other.forget(rule.id)
        assert store.vector_top([1.0] + [0.0] * 383, RECALLED_KINDS, 8) == []
        assert store.named_candidates("and nell quist said") == []
        assert store.active("style") == []
        assert store.search_ids("lighthouse", postings=1000) == []
    finally:
        other.close()
        store.close()


def test_a_damaged_file_while_loading_is_a_store_error(tmp_path: Path) -> None:
    from memory.store import StoreError

    db = tmp_path / "draftsmith.db"
    store = MemoryStore(db)
    try:
        store.add("x", "note")
        with sqlite3.connect(db) as raw:
            raw.execute("DROP TABLE memories")
        try:
            store.pinned_ids()
        except StoreError:
            pass
        else:  # pragma: no cover - the assertion below explains
            raise AssertionError("reading a file without its tables should be a StoreError")
    finally:
        store.close()


# --- recall against the implementation that read every memory ------------------------
def reference_recall(
    store: MemoryStore,
    near_cursor: str,
    *,
    doc_key: str = "",
    project: str = "",
    query_vector: Sequence[float] | None = None,
    limit: int = 6,
    voice_limit: int = 2,
) -> Recollection:
    """`memory.recall.recall` as it was before the index: every memory read each time."""

    def ranking(kinds: Sequence[str]) -> list[tuple[int, float]]:
        by_id = {m.id: m for m in store.memories(kinds)}
        lexical = [i for i in store.search_ids(near_cursor, limit=1000) if i in by_id][:50]
        rankings = [lexical]
        if query_vector is not None:
            ids, matrix = store.embeddings(kinds)
            if ids:
                sims = matrix.astype(np.float64) @ np.asarray(query_vector, dtype=np.float64)
                rankings.append([ids[i] for i in np.argsort(-sims, kind="stable")[:50]])
        return sorted(rrf(rankings).items(), key=lambda item: (-item[1], item[0]))

    private = store.is_private(doc_key)
    allowed = [m for m in store.memories() if in_scope(m, doc_key, project, private)]
    by_id = {m.id: m for m in allowed}
    entries: list[Recalled] = []
    seen: set[int] = set()
    for m in allowed:
        if m.kind in RECALLED_KINDS and m.pinned:
            entries.append(Recalled(m, PINNED, 1.0))
            seen.add(m.id)
    for m in allowed:
        if m.kind in RECALLED_KINDS and m.id not in seen and named_in(m, near_cursor):
            entries.append(Recalled(m, NAMED, 1.0))
            seen.add(m.id)
    for memory_id, score in ranking(RECALLED_KINDS):
        if len(entries) >= max(limit, len(seen)):
            break
        if memory_id in by_id and memory_id not in seen:
            entries.append(Recalled(by_id[memory_id], RELATED, score))
            seen.add(memory_id)
    rules = tuple(Recalled(m, RULE) for m in allowed if m.kind == "style")
    avoid = tuple(m.text for m in allowed if m.kind == "avoid")
    voice = []
    if not private and voice_limit > 0:
        for memory_id, score in ranking(("voice",))[:voice_limit]:
            if memory_id in by_id:
                voice.append(Recalled(by_id[memory_id], SAMPLE, score))
    return Recollection(tuple(entries), rules, tuple(voice), avoid)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    ops=st.lists(OPS, min_size=1, max_size=30),
    seed=st.integers(0, 2**16),
    near=TEXTS.map(" ".join),
    where=st.sampled_from([("", ""), ("doc-1", ""), ("doc-1", "/p"), ("doc-2", "/p")]),
    private=st.booleans(),
    with_vector=st.booleans(),
)
def test_recall_gives_what_reading_every_memory_gave(
    ops: list[tuple[object, ...]],
    seed: int,
    near: str,
    where: tuple[str, str],
    private: bool,
    with_vector: bool,
) -> None:
    rng = np.random.default_rng(seed)
    doc_key, project = where
    with tempfile.TemporaryDirectory() as tmp:
        store = MemoryStore(Path(tmp) / "draftsmith.db")
        try:
            for op in ops:
                apply(store, op, rng)
            if private and doc_key:
                store.set_private(doc_key, True)
            q = rng.standard_normal(384).astype(np.float32) if with_vector else None
            got = recall(store, near, doc_key=doc_key, project=project, query_vector=q, limit=4)
            want = reference_recall(
                store, near, doc_key=doc_key, project=project, query_vector=q, limit=4
            )
            assert got == want
            assert all(r.memory.status == ACTIVE for r in got.entries + got.voice)
        finally:
            store.close()
