"""The edit ledger: an append-only, hash-chained log of a document's edits.

Each entry is one `EditEvent` plus the change it made (`start`, `removed`, `inserted`
and the `(length, source event)` segments that wrote the inserted text). Its hash is
sha256(previous hash + canonical JSON of the entry), so any later change to a stored
entry breaks the chain. Appends are buffered and written by `flush()` in one
transaction: the ledger is the autosave journal, flushed on a pause in typing and at
least every half second (the window's timers; see `memory.recovery` for what a crash
leaves). A document's row can wait for its first entry (`new_row`), so an untouched
untitled window leaves nothing behind.
Replaying it reproduces the text and every character's author exactly; snapshots
every `snapshot_every` entries (more apart for a very long text: `snapshot_interval`)
keep opening a long document fast.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from hashlib import sha256 as _sha256
from math import isfinite
from operator import itemgetter

from memory.events import EVENT_MAKER, Author, EditEvent, How
from memory.runs import CHUNK_MAX, AuthoredText, Segment, normalize_segments
from memory.store import Store, StoreError
from memory.text_pieces import utf8_slices

GENESIS_HASH = "0" * 64
SNAPSHOT_EVERY = 500
#: A snapshot costs its text's whole length to write, so a long text takes one every
#: `len(text) // SNAPSHOT_CHARS_PER_ENTRY` entries when that is more than
#: `snapshot_every`: a 50 MB manuscript every 25,000 entries, not every 500 (which wrote
#: 50 MB to the library, on the GUI thread, every 500 keys). Replaying an entry splices
#: one chunk of the text (`memory.runs`), whatever its length.
SNAPSHOT_CHARS_PER_ENTRY = 2_000
#: A save keeps a snapshot at its head when replaying from the last one would copy at
#: least this many characters (`Ledger.snapshot_head`): about 1,200 entries of a text
#: longer than a chunk.
SAVE_SNAPSHOT_REPLAY_CHARS = 20_000_000


class LedgerError(StoreError):
    """The ledger does not check out: a broken hash chain or a gap in its entries."""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One stored edit: the event, the change it made, and its place in the chain."""

    event: EditEvent
    start: int
    removed: int
    inserted: str
    segments: tuple[Segment, ...]
    prev_hash: str
    hash: str


def canonical_json(
    event: EditEvent, start: int, removed: int, inserted: str, segments: Sequence[Segment]
) -> str:
    """The exact bytes an entry's hash covers (sorted keys, no spaces, ASCII only)."""
    return _canonical(event, event.author.key, start, removed, inserted, segments)


