"""Recall: which memories belong in the prompt for the text near the cursor.

Story-bible entries are recalled as a lorebook does it: when their name or a keyword
appears near the cursor. Beyond those, recall is hybrid: FTS5 bm25 over the words and
cosine similarity over all-MiniLM-L6-v2 vectors (numpy, brute force), fused by
reciprocal rank. Pinned entries are always recalled. A private document gets nothing
from elsewhere: only entries scoped to that document itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from memory.memories import AVOID, BIBLE_KINDS, NOTE, STYLE, VOICE, Memory, MemoryStore

RRF_K = 60
#: Kinds that compete for the prompt by relevance (rules and refusals apply regardless).
RECALLED_KINDS = (*BIBLE_KINDS, NOTE)
PINNED, NAMED, RELATED, RULE, SAMPLE = "pinned", "named near the cursor", "related", "rule", "voice"


@dataclass(frozen=True)
class Recalled:
    """A memory chosen for the prompt, and why."""

    memory: Memory
    reason: str
    score: float = 0.0


@dataclass(frozen=True)
class Recollection:
    """Everything recalled for one prompt, best first within each group."""

    entries: tuple[Recalled, ...] = ()
    rules: tuple[Recalled, ...] = ()
    voice: tuple[Recalled, ...] = ()
    avoid: tuple[str, ...] = field(default=())


def in_scope(memory: Memory, doc_key: str, project: str, private: bool) -> bool:
    """Whether a memory may be recalled into this document."""
    if memory.scope == "document" or private:
        return memory.scope == "document" and memory.scope_ref == doc_key
    if memory.scope == "project":
        return bool(project) and memory.scope_ref == project
    return True


def rrf(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion: each list adds 1 / (k + rank) to the ids in it."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores


def vector_ranking(
    store: MemoryStore, query_vector: Sequence[float], kinds: Sequence[str], limit: int = 50
) -> list[int]:
    """Ids of memories of `kinds`, most similar to the query first."""
    ids, matrix = store.embeddings(kinds)
    if not ids:
        return []
    sims = matrix @ np.asarray(query_vector, dtype=np.float32)
    order = np.argsort(-sims)[:limit]
    return [ids[i] for i in order]


def hybrid_ranking(
    store: MemoryStore,
    query: str,
    query_vector: Sequence[float] | None,
    kinds: Sequence[str] = RECALLED_KINDS,
    limit: int = 50,
) -> list[tuple[int, float]]:
    """(id, fused score) best first: bm25 and (when a query vector is given) cosine."""
    kind_set = set(kinds)
    by_id = {m.id: m for m in store.memories(kinds)}
    lexical = [
        i for i in store.search_ids(query, limit=limit) if i in by_id and by_id[i].kind in kind_set
    ]
    rankings = [lexical]
    if query_vector is not None:
        rankings.append(vector_ranking(store, query_vector, kinds, limit))
    fused = rrf(rankings)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def named_in(memory: Memory, text: str) -> bool:
    """Whether the entry's name or one of its keywords appears in `text` (whole words)."""
    lowered = text.lower()
    for word in memory.triggers():
        w = word.lower()
        if w in lowered and re.search(rf"(?<!\w){re.escape(w)}(?!\w)", lowered):
            return True
    return False


def recall(
    store: MemoryStore,
    near_cursor: str,
    *,
    doc_key: str = "",
    project: str = "",
    query: str | None = None,
    query_vector: Sequence[float] | None = None,
    limit: int = 6,
    voice_limit: int = 2,
) -> Recollection:
    """What to remember for a prompt whose text near the cursor is `near_cursor`.

    Names and keywords are looked for in `near_cursor`; the search for related entries
    and voice passages uses `query` (default `near_cursor`): passing the text up to the
    last finished paragraph keeps the result, and the prompt's prefix, steady while the
    writer types."""
    query = near_cursor if query is None else query
    private = store.is_private(doc_key)
    allowed = [m for m in store.memories() if in_scope(m, doc_key, project, private)]
    allowed_ids = {m.id for m in allowed}
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
    by_id = {m.id: m for m in allowed}
    for memory_id, score in hybrid_ranking(store, query, query_vector):
        if len(entries) >= max(limit, len(seen)):
            break
        if memory_id in allowed_ids and memory_id not in seen:
            entries.append(Recalled(by_id[memory_id], RELATED, score))
            seen.add(memory_id)
    rules = tuple(Recalled(m, RULE) for m in allowed if m.kind == STYLE)
    avoid = tuple(m.text for m in allowed if m.kind == AVOID)
    voice: list[Recalled] = []
    if not private and voice_limit > 0:
        ranked = hybrid_ranking(store, query, query_vector, kinds=(VOICE,))
        for memory_id, score in ranked[:voice_limit]:
            if memory_id in by_id:
                voice.append(Recalled(by_id[memory_id], SAMPLE, score))
    return Recollection(tuple(entries), rules, tuple(voice), avoid)
