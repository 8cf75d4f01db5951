"""The writer's long-term memory: entries they can see, correct, pin and forget.

A `Memory` has a kind (a story-bible entry such as a character or a place, a style rule,
a phrase this writer keeps refusing, a voice passage, a note), a scope (everywhere, one
project folder, one document), its evidence, timestamps, a pinned flag and a history of
edits. Explicit entries are only ever added by the writer, or proposed and then accepted
by them: a correction replaces the old text and keeps it as history, so there are never
two competing facts. Forgetting removes the bytes from the database file and its WAL.

`MemoryStore` opens its own connection to the library file (safe to use from the
memory lane's thread; one lock serialises it) after `Store` has brought the schema up
to date. Nothing here imports Qt.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from memory.memory_kinds import (  # noqa: F401 - re-exported; importable without numpy
    ACTIVE,
    AVOID,
    BIBLE_KINDS,
    DISMISSED,
    KINDS,
    NOTE,
    PROPOSED,
    SCOPES,
    STYLE,
    VOICE,
)
from memory.store import Store, StoreError

LEARNING_PAUSED = "learning_paused"
EMBEDDING_DIMENSION = 384


@dataclass(frozen=True)
class Change:
    """One earlier version of a memory, kept when it was corrected."""

    at: float
    kind: str
    text: str
    name: str
    keywords: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Memory:
    """One remembered item, as the memory panel and the prompt see it."""

    id: int
    kind: str
    text: str
    name: str = ""
    keywords: tuple[str, ...] = ()
    scope: str = "everywhere"
    scope_ref: str = ""
    status: str = ACTIVE
    pinned: bool = False
    evidence: tuple[dict[str, Any], ...] = ()
    created_at: float = 0.0
    updated_at: float = 0.0
    history: tuple[Change, ...] = field(default=(), compare=False)

    @property
    def label(self) -> str:
        """How the entry reads in a list or a prompt: "Name: text" or the text."""
        return f"{self.name}: {self.text}" if self.name else self.text

    def triggers(self) -> tuple[str, ...]:
        """The words whose appearance near the cursor recalls this entry (lorebook)."""
        words = [self.name, *self.keywords] if self.name else list(self.keywords)
        return tuple(w for w in words if w.strip())

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "name": self.name,
            "keywords": list(self.keywords),
            "scope": self.scope,
            "scope_ref": self.scope_ref,
            "status": self.status,
            "pinned": self.pinned,
            "evidence": list(self.evidence),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "history": [
                {
                    "at": c.at,
                    "kind": c.kind,
                    "text": c.text,
                    "name": c.name,
                    "keywords": list(c.keywords),
                    "reason": c.reason,
                }
                for c in self.history
            ],
        }


def split_keywords(value: str | Iterable[str]) -> tuple[str, ...]:
    """Keywords from "a, b" or a list: stripped, blanks dropped, order kept."""
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(dict.fromkeys(k.strip() for k in items if k.strip()))


_COLUMNS = (
    "id, kind, text, name, keywords, scope, scope_ref, status, pinned, evidence, "
    "created_at, updated_at"
)
_INDEX_COLUMNS = "id, kind, name, keywords, pinned, embedding"
_KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
#: Rows read at a time when the recall index loads: 256 vectors are 0.4 MB of bytes
#: objects (all 100,000 at once were 150 MB, and 150 more joined, beside the matrix).
_LOAD_BATCH = 256
_DENSE_IDS = 1 << 24  # ids below this have their kind in an array, beyond it in a dict
#: The kinds recalled by name or relevance (`memory.recall.RECALLED_KINDS`).
RECALLED = frozenset((*BIBLE_KINDS, NOTE))
_WORD = re.compile(r"\w+", re.UNICODE)


class RecallIndex:
    """What recall reads for every prompt, kept in memory so a prompt never reads 100,000
    rows: the active memories' vectors as one contiguous float32 matrix (grown by
    doubling, a removed row replaced by the last), their ids and kinds, the active
    memories' kinds by id (so the FTS5 half reads no memory's row), the pinned ids and
    the names and keywords of the recalled kinds by their longest word.

    Loaded once from the file (`load`), then kept in step one memory at a time
    (`update`) by `MemoryStore`, which tells it which ids its writes touched.
    """

    def __init__(self, dimension: int = EMBEDDING_DIMENSION) -> None:
        self.dimension = dimension
        self._clear()

    def _clear(self) -> None:
        dimension = self.dimension
        self.n = 0
        self.ids = np.zeros(0, dtype=np.int64)
        self.kinds = np.zeros(0, dtype=np.int8)
        self.matrix = np.zeros((0, dimension), dtype=np.float32)
        self.row: dict[int, int] = {}
        self.kind_by_id = np.full(64, -1, dtype=np.int8)  # an active memory's kind code
        self.kind_far: dict[int, int] = {}  # the same for ids past _DENSE_IDS
        self.pinned: set[int] = set()
        self.by_word: dict[str, set[int]] = {}
        self.words_of: dict[int, tuple[tuple[str, frozenset[str]], ...]] = {}
        self.wordless: set[int] = set()  # a name or keyword without a word character
        self._last: tuple[bytes, np.ndarray[Any, Any]] | None = None
        self._rows_of: dict[tuple[int, ...], np.ndarray[Any, Any]] = {}

    # --- keeping it in step --------------------------------------------------------
    def load(self, batches: Iterable[Sequence[tuple[Any, ...]]], vectors: int = 0) -> None:
        """Replace everything by the rows (id, kind, name, keywords, pinned, embedding) of
        active memories, given in batches (a cursor's `fetchmany`) so that only a batch of
        the stored vectors is in Python objects at a time beside the matrix; `vectors`
        (how many have one, when known) sizes the matrix once."""
        self._clear()
        self._reserve(vectors)
        for batch in batches:
            if not batch:
                continue
            self._set_kind_codes(
                [int(r[0]) for r in batch], [_KIND_CODE.get(r[1], -1) for r in batch]
            )
            with_vectors = [r for r in batch if r[5] is not None]
            if with_vectors:
                self._reserve(self.n + len(with_vectors))
                start = self.n
                self.n += len(with_vectors)
                flat = np.frombuffer(b"".join(r[5] for r in with_vectors), dtype=np.float32)
                self.matrix[start : self.n] = flat.reshape(len(with_vectors), -1)
                self.ids[start : self.n] = [int(r[0]) for r in with_vectors]
                self.kinds[start : self.n] = [_KIND_CODE.get(r[1], -1) for r in with_vectors]
                self.row.update((int(r[0]), start + i) for i, r in enumerate(with_vectors))
            for r in batch:
                self._set_words(int(r[0]), r[1], r[2], r[3], bool(r[4]))

    def _set_kind_codes(self, ids: Sequence[int], codes: Sequence[int]) -> None:
        near = [(i, c) for i, c in zip(ids, codes, strict=True) if 0 <= i < _DENSE_IDS]
        for i, c in zip(ids, codes, strict=True):
            if not 0 <= i < _DENSE_IDS:  # a far id (never made by SQLite's own numbering)
                if c < 0:
                    self.kind_far.pop(i, None)
                else:
                    self.kind_far[i] = c
        if not near:
            return
        top = max(i for i, _ in near)
        if top >= len(self.kind_by_id):
            grown = np.full(max(top + 1, 2 * len(self.kind_by_id)), -1, dtype=np.int8)
            grown[: len(self.kind_by_id)] = self.kind_by_id
            self.kind_by_id = grown
        self.kind_by_id[np.asarray([i for i, _ in near], dtype=np.int64)] = np.asarray(
            [c for _, c in near], dtype=np.int8
        )

    def update(self, memory_id: int, row: tuple[Any, ...] | None) -> None:
        """Bring one memory up to date: `row` as in `load`, None if it is gone or inactive."""
        self._last = None
        self._rows_of.clear()
        self._drop_words(memory_id)
        code = -1 if row is None else _KIND_CODE.get(row[1], -1)
        self._set_kind_codes([memory_id], [code])
        vector = None if row is None else row[5]
        if vector is None:
            self._drop_vector(memory_id)
            if row is not None:
                self._set_words(memory_id, row[1], row[2], row[3], bool(row[4]))
            return
        i = self.row.get(memory_id)
        if i is None:
            self._reserve(self.n + 1)
            i = self.n
            self.n += 1
            self.row[memory_id] = i
            self.ids[i] = memory_id
        self.matrix[i] = np.frombuffer(vector, dtype=np.float32)
        self.kinds[i] = _KIND_CODE.get(row[1], -1)  # type: ignore[index]
        self._set_words(memory_id, row[1], row[2], row[3], bool(row[4]))  # type: ignore[index]

    def _reserve(self, size: int) -> None:
        if size <= len(self.ids):
            return
        capacity = max(size, 2 * len(self.ids), 64)
        matrix = np.zeros((capacity, self.dimension), dtype=np.float32)
        matrix[: self.n] = self.matrix[: self.n]
        ids = np.zeros(capacity, dtype=np.int64)
        ids[: self.n] = self.ids[: self.n]
        kinds = np.full(capacity, -1, dtype=np.int8)
        kinds[: self.n] = self.kinds[: self.n]
        self.matrix, self.ids, self.kinds = matrix, ids, kinds

    def _drop_vector(self, memory_id: int) -> None:
        i = self.row.pop(memory_id, None)
        if i is None:
            return
        last = self.n - 1
        if i != last:
            moved = int(self.ids[last])
            self.matrix[i] = self.matrix[last]
            self.ids[i] = moved
            self.kinds[i] = self.kinds[last]
            self.row[moved] = i
        self.kinds[last] = -1
        self.n = last

    def _set_words(self, memory_id: int, kind: str, name: str, keywords: str, pinned: bool) -> None:
        if kind not in RECALLED:
            return
        if pinned:
            self.pinned.add(memory_id)
        triggers = [name, *split_keywords(keywords)] if name else list(split_keywords(keywords))
        keyed: list[tuple[str, frozenset[str]]] = []
        for trigger in triggers:
            if not trigger.strip():
                continue
            words = _WORD.findall(trigger.lower())
            if words:
                # keyed by its longest word (likely the rarest: "harbour", not "the")
                keyed.append((max(reversed(words), key=len), frozenset(words)))
            else:
                self.wordless.add(memory_id)
        for key, _ in keyed:
            self.by_word.setdefault(key, set()).add(memory_id)
        if keyed:
            self.words_of[memory_id] = tuple(keyed)

    def _drop_words(self, memory_id: int) -> None:
        self.pinned.discard(memory_id)
        self.wordless.discard(memory_id)
        for word, _ in self.words_of.pop(memory_id, ()):
            ids = self.by_word.get(word)
            if ids is not None:
                ids.discard(memory_id)
                if not ids:
                    del self.by_word[word]

    # --- reading -------------------------------------------------------------------------
    def named_candidates(self, text: str) -> set[int]:
        """Ids whose name or a keyword may appear in `text`: a superset of those it does
        appear in as whole words, to be confirmed by `memory.recall.named_in`. A trigger
        found there as a whole word has each of its words (maximal runs of word
        characters, lowercased) among the text's words, so only those are kept."""
        found = set(self.wordless)
        words = set(_WORD.findall(text.lower()))
        for word in words:
            for memory_id in self.by_word.get(word, ()):
                if memory_id not in found and any(
                    all_words <= words for _, all_words in self.words_of[memory_id]
                ):
                    found.add(memory_id)
        return found

    def top(self, query_vector: Sequence[float], kinds: Iterable[str], k: int) -> list[int]:
        """The ids of the `k` memories of `kinds` most similar to the query (cosine of
        normalised vectors), best first; ties by id. One matrix-vector product per query
        vector (kept for the next call with the same vector), then `argpartition`."""
        kind_tuple = tuple(kinds)
        q = np.ascontiguousarray(query_vector, dtype=np.float32)
        key = q.tobytes()
        if self._last is not None and self._last[0] == key:
            sims = self._last[1]
        else:
            sims = self.matrix[: self.n] @ q
            self._last = (key, sims)
        codes = tuple(sorted({_KIND_CODE[kind] for kind in kind_tuple if kind in _KIND_CODE}))
        rows = self._rows_of.get(codes)
        if rows is None:  # the rows of these kinds, kept until the next change
            rows = np.flatnonzero(np.isin(self.kinds[: self.n], codes))
            self._rows_of[codes] = rows
        k = min(k, len(rows))
        if k <= 0:
            return []
        scores = sims[rows]
        if k < len(rows):
            kth = np.partition(scores, len(rows) - k)[len(rows) - k]  # the k-th largest
            keep = np.flatnonzero(scores >= kth)
            chosen, scores = rows[keep], scores[keep]
        else:
            chosen = rows
        order = np.lexsort((self.ids[chosen], -scores))[:k]
        return [int(i) for i in self.ids[chosen[order]]]

    def kinds_of(self, ids: Sequence[int]) -> list[int]:
        """The kind codes of these ids (-1: not an active memory)."""
        table, far, size = self.kind_by_id, self.kind_far, len(self.kind_by_id)
        wanted = np.asarray(ids, dtype=np.int64)
        inside = (wanted >= 0) & (wanted < size)
        codes = np.full(len(wanted), -1, dtype=np.int8)
        codes[inside] = table[wanted[inside]]
        out = codes.tolist()
        if far:
            for j in np.flatnonzero(~inside).tolist():
                out[j] = far.get(ids[j], -1)
        return out


class MemoryStore:
    """The memory tables of one library file; close it with `close()`."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        Store(self.path).close()  # create the file or bring its schema up to date
        try:
            self._conn = sqlite3.connect(
                self.path, timeout=5.0, check_same_thread=False, isolation_level=None
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA secure_delete=ON")
        except sqlite3.Error as exc:
            raise StoreError(
                f"the Draftsmith library at {self.path} cannot be used: {exc}"
            ) from exc
        self._lock = threading.RLock()
        self._depth = 0
        self._index: RecallIndex | None = None
        self._touched: set[int] = set()
        self._data_version = -1
        self._tokens: dict[str, tuple[str, ...]] = {}  # a word as the FTS5 tokenizer has it
        self._frequencies: dict[str, int] = {}  # a token: how many memories hold it
        self._generation = 0  # counts this store's writes (and others', once seen)
        self._lexical: tuple[tuple[str, str, int], list[tuple[int, str]]] | None = None
        self._of_kind: dict[str, tuple[int, list[Memory]]] = {}  # kind: (generation, memories)

    # --- plumbing -------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write (nested calls join it); SQLite failures become StoreError."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                self._depth = 1
                try:
                    yield self._conn
                except BaseException:
                    self._depth = 0
                    self._conn.execute("ROLLBACK")
                    raise
                self._depth = 0
                self._conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"the memory in {self.path} cannot be written: {exc}") from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read-only statement."""
        with self._lock:
            try:
                return list(self._conn.execute(sql, list(params)))
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"the memory in {self.path} cannot be read: {exc}") from exc

    def close(self) -> None:
        """Release the connection."""
        with self._lock:
            self._index = None
            self._conn.close()

    # --- reading ----------------------------------------------------------------------
    def _row(self, row: tuple[Any, ...], with_history: bool = False) -> Memory:
        mid, kind, text, name, keywords, scope, ref, status, pinned, evidence, ca, ua = row
        history = self.history(mid) if with_history else ()
        return Memory(
            id=int(mid),
            kind=kind,
            text=text,
            name=name,
            keywords=split_keywords(keywords),
            scope=scope,
            scope_ref=ref,
            status=status,
            pinned=bool(pinned),
            evidence=tuple(json.loads(evidence)),
            created_at=float(ca),
            updated_at=float(ua),
            history=history,
        )

    def get(self, memory_id: int) -> Memory:
        """One memory with its history; KeyError if there is none with that id."""
        rows = self.query(f"SELECT {_COLUMNS} FROM memories WHERE id = ?", [memory_id])
        if not rows:
            raise KeyError(memory_id)
        return self._row(rows[0], with_history=True)

    def memories(
        self, kinds: Iterable[str] | None = None, status: str | None = ACTIVE
    ) -> list[Memory]:
        """Memories of the given kinds and status (None: any), pinned first, then oldest."""
        where, params = [], []
        if kinds is not None:
            kind_list = list(kinds)
            where.append(f"kind IN ({','.join('?' * len(kind_list))})")
            params.extend(kind_list)
        if status is not None:
            where.append("status = ?")
            params.append(status)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self.query(
            f"SELECT {_COLUMNS} FROM memories {clause} ORDER BY pinned DESC, id", params
        )
        return [self._row(r) for r in rows]

    def active(self, kind: str) -> list[Memory]:
        """The active memories of one kind, as `memories([kind])` gives them, kept until the
        next write (here or by another connection): recall reads the style rules and the
        refused phrases for every prompt."""
        with self._lock:
            try:
                self._check_version()
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"the memory in {self.path} cannot be read: {exc}") from exc
            cached = self._of_kind.get(kind)
            if cached is None or cached[0] != self._generation:
                cached = (self._generation, self.memories([kind]))
                self._of_kind[kind] = cached
            return list(cached[1])

    def proposals(self) -> list[Memory]:
        """Entries Draftsmith suggests remembering, waiting for the writer's answer."""
        return self.memories(status=PROPOSED)

    def history(self, memory_id: int) -> tuple[Change, ...]:
        """Earlier versions of a memory, oldest first."""
        rows = self.query(
            "SELECT at, kind, text, name, keywords, reason FROM memory_history "
            "WHERE memory_id = ? ORDER BY id",
            [memory_id],
        )
        return tuple(Change(r[0], r[1], r[2], r[3], split_keywords(r[4]), r[5]) for r in rows)

    def search(self, query: str, limit: int = 20, status: str = ACTIVE) -> list[Memory]:
        """Memories whose words match `query` (FTS5 bm25, best first)."""
        ids = self.search_ids(query, limit=limit, status=status)
        by_id = {m.id: m for m in self.memories(status=status)}
        return [by_id[i] for i in ids if i in by_id]

    def search_ids(
        self,
        query: str,
        limit: int = 20,
        status: str = ACTIVE,
        kinds: Iterable[str] | None = None,
        postings: int | None = None,
    ) -> list[int]:
        """Ids of memories (of `kinds`, default all) matching any word of `query`, best
        bm25 first.

        With `postings`, only the query's rarest words are searched for, as many as fit
        in that many (memory, word) pairs: bm25 costs time for every memory a word is in,
        so a word in most of 100,000 memories ("the") would cost seconds and tell little.
        While the words' memories fit in the budget, every word is used."""
        if postings is None:
            match = fts_query(query)
        else:
            words = list(dict.fromkeys(w.lower() for w in _WORD.findall(query) if len(w) > 1))
            match = _or_of(self._rarest(words[-32:], postings))
        if not match:
            return []
        kind_list = list(KINDS if kinds is None else kinds)
        if postings is not None:
            # every match fits in the budget: one query serves every kind (recall asks
            # twice per prompt, for entries and for voice passages), until the next write
            key = (match, status, self._generation)
            if self._lexical is None or self._lexical[0] != key:
                self._lexical = (key, self._lexical_matches(match, status))
            wanted = set(kind_list)
            return [i for i, kind in self._lexical[1] if kind in wanted][:limit]
        rows = self.query(
            "SELECT m.id FROM memory_fts JOIN memories m ON m.id = memory_fts.rowid "
            "WHERE memory_fts MATCH ? AND m.status = ? "
            f"AND m.kind IN ({','.join('?' * len(kind_list))}) "
            "ORDER BY bm25(memory_fts), m.id LIMIT ?",
            [match, status, *kind_list, limit],
        )
        return [int(r[0]) for r in rows]

    def _lexical_matches(self, match: str, status: str) -> list[tuple[int, str]]:
        """(id, kind) of the memories of `status` matching `match`, best bm25 first (ties
        by id). For active memories the kinds come from the recall index, so only the
        FTS5 index is read, never the memories' rows."""
        if status != ACTIVE:
            found = self.query(
                "SELECT m.id, m.kind FROM memory_fts "
                "JOIN memories m ON m.id = memory_fts.rowid "
                "WHERE memory_fts MATCH ? AND m.status = ? ORDER BY bm25(memory_fts), m.id",
                [match, status],
            )
            return [(int(r[0]), str(r[1])) for r in found]
        with self.recall_index() as index:
            ids = [
                int(r[0])
                for r in self.query(
                    "SELECT rowid FROM memory_fts WHERE memory_fts MATCH ? "
                    "ORDER BY bm25(memory_fts), rowid",
                    [match],
                )
            ]
            codes = index.kinds_of(ids)
        return [(i, KINDS[c]) for i, c in zip(ids, codes, strict=True) if c >= 0]

    def get_many(self, ids: Iterable[int], status: str | None = ACTIVE) -> dict[int, Memory]:
        """The memories with these ids (and `status`; None: any), without history."""
        wanted = list(dict.fromkeys(ids))
        found: dict[int, Memory] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            sql = f"SELECT {_COLUMNS} FROM memories WHERE id IN ({','.join('?' * len(chunk))})"
            params: list[Any] = list(chunk)
            if status is not None:
                sql += " AND status = ?"
                params.append(status)
            for row in self.query(sql, params):
                found[int(row[0])] = self._row(row)
        return found

    def _rarest(self, words: Sequence[str], postings: int) -> list[str]:
        """The rarest of `words`, in their order, whose memories add up to at most
        `postings` (a word in no memory is left out: it would match nothing)."""
        with self._lock:
            try:
                self._check_version()
                counts = self._word_frequencies(words)
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"the memory in {self.path} cannot be read: {exc}") from exc
        chosen: set[str] = set()
        total = 0
        for word in sorted((w for w in words if counts[w]), key=lambda w: counts[w]):
            if total + counts[word] > postings:
                break
            total += counts[word]
            chosen.add(word)
        return [w for w in words if w in chosen]

    def _check_version(self) -> None:
        """Forget what is cached of the file when another connection wrote to it."""
        version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        if version != self._data_version:
            self._index = None
            self._frequencies.clear()
            self._generation += 1

    def _word_frequencies(self, words: Sequence[str]) -> dict[str, int]:
        """How many memories each word is in (at most: a word of several tokens is a phrase,
        counted by its rarest token), through FTS5's own tokenizer and term counts."""
        conn = self._conn
        new = [w for w in words if w not in self._tokens]
        if new:
            conn.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.recall_words "
                "USING fts5(w, tokenize='porter unicode61')"
            )
            conn.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.recall_words_terms "
                "USING fts5vocab(temp, recall_words, 'instance')"
            )
            conn.executemany(
                "INSERT INTO temp.recall_words (rowid, w) VALUES (?, ?)",
                list(enumerate(new, start=1)),
            )
            tokens: dict[int, list[str]] = {}
            for doc, term in conn.execute(
                "SELECT doc, term FROM temp.recall_words_terms ORDER BY doc, offset"
            ):
                tokens.setdefault(int(doc), []).append(str(term))
            conn.execute("DELETE FROM temp.recall_words")
            for i, word in enumerate(new, start=1):
                self._tokens[word] = tuple(tokens.get(i, ()))
        unknown = {t for w in words for t in self._tokens[w] if t not in self._frequencies}
        if unknown:
            conn.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.memory_fts_terms "
                "USING fts5vocab(main, memory_fts, 'row')"
            )
            for token in unknown:
                row = conn.execute(
                    "SELECT doc FROM temp.memory_fts_terms WHERE term = ?", [token]
                ).fetchone()
                self._frequencies[token] = int(row[0]) if row else 0
        return {w: min((self._frequencies[t] for t in self._tokens[w]), default=0) for w in words}

    # --- the recall index ----------------------------------------------------------------
    def _touch(self, ids: Iterable[int]) -> None:
        """These memories changed: the recall index re-reads them before its next use."""
        self._touched.update(int(i) for i in ids)
        self._generation += 1

    @contextmanager
    def recall_index(self) -> Iterator[RecallIndex]:
        """The recall index, up to date, held under the store's lock while in use.

        Loaded on first use; afterwards only the memories this store changed are read
        again, unless another connection wrote to the file (`PRAGMA data_version`),
        which reloads it."""
        with self._lock:
            try:
                version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
                if self._index is None or version != self._data_version:
                    if version != self._data_version:
                        self._generation += 1  # another connection wrote: caches are stale
                    self._frequencies.clear()
                    index = RecallIndex()
                    (vectors,) = self._conn.execute(
                        "SELECT COUNT(*) FROM memories WHERE status = ? AND embedding IS NOT NULL",
                        [ACTIVE],
                    ).fetchone()
                    cursor = self._conn.execute(
                        f"SELECT {_INDEX_COLUMNS} FROM memories WHERE status = ? ORDER BY id",
                        [ACTIVE],
                    )
                    index.load(iter(lambda: cursor.fetchmany(_LOAD_BATCH), []), int(vectors))
                    self._index, self._data_version = index, version
                    self._touched.clear()
                elif self._touched:
                    touched = sorted(self._touched)
                    self._touched.clear()
                    for start in range(0, len(touched), 500):
                        chunk = touched[start : start + 500]
                        rows = {
                            int(r[0]): r
                            for r in self._conn.execute(
                                f"SELECT {_INDEX_COLUMNS} FROM memories WHERE status = ? "
                                f"AND id IN ({','.join('?' * len(chunk))})",
                                [ACTIVE, *chunk],
                            )
                        }
                        for memory_id in chunk:
                            self._index.update(memory_id, rows.get(memory_id))
            except sqlite3.DatabaseError as exc:
                self._index = None
                raise StoreError(f"the memory in {self.path} cannot be read: {exc}") from exc
            yield self._index

    def pinned_ids(self) -> list[int]:
        """Ids of the active pinned memories of the recalled kinds, oldest first."""
        with self.recall_index() as index:
            return sorted(index.pinned)

    def named_candidates(self, text: str) -> list[int]:
        """Ids of active memories of the recalled kinds whose name or a keyword may be in
        `text` (a superset, to confirm with `memory.recall.named_in`), oldest first."""
        with self.recall_index() as index:
            return sorted(index.named_candidates(text))

    def vector_top(self, query_vector: Sequence[float], kinds: Iterable[str], k: int) -> list[int]:
        """Ids of the `k` active memories of `kinds` closest to the query vector."""
        with self.recall_index() as index:
            return index.top(query_vector, kinds, k)

    # --- writing ----------------------------------------------------------------------
    def add(
        self,
        text: str,
        kind: str = NOTE,
        *,
        name: str = "",
        keywords: str | Iterable[str] = (),
        scope: str = "everywhere",
        scope_ref: str = "",
        evidence: Sequence[dict[str, Any]] = ({"kind": "typed"},),
        pinned: bool = False,
        status: str = ACTIVE,
    ) -> Memory:
        """Remember something; an active entry of the same kind and name is corrected instead.

        Raises ValueError for an empty text, an unknown kind or scope.
        """
        text, name = text.strip(), name.strip()
        if not text:
            raise ValueError("a memory needs some text")
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}; use one of {', '.join(SCOPES)}")
        words = split_keywords(keywords)
        with self.transaction() as conn:
            if name and status == ACTIVE:
                same = conn.execute(
                    "SELECT id FROM memories WHERE kind = ? AND lower(name) = lower(?) "
                    "AND scope = ? AND scope_ref = ? AND status = ?",
                    [kind, name, scope, scope_ref, ACTIVE],
                ).fetchone()
                if same is not None:
                    return self.correct(
                        int(same[0]), text=text, keywords=words or None, reason="replaced"
                    )
            now = time.time()
            cur = conn.execute(
                "INSERT INTO memories (kind, text, name, keywords, scope, scope_ref, status, "
                "pinned, evidence, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [
                    kind,
                    text,
                    name,
                    ", ".join(words),
                    scope,
                    scope_ref,
                    status,
                    int(pinned),
                    json.dumps(list(evidence), ensure_ascii=False),
                    now,
                    now,
                ],
            )
            memory_id = int(cur.lastrowid or 0)
            conn.execute(
                "INSERT INTO memory_fts (rowid, text, name, keywords) VALUES (?, ?, ?, ?)",
                [memory_id, text, name, " ".join(words)],
            )
            self._touch([memory_id])
            self._frequencies.clear()
        return self.get(memory_id)

    def propose(
        self,
        text: str,
        kind: str,
        *,
        name: str = "",
        keywords: str | Iterable[str] = (),
        evidence: Sequence[dict[str, Any]] = (),
        scope: str = "everywhere",
        scope_ref: str = "",
    ) -> Memory | None:
        """Offer an entry for the writer to accept; None if that name was already known,
        proposed or dismissed (a dismissed proposal is not asked again)."""
        if name:
            known = self.query(
                "SELECT 1 FROM memories WHERE lower(name) = lower(?) LIMIT 1", [name.strip()]
            )
            if known:
                return None
        return self.add(
            text,
            kind,
            name=name,
            keywords=keywords,
            evidence=evidence,
            scope=scope,
            scope_ref=scope_ref,
            status=PROPOSED,
        )

    def accept(self, memory_id: int) -> Memory:
        """The writer said yes to a proposal: it is remembered from now on."""
        self._set(memory_id, "status", ACTIVE)
        return self.get(memory_id)

    def dismiss(self, memory_id: int) -> None:
        """The writer said no to a proposal: it stays dismissed and is not asked again."""
        self._set(memory_id, "status", DISMISSED)

    def set_pinned(self, memory_id: int, pinned: bool) -> None:
        """A pinned entry goes into every prompt it is in scope for, never dropped."""
        self._set(memory_id, "pinned", int(pinned))

    def _set(self, memory_id: int, column: str, value: object) -> None:
        with self.transaction() as conn:
            cur = conn.execute(
                f"UPDATE memories SET {column} = ?, updated_at = ? WHERE id = ?",
                [value, time.time(), memory_id],
            )
            if cur.rowcount == 0:
                raise KeyError(memory_id)
            self._touch([memory_id])

    def correct(
        self,
        memory_id: int,
        *,
        text: str | None = None,
        name: str | None = None,
        keywords: str | Iterable[str] | None = None,
        kind: str | None = None,
        scope: str | None = None,
        reason: str = "edited",
    ) -> Memory:
        """Replace a memory's content, keeping the old version in its history."""
        old = self.get(memory_id)
        new_text = old.text if text is None else text.strip()
        new_name = old.name if name is None else name.strip()
        new_words = old.keywords if keywords is None else split_keywords(keywords)
        new_kind = old.kind if kind is None else kind
        new_scope = old.scope if scope is None else scope
        if not new_text:
            raise ValueError("a memory needs some text")
        if new_kind not in KINDS or new_scope not in SCOPES:
            raise ValueError("unknown kind or scope")
        now = time.time()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO memory_history (memory_id, at, kind, text, name, keywords, reason) "
                "VALUES (?,?,?,?,?,?,?)",
                [memory_id, now, old.kind, old.text, old.name, ", ".join(old.keywords), reason],
            )
            conn.execute(
                "UPDATE memories SET text = ?, name = ?, keywords = ?, kind = ?, scope = ?, "
                "updated_at = ?, embedding = NULL WHERE id = ?",
                [new_text, new_name, ", ".join(new_words), new_kind, new_scope, now, memory_id],
            )
            conn.execute("DELETE FROM memory_fts WHERE rowid = ?", [memory_id])
            conn.execute(
                "INSERT INTO memory_fts (rowid, text, name, keywords) VALUES (?, ?, ?, ?)",
                [memory_id, new_text, new_name, " ".join(new_words)],
            )
            self._touch([memory_id])
            self._frequencies.clear()
        return self.get(memory_id)

    def replace_voice(self, doc_key: str, passages: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Make `passages` (text, evidence) the voice samples taken from one document."""
        with self.transaction() as conn:
            old = {
                r[1]: int(r[0])
                for r in conn.execute(
                    "SELECT id, text FROM memories WHERE kind = ? AND scope_ref = ?",
                    [VOICE, doc_key],
                )
            }
            keep = {text for text, _ in passages}
            stale = [mid for text, mid in old.items() if text not in keep]
            self._delete(conn, stale)
            for text, evidence in passages:
                if text not in old:
                    self.add(
                        text,
                        VOICE,
                        scope="everywhere",
                        scope_ref=doc_key,
                        evidence=[evidence],
                    )
        if old.keys() - keep:
            self.scrub()

    # --- embeddings (computed in the background) ---------------------------------------
    def missing_embeddings(self, limit: int = 256) -> list[tuple[int, str]]:
        """(id, text to embed) of memories that have no embedding yet."""
        rows = self.query(
            "SELECT id, name, text FROM memories WHERE embedding IS NULL ORDER BY id LIMIT ?",
            [limit],
        )
        return [(int(r[0]), f"{r[1]}: {r[2]}" if r[1] else r[2]) for r in rows]

    def set_embeddings(self, vectors: Sequence[tuple[int, Sequence[float]]]) -> None:
        """Store one float32 vector per memory id."""
        with self.transaction() as conn:
            for memory_id, vector in vectors:
                blob = np.asarray(vector, dtype=np.float32).tobytes()
                conn.execute("UPDATE memories SET embedding = ? WHERE id = ?", [blob, memory_id])
                self._touch([memory_id])

    def embeddings(
        self, kinds: Iterable[str] | None = None
    ) -> tuple[list[int], np.ndarray[Any, np.dtype[np.float32]]]:
        """Ids and an (n, 384) float32 matrix of active memories that have embeddings."""
        kind_list = list(KINDS if kinds is None else kinds)
        rows = self.query(
            f"SELECT id, embedding FROM memories WHERE status = ? AND embedding IS NOT NULL "
            f"AND kind IN ({','.join('?' * len(kind_list))}) ORDER BY id",
            [ACTIVE, *kind_list],
        )
        if not rows:
            return [], np.zeros((0, EMBEDDING_DIMENSION), dtype=np.float32)
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
        return [int(r[0]) for r in rows], matrix.reshape(len(rows), -1)

    # --- the writer's switches -----------------------------------------------------------
    def switch(self, key: str) -> bool:
        rows = self.query("SELECT value FROM memory_switches WHERE key = ?", [key])
        return bool(rows) and rows[0][0] == "1"

    def set_switch(self, key: str, on: bool) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO memory_switches (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, "1" if on else "0"],
            )

    @property
    def learning_paused(self) -> bool:
        """While paused, nothing new is learned (suggestions still use what is known)."""
        return self.switch(LEARNING_PAUSED)

    def set_learning_paused(self, paused: bool) -> None:
        self.set_switch(LEARNING_PAUSED, paused)

    def is_private(self, doc_key: str) -> bool:
        """A private document: nothing is learned from it, nothing recalled into it."""
        return bool(doc_key) and bool(
            self.query("SELECT 1 FROM private_documents WHERE doc_key = ?", [doc_key])
        )

    def set_private(self, doc_key: str, private: bool) -> None:
        """Mark a document private (and forget what was learned from it) or not."""
        with self.transaction() as conn:
            if private:
                conn.execute(
                    "INSERT OR IGNORE INTO private_documents (doc_key, at) VALUES (?, ?)",
                    [doc_key, time.time()],
                )
                ids = [
                    int(r[0])
                    for r in conn.execute(
                        "SELECT id FROM memories WHERE kind = ? AND scope_ref = ?",
                        [VOICE, doc_key],
                    )
                ]
                self._delete(conn, ids)
                conn.execute("DELETE FROM feedback WHERE doc_key = ?", [doc_key])
                # (refusal counts are phrases, not the document's text: they stay)
            else:
                conn.execute("DELETE FROM private_documents WHERE doc_key = ?", [doc_key])
        if private:
            self.scrub()

    def private_documents(self) -> list[str]:
        return [r[0] for r in self.query("SELECT doc_key FROM private_documents ORDER BY at")]

    # --- forgetting -------------------------------------------------------------------------
    def _delete(self, conn: sqlite3.Connection, ids: Sequence[int]) -> None:
        self._touch(ids)
        self._frequencies.clear()
        for memory_id in ids:
            conn.execute("DELETE FROM memories WHERE id = ?", [memory_id])
            conn.execute("DELETE FROM memory_history WHERE memory_id = ?", [memory_id])
            conn.execute("DELETE FROM memory_fts WHERE rowid = ?", [memory_id])

    def forget(self, memory_id: int) -> None:
        """Delete one memory and its history, then scrub the file; KeyError if unknown."""
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM memories WHERE id = ?", [memory_id]).fetchone() is None:
                raise KeyError(memory_id)
            self._delete(conn, [memory_id])
        self.scrub()

    def forget_all(self) -> None:
        """Delete every memory, all feedback and the writer's switches, then scrub."""
        with self.transaction() as conn:
            tables = (
                "memories",
                "memory_history",
                "feedback",
                "refused_phrases",
                "private_documents",
            )
            for table in tables:
                conn.execute(f"DELETE FROM {table}")
            conn.execute("DELETE FROM memory_switches WHERE key != ?", [LEARNING_PAUSED])
            conn.execute("DELETE FROM memory_fts")
            self._index = None  # reloaded (empty) on its next use
            self._frequencies.clear()
            self._generation += 1
        self.scrub()

    def scrub(self) -> None:
        """Make deleted text unrecoverable: merge the FTS index (dropping deleted terms),
        rewrite the file (VACUUM) and empty the WAL into it (checkpoint, truncate)."""
        with self._lock:
            try:
                self._conn.execute("INSERT INTO memory_fts (memory_fts) VALUES ('optimize')")
                self._conn.execute("VACUUM")
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.DatabaseError as exc:
                raise StoreError(
                    f"the memory in {self.path} could not be cleaned up: {exc}"
                ) from exc

    # --- export ------------------------------------------------------------------------------
    def export(self) -> dict[str, Any]:
        """Everything remembered, as JSON-ready data (memories with history, feedback)."""
        memories = [self.get(m.id).to_json() for m in self.memories(status=None)]
        return {
            "format": "draftsmith-memory/1",
            "exported_at": time.time(),
            "learning_paused": self.learning_paused,
            "private_documents": self.private_documents(),
            "memories": memories,
            "feedback": feedback_rows(self),
        }


def fts_query(text: str, max_terms: int = 32) -> str:
    """An FTS5 MATCH expression: any of the words of `text` (quoted, so nothing is syntax)."""
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(text) if len(w) > 1))
    return _or_of(words[-max_terms:])


def _or_of(words: Sequence[str]) -> str:
    return " OR ".join(f'"{w}"' for w in words)


def feedback_rows(store: MemoryStore) -> list[dict[str, Any]]:
    """All feedback as JSON-ready rows (for export), oldest first."""
    rows = store.query(
        "SELECT id, at, writer, doc_key, project, context, text, outcome, accepted_chars, "
        "rank, model, settings, logprob FROM feedback ORDER BY id"
    )
    keys = (
        "id",
        "at",
        "writer",
        "doc_key",
        "project",
        "context",
        "text",
        "outcome",
        "accepted_chars",
        "rank",
        "model",
        "settings",
        "logprob",
    )
    out = []
    for row in rows:
        item = dict(zip(keys, row, strict=True))
        item["settings"] = json.loads(item["settings"])
        out.append(item)
    return out