def _canonical_slow(
    event: EditEvent,
    key: str,
    start: int,
    removed: int,
    inserted: str,
    segments: Sequence[Segment],
) -> str:
    """The definition: what json.dumps makes of the entry."""
    return json.dumps(
        {
            "seq": event.seq,
            "at": event.at,
            "author": key,
            "how": event.how.value,
            "start": start,
            "removed": removed,
            "inserted": inserted,
            "segments": [[length, source] for length, source in segments],
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )


# The same bytes as `_canonical_slow`, made by hand for the usual case: exact ints, a
# finite float (or int) time and strings escaped by json's own C escaper. Keys in
# sorted order: at, author, how, inserted, removed, segments, seq, start.
_escape = json.encoder.encode_basestring_ascii
_dumps = json.dumps
_INT = int
_FLOAT = float
_INFINITY = float("inf")
_HOW_VALUES = {how: how.value for how in How}  # an enum's .value is a slow lookup


def _canonical(
    event: EditEvent,
    key: str,
    start: int,
    removed: int,
    inserted: str,
    segments: Sequence[Segment],
) -> str:
    at = event.at
    seq = event.seq
    how = _HOW_VALUES[event.how]
    kind = type(at)
    if (
        (
            (kind is _FLOAT and -_INFINITY < at < _INFINITY)  # not NaN or infinite
            or kind is _INT
        )
        and type(seq) is _INT
        and type(start) is _INT
        and type(removed) is _INT
    ):
        pieces = []
        for length, source in segments:
            if type(length) is not _INT or type(source) is not _INT:
                break
            pieces.append(f"[{length},{source}]")
        else:
            return (
                f'{{"at":{at!r},"author":{_escape(key)},"how":{_escape(how)},'
                f'"inserted":{_escape(inserted)},"removed":{removed},'
                f'"segments":[{",".join(pieces)}],"seq":{seq},"start":{start}}}'
            )
    return _canonical_slow(event, key, start, removed, inserted, segments)


def _segments_json(segments: Sequence[Segment]) -> str:
    """`json.dumps([list(s) for s in segments])` for (int, int) pieces, by hand."""
    if len(segments) == 1:
        n, s = segments[0]
        if type(n) is _INT and type(s) is _INT:
            return f"[[{n}, {s}]]"
    elif all(type(n) is _INT and type(s) is _INT for n, s in segments):
        return "[" + ", ".join([f"[{n}, {s}]" for n, s in segments]) + "]"
    return json.dumps([list(s) for s in segments])


def entry_hash(
    prev_hash: str,
    event: EditEvent,
    start: int,
    removed: int,
    inserted: str,
    segments: Sequence[Segment],
) -> str:
    """sha256(prev_hash + canonical JSON of the entry), hex."""
    body = canonical_json(event, start, removed, inserted, segments)
    return hashlib.sha256((prev_hash + body).encode("ascii")).hexdigest()


# An entry not flushed yet, as its row of the events table: doc_id, seq, at, author key,
# how, start, removed, inserted, segments (JSON), prev hash, hash.
_Row = tuple[str, int, float, str, str, int, int, str, str, str, str]

#: A snapshot's text longer than this (characters) is written into its row in slices
#: (`_write_snapshot`), this many characters each.
SNAPSHOT_SLICE_CHARS = 1 << 18


def _write_snapshot(
    conn: sqlite3.Connection, doc_id: str, seq: int, text: str, runs_json: str, needed_json: str
) -> None:
    """One snapshot row. A long text goes in as UTF-8 a slice at a time through SQLite's
    incremental I/O (the row made first with a zero-filled text of the right size, which
    SQLite fills without Python's lock): bound as one string, sqlite3 encoded a 50 MB
    manuscript whole and copied it, holding the interpreter's lock for 130-400 ms on
    the open lane, and kept the UTF-8 with the string for as long as the text lived.
    The value is TEXT either way; readers see no difference."""
    sql = "INSERT OR REPLACE INTO snapshots (doc_id, seq, text, runs, events_needed) VALUES "
    if len(text) <= SNAPSHOT_SLICE_CHARS:
        conn.execute(sql + "(?, ?, ?, ?, ?)", [doc_id, seq, text, runs_json, needed_json])
        return
    pieces = list(utf8_slices(text, size=SNAPSHOT_SLICE_CHARS))
    size = sum(map(len, pieces))
    row = conn.execute(
        sql + "(?, ?, CAST(zeroblob(?) AS TEXT), ?, ?)",
        [doc_id, seq, size, runs_json, needed_json],
    ).lastrowid
    assert row is not None
    with conn.blobopen("snapshots", "text", row) as blob:
        for piece in pieces:
            blob.write(piece)


class Ledger:
    """A document's edit log in the store, with an in-memory tail not yet flushed."""

    def __init__(
        self,
        store: Store,
        doc_id: str,
        snapshot_every: int = SNAPSHOT_EVERY,
        new_row: tuple[str | None, str] | None = None,
    ) -> None:
        self.store = store
        self.doc_id = doc_id
        self.snapshot_every = snapshot_every
        # (path, title) of a document row not written yet: the first flush with an
        # entry creates it, so a document nobody typed in leaves no row behind.
        self._new_row = new_row
        # Entries not flushed yet: their events, and the entries as rows of the events
        # table, made as they are appended (the flush hands them to SQLite as they are;
        # a `LedgerEntry` per keystroke would cost more than its hash, and every object
        # kept per keystroke is one more for the garbage collector to walk).
        # `entries()` gives them as `LedgerEntry`s.
        self._pending: list[EditEvent] = []
        self._rows: list[_Row] = []
        self._pending_snapshots: list[tuple[int, str, str, str]] = []
        # (model seq, by seq) to mark edited, or (model seq, None) to clear (an undo)
        self._pending_edits: list[tuple[int, int | None]] = []
        self._known_authors: set[str] = set()
        self._authors: dict[str, Author] = {}
        self._last_author: Author | None = None
        self._last_key = ""
        with store.guard():
            row = store.db.execute(
                "SELECT seq, hash FROM events WHERE doc_id = ? ORDER BY seq DESC LIMIT 1",
                [doc_id],
            ).fetchone()
            snap = store.db.execute(
                "SELECT MAX(seq) FROM snapshots WHERE doc_id = ?", [doc_id]
            ).fetchone()
        self._head_seq = int(row[0]) if row else 0
        self._head_hash = str(row[1]) if row else GENESIS_HASH
        self._last_snapshot_seq = int(snap[0] or 0)

    @property
    def head_seq(self) -> int:
        """The seq of the last entry (flushed or not); 0 for an empty ledger."""
        return self._head_seq

    @property
    def head_hash(self) -> str:
        """The hash of the last entry: it stands for the whole history."""
        return self._head_hash

    @property
    def has_row(self) -> bool:
        """Whether the document's row is in the store (False until its first entry)."""
        return self._new_row is None

    @property
    def written(self) -> bool:
        """Whether everything appended is in the store (nothing waits for `flush()`)."""
        return not (self._pending or self._pending_snapshots or self._pending_edits)

    def set_new_row(self, path: str | None, title: str) -> None:
        """The path and title a row not written yet will get (a new file's, or Save As
        before the first edit)."""
        if self._new_row is not None:
            self._new_row = (path, title)

    @property
    def pending(self) -> int:
        """How many entries wait for the next `flush()`."""
        return len(self._pending)

    def append(
        self,
        event: EditEvent,
        start: int,
        removed: int,
        inserted: str,
        segments: Sequence[Segment],
    ) -> str:
        """Chain one entry onto the log (kept in memory until `flush()`); its hash."""
        if event.seq != self._head_seq + 1:
            raise ValueError(f"event seq {event.seq} does not follow {self._head_seq}")
        if len(segments) == 1 and type(piece := segments[0]) is tuple and piece[0] > 0:
            segs: tuple[Segment, ...] = (piece,)  # one piece: already normal
        elif not segments:
            segs = ()  # a deletion
        else:
            segs = tuple(normalize_segments(segments))
        author = event.author
        if author is self._last_author:  # frozen: the same object has the same key
            key = self._last_key
        else:
            key = author.key
            self._authors[key] = author
            self._last_author, self._last_key = author, key
        prev = self._head_hash
        body = _canonical(event, key, start, removed, inserted, segs)
        digest = _sha256((prev + body).encode("ascii")).hexdigest()
        self._pending.append(event)
        self._rows.append(
            (
                self.doc_id,
                event.seq,
                event.at,
                key,
                _HOW_VALUES[event.how],
                start,
                removed,
                inserted,
                _segments_json(segs),
                prev,
                digest,
            )
        )
        self._head_seq = event.seq
        self._head_hash = digest
        return digest

    def append_inserts(
        self, author: Author, how: How, start: int, texts: Sequence[str], ats: Sequence[float]
    ) -> list[EditEvent]:
        """Chain one entry per text of `texts`, each inserted by a new event of `author`
        and `how` at time `ats[i]`, right after the text before it (the first at `start`):
        a run of typing. The same entries and hashes as `append` called once per text, in
        one loop; the new events, in order."""
        if len(texts) != len(ats):
            raise ValueError("one time per inserted text")
        if not all(texts):
            raise ValueError("an insertion inserts something")
        if author is self._last_author:
            key = self._last_key
        else:
            key = author.key
            self._authors[key] = author
            self._last_author, self._last_key = author, key
        # The canonical JSON of an insertion, `_canonical` unrolled: between the time and
        # the text nothing changes from one keystroke to the next.
        middle = f',"author":{_escape(key)},"how":{_escape(_HOW_VALUES[how])},"inserted":'
        fast = type(start) is _INT
        seq = self._head_seq
        prev = self._head_hash
        pending, rows = self._pending, self._rows
        first = len(pending)
        new_event, set_seq, set_author, set_how, set_at = EVENT_MAKER
        append_event, append_row = pending.append, rows.append
        escape, sha = _escape, _sha256
        doc_id, how_value = self.doc_id, _HOW_VALUES[how]
        pos = start
        # finite floats only (no NaN or infinity, no ints): then every body is unrolled
        fast = fast and set(map(type, ats)) <= {_FLOAT} and all(map(isfinite, ats))
        for text, at in zip(texts, ats, strict=True):
            seq += 1
            event = new_event(EditEvent)  # EditEvent(seq, author, how, at), unrolled
            set_seq(event, seq)
            set_author(event, author)
            set_how(event, how)
            set_at(event, at)
            n = len(text)
            if fast:  # prev + the canonical JSON (ASCII: its UTF-8 is its ASCII)
                digest = sha(
                    f'{prev}{{"at":{at!r}{middle}{escape(text)},"removed":0,'
                    f'"segments":[[{n},{seq}]],"seq":{seq},"start":{pos}}}'.encode()
                ).hexdigest()
            else:
                body = _canonical(event, key, pos, 0, text, ((n, seq),))
                digest = sha((prev + body).encode("ascii")).hexdigest()
            append_event(event)
            append_row(
                (doc_id, seq, at, key, how_value, pos, 0, text, f"[[{n}, {seq}]]", prev, digest)
            )
            prev = digest
            pos += n
        self._head_seq = seq
        self._head_hash = prev
        return pending[first:]

    def snapshot_interval(self, length: int) -> int:
        """Entries between snapshots of a text of `length` characters."""
        return max(self.snapshot_every, length // SNAPSHOT_CHARS_PER_ENTRY)

    def entries_to_snapshot(self, length: int) -> int:
        """How many more entries make `snapshot_due(length)` true (at least 1)."""
        interval = self.snapshot_interval(length)
        return max(1, interval - (self._head_seq - self._last_snapshot_seq))

    def snapshot_due(self, length: int) -> bool:
        """True when enough entries passed since the last snapshot to take another of
        a text of `length` characters."""
        return self._head_seq - self._last_snapshot_seq >= self.snapshot_interval(length)

    def add_snapshot(self, state: AuthoredText) -> None:
        """Keep the text and runs as of the head, so replay can start here."""
        runs = state.pairs()
        needed = sorted(set(map(itemgetter(1), runs)))
        # json's C encoder, whatever the values (it was faster than checking that they
        # are all ints and writing their repr with brackets, which gave the same bytes)
        runs_json, needed_json = _dumps(runs), _dumps(needed)
        self._pending_snapshots.append((self._head_seq, state.text, runs_json, needed_json))
        self._last_snapshot_seq = self._head_seq

    def snapshot_head(self, state: AuthoredText, min_replay_chars: int | None = None) -> bool:
        """Write a snapshot at the head now (a save's: reopening the saved file then
        replays nothing), unless replaying from the last one is cheap anyway: the
        characters the replay would copy, one chunk of the text per entry
        (`memory.runs`: entries since times the shorter of the text and a chunk), under
        `min_replay_chars` (default `SAVE_SNAPSHOT_REPLAY_CHARS`). Counting the whole
        text per entry, as before the text was held in chunks, wrote a 50 MB
        manuscript's snapshot at every Ctrl+S (0.6 s on the GUI thread, 50 MB more in
        the library) to spare a replay of a few milliseconds. The snapshot before it is
        dropped when the one before that lies within `snapshot_interval` entries of the
        head, so replay to any seq still starts at most that many entries back and
        saving often keeps about two snapshots per interval. True when one was written."""
        since = self._head_seq - self._last_snapshot_seq
        floor = SAVE_SNAPSHOT_REPLAY_CHARS if min_replay_chars is None else min_replay_chars
        copied = since * min(len(state), CHUNK_MAX)
        if since <= 0 or self._new_row is not None or copied < floor:
            return False
        self.add_snapshot(state)
        self.flush()
        with self.store.guard():
            earlier = [
                int(seq)
                for (seq,) in self.store.db.execute(
                    "SELECT seq FROM snapshots WHERE doc_id = ? AND seq < ? "
                    "ORDER BY seq DESC LIMIT 2",
                    [self.doc_id, self._head_seq],
                ).fetchall()
            ]
        if earlier and self._head_seq - (earlier[1:] or [0])[0] <= self.snapshot_interval(
            len(state)
        ):
            with self.store.transaction():
                self.store.db.conn.execute(
                    "DELETE FROM snapshots WHERE doc_id = ? AND seq = ?", [self.doc_id, earlier[0]]
                )
        return True

    def mark_model_edited(self, model_seq: int, by_seq: int | None) -> None:
        """Model event `model_seq` had some of its text deleted by entry `by_seq` (None:
        an undo put it back); written with the next `flush()`."""
        self._pending_edits.append((model_seq, by_seq))

    def edited_models(self, upto_seq: int | None = None) -> dict[int, int]:
        """Model events whose text the writer deleted some of, as of `upto_seq`
        (default: head): {model seq: seq of the deleting entry}."""
        upto = self._head_seq if upto_seq is None else upto_seq
        with self.store.guard():
            rows = self.store.db.execute(
                "SELECT model_seq, by_seq FROM model_edits WHERE doc_id = ? AND by_seq <= ?",
                [self.doc_id, upto],
            ).fetchall()
        edited = {int(model): int(by) for model, by in rows}
        for model, by in self._pending_edits:
            if by is None:
                edited.pop(model, None)
            elif by <= upto:
                edited.setdefault(model, by)
        return edited

    def flush(self) -> int:
        """Write buffered entries and snapshots in one transaction; return how many."""
        if not self._pending and not self._pending_snapshots and not self._pending_edits:
            return 0
        if self._new_row is not None and not self._pending:
            return 0  # nothing typed yet: still no row
        authors = [a for k, a in self._authors.items() if k not in self._known_authors]
        rows = self._rows
        db = self.store.db
        with self.store.transaction():
            if self._new_row is not None:
                path, title = self._new_row
                if path is not None:  # the path is this document's now
                    db.conn.execute("UPDATE documents SET path = NULL WHERE path = ?", [path])
                db.conn.execute(
                    "INSERT INTO documents (id, path, title, created_at) VALUES (?, ?, ?, ?)",
                    [self.doc_id, path, title, self._pending[0].at],
                )
            db.conn.executemany(
                "INSERT OR IGNORE INTO authors (key, kind, name, model_sha256) VALUES (?, ?, ?, ?)",
                [(a.key, a.kind.value, a.name, a.model_sha256) for a in authors],
            )
            db.conn.executemany(
                "INSERT INTO events (doc_id, seq, at, author_key, how, start, removed, "
                "inserted, segments, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            for seq, text, runs_json, needed_json in self._pending_snapshots:
                _write_snapshot(db.conn, self.doc_id, seq, text, runs_json, needed_json)
            for model, by in self._pending_edits:
                if by is None:
                    db.conn.execute(
                        "DELETE FROM model_edits WHERE doc_id = ? AND model_seq = ?",
                        [self.doc_id, model],
                    )
                else:
                    db.conn.execute(
                        "INSERT OR IGNORE INTO model_edits (doc_id, model_seq, by_seq) "
                        "VALUES (?, ?, ?)",
                        [self.doc_id, model, by],
                    )
        self._new_row = None
        self._known_authors.update(a.key for a in authors)
        written = len(self._pending)
        self._pending.clear()
        self._rows.clear()
        self._pending_snapshots.clear()
        self._pending_edits.clear()
        return written

    # Reading

    def _author(self, key: str) -> Author:
        author = self._authors.get(key)
        if author is None:
            author = self._authors[key] = self.store.author(key)
            self._known_authors.add(key)
        return author

    def _entries(self, after: int, upto: int) -> Iterable[LedgerEntry]:
        """Entries with after < seq <= upto, stored ones then buffered ones, in order."""
        with self.store.guard():
            cursor = self.store.db.execute(
                "SELECT seq, at, author_key, how, start, removed, inserted, segments, "
                "prev_hash, hash FROM events WHERE doc_id = ? AND seq > ? AND seq <= ? "
                "ORDER BY seq",
                [self.doc_id, after, upto],
            )
            rows = cursor.fetchall()
        last = after
        for seq, at, key, how, start, removed, inserted, segs, prev, digest in rows:
            event = EditEvent(seq, self._author(key), How(how), at)
            pieces = tuple((int(n), int(src)) for n, src in json.loads(segs))
            yield LedgerEntry(event, start, removed, inserted, pieces, prev, digest)
            last = seq
        for event, row in zip(self._pending, self._rows, strict=True):
            if last < event.seq <= upto:
                _d, _s, _a, _k, _h, start, removed, inserted, segs, prev, digest = row
                pieces = tuple((int(n), int(src)) for n, src in json.loads(segs))
                yield LedgerEntry(event, start, removed, inserted, pieces, prev, digest)

    def entries(self, after: int = 0, upto: int | None = None) -> list[LedgerEntry]:
        """The entries after `after` up to `upto` (default: the head), in order."""
        return list(self._entries(after, self._head_seq if upto is None else upto))

    def events(self, seqs: Iterable[int]) -> dict[int, EditEvent]:
        """The events with these seqs (stored or buffered)."""
        wanted = set(seqs)
        out: dict[int, EditEvent] = {}
        for event in self._pending:
            if event.seq in wanted:
                out[event.seq] = event
        missing = sorted(wanted - out.keys())
        with self.store.guard():
            for i in range(0, len(missing), 500):
                chunk = missing[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for seq, at, key, how in self.store.db.execute(
                    f"SELECT seq, at, author_key, how FROM events "
                    f"WHERE doc_id = ? AND seq IN ({marks})",
                    [self.doc_id, *chunk],
                ):
                    out[seq] = EditEvent(seq, self._author(key), How(how), at)
        return out

    def replay(self, upto_seq: int | None = None) -> tuple[AuthoredText, dict[int, EditEvent]]:
        """The text and authorship as of `upto_seq` (default: head), from a snapshot."""
        target = self._head_seq if upto_seq is None else upto_seq
        if not 0 <= target <= self._head_seq:
            raise ValueError(f"seq {target} outside 0..{self._head_seq}")
        state, base, needed = self._snapshot_before(target)
        events = self.events(needed) if needed else {}
        for entry in self._entries(base, target):
            state.replace(entry.start, entry.removed, entry.inserted, entry.segments)
            events[entry.event.seq] = entry.event
        missing = state.event_ids() - events.keys()
        if missing:
            events.update(self.events(missing))
        return state, events

    def _snapshot_before(self, target: int) -> tuple[AuthoredText, int, list[int]]:
        """The latest snapshot at or before `target` (buffered ones included)."""
        for seq, text, runs, needed in reversed(self._pending_snapshots):
            if seq <= target:
                return AuthoredText.from_runs(text, json.loads(runs)), seq, json.loads(needed)
        with self.store.guard():
            row = self.store.db.execute(
                "SELECT seq, text, runs, events_needed FROM snapshots "
                "WHERE doc_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1",
                [self.doc_id, target],
            ).fetchone()
        if row is None:
            return AuthoredText(), 0, []
        seq, text, runs, needed = row
        return AuthoredText.from_runs(text, json.loads(runs)), int(seq), json.loads(needed)

    def verify(self) -> bool:
        """Recompute the hash chain and check each snapshot; raise `LedgerError` if off."""
        prev = GENESIS_HASH
        expected_seq = 1
        state = AuthoredText()
        with self.store.guard():
            snapshots = {
                int(seq): (text, json.loads(runs))
                for seq, text, runs in self.store.db.execute(
                    "SELECT seq, text, runs FROM snapshots WHERE doc_id = ?", [self.doc_id]
                )
            }
        for entry in self._entries(0, self._head_seq):
            seq = entry.event.seq
            if seq != expected_seq:
                raise LedgerError(f"the edit history is missing entry {expected_seq}")
            digest = entry_hash(
                prev, entry.event, entry.start, entry.removed, entry.inserted, entry.segments
            )
            if entry.prev_hash != prev or entry.hash != digest:
                raise LedgerError(
                    f"the edit history was changed after it was written (entry {seq})"
                )
            state.replace(entry.start, entry.removed, entry.inserted, entry.segments)
            if seq in snapshots:
                text, runs = snapshots[seq]
                if text != state.text or [tuple(r) for r in runs] != [
                    (n, e) for _, n, e in state.iter_runs()
                ]:
                    raise LedgerError(f"the saved snapshot at entry {seq} does not match")
            prev = digest
            expected_seq += 1
        if prev != self._head_hash:
            raise LedgerError("the edit history ends before its last recorded entry")
        return True
