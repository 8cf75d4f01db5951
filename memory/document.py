"""The authored document: the object the editor drives, one `record()` per change.

It keeps the text and its runs (`AuthoredText`), appends each change to the ledger
(the autosave journal: call `flush()` at least once a second), and answers the
editor's questions: who wrote this stretch, what shares, what changed on disk.
Offsets are code points; the editor converts Qt's UTF-16 offsets with `positions`.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from memory import diff
from memory.events import UNKNOWN_EXTERNAL, AttributedSpan, Author, EditEvent, How, SourceKind
from memory.ledger import SNAPSHOT_EVERY, Ledger
from memory.origins import count_labels, label_spans
from memory.runs import AuthoredText, Segment, normalize_segments
from memory.store import Store
from memory.text_pieces import utf8_slices

GRAVEYARD_SIZE = 64  # removed stretches kept for undo/redo to find their authors


def text_sha256(text: str) -> str:
    """SHA-256 (hex) of the UTF-8 bytes of `text`, encoded a slice at a time: a 50 MB
    manuscript encoded whole was one call of 250-300 ms holding the interpreter's lock
    on the open lane, and the window froze for all of it. (A surrogate is encoded alone
    either way, so slices give the same bytes.)"""
    digest = hashlib.sha256()
    for data in utf8_slices(text, errors="surrogatepass"):
        digest.update(data)
    return digest.hexdigest()


@dataclass(slots=True)
class _Buried:
    """A removed stretch: its text, who wrote it, where it was and which edit removed it."""

    text: str
    segments: list[Segment]
    position: int
    removed_by: int
    edited: set[int]  # model events this removal marked edited (an undo clears them)


def slice_segments(segments: Sequence[Segment], lo: int, hi: int) -> list[Segment]:
    """The part of a (length, event) list that covers [lo, hi) of the text it describes."""
    out: list[Segment] = []
    pos = 0
    for length, event in segments:
        a, b = max(pos, lo), min(pos + length, hi)
        if b > a:
            out.append((b - a, event))
        pos += length
        if pos >= hi:
            break
    return out


def _joined(first: list[Segment], then: list[Segment]) -> list[Segment]:
    """Two normal (length, event) lists one after the other, as one normal list: only
    the seam can merge (`normalize_segments` of both, without walking them)."""
    if first and then and first[-1][1] == then[0][1]:
        return [*first[:-1], (first[-1][0] + then[0][0], then[0][1]), *then[1:]]
    return first + then


class AuthoredDocument:
    """A document whose every character knows the edit event that inserted it."""

    def __init__(
        self,
        store: Store,
        doc_id: str,
        ledger: Ledger,
        state: AuthoredText,
        events: dict[int, EditEvent],
    ) -> None:
        self.store = store
        self.ledger = ledger
        self._doc_id = doc_id
        self._state = state
        self._events = events
        self._graveyard: deque[_Buried] = deque(maxlen=GRAVEYARD_SIZE)
        self._edited: dict[int, int] = ledger.edited_models() if ledger.head_seq else {}

    @classmethod
    def open(
        cls, store: Store, doc_id: str, snapshot_every: int = SNAPSHOT_EVERY
    ) -> AuthoredDocument:
        """Load a document by replaying its ledger from the latest snapshot."""
        store.document_info(doc_id)  # KeyError for an unknown id
        ledger = Ledger(store, doc_id, snapshot_every)
        state, events = ledger.replay()
        return cls(store, doc_id, ledger, state, events)

    def bound_to(self, store: Store) -> AuthoredDocument:
        """This document over another connection to its library: one opened on a
        worker thread (a long file's runs written there, `app.document_session`),
        handed to the GUI thread's connection. The text, runs and events are shared as
        they are; the ledger's head is read from `store`. Everything must be written
        first (`flush()`), and this object is not used again."""
        if not self.ledger.has_row or not self.ledger.written:
            raise ValueError("flush the document before binding it to another connection")
        ledger = Ledger(store, self._doc_id, self.ledger.snapshot_every)
        if (ledger.head_seq, ledger.head_hash) != (self.ledger.head_seq, self.ledger.head_hash):
            raise ValueError("the library's ledger is not this document's")
        return AuthoredDocument(store, self._doc_id, ledger, self._state, self._events)

    @classmethod
    def create(
        cls,
        store: Store,
        path: str | None,
        title: str,
        initial_text: str = "",
        initial_author: Author | None = None,
        how: How = How.IMPORT,
        at: float | None = None,
        snapshot_every: int = SNAPSHOT_EVERY,
    ) -> AuthoredDocument:
        """Start a document; `initial_text` (a file's contents) is written by one event.

        With a `path`, the initial text is taken to be what is on disk and marked saved.
        """
        doc_id = store.new_document(path, title)
        ledger = Ledger(store, doc_id, snapshot_every)
        doc = cls(store, doc_id, ledger, AuthoredText(), {})
        if initial_text:
            author = initial_author or Author(SourceKind.IMPORT, title or "Imported file")
            doc.record(0, 0, initial_text, author, how, at=at)
        doc.flush()
        if path is not None:
            doc.mark_saved(text_sha256(initial_text))
        return doc

    @classmethod
    def draft(
        cls, store: Store, path: str | None, title: str, snapshot_every: int = SNAPSHOT_EVERY
    ) -> AuthoredDocument:
        """Start an empty document whose row is written with its first edit (an untitled
        window, or a new file): its id is fixed now, and an untouched one leaves nothing."""
        doc_id = str(uuid.uuid4())
        ledger = Ledger(store, doc_id, snapshot_every, new_row=(path, title))
        return cls(store, doc_id, ledger, AuthoredText(), {})

    # What the editor reads

    @property
    def doc_id(self) -> str:
        return self._doc_id

    @property
    def text(self) -> str:
        return self._state.text

    def __len__(self) -> int:
        return len(self._state)

    @property
    def events(self) -> Mapping[int, EditEvent]:
        """Events by seq: every event recorded this session and every one still in the text."""
        return MappingProxyType(self._events)

    def events_copy(self) -> dict[int, EditEvent]:
        """A shallow copy of `events`, made at C speed (`dict(events)` goes through the
        read-only view key by key: 25 ms for a manuscript's 60,000 events)."""
        return self._events.copy()

    @property
    def head_hash(self) -> str:
        return self.ledger.head_hash

    @property
    def head_seq(self) -> int:
        return self.ledger.head_seq

    @property
    def authored_text(self) -> AuthoredText:
        """The text with its runs (read it; change it only through `record`)."""
        return self._state

    def segments(self, start: int, end: int) -> list[Segment]:
        """(length, event seq) pieces of [start, end): what a copy, cut or drag carries."""
        return self._state.segments(start, end)

    def event_at(self, index: int) -> EditEvent:
        """The event that wrote the character at `index`."""
        return self._events[self._state.event_at(index)]

    def spans(self) -> list[AttributedSpan]:
        """The text as maximal runs, each with the event that wrote it."""
        events = self._events
        return [AttributedSpan(s, n, events[e]) for s, n, e in self._state.iter_runs()]

    @property
    def edited_models(self) -> frozenset[int]:
        """Seqs of model events whose text the writer deleted some of (model, edited)."""
        return frozenset(self._edited)

    def labels(self) -> list[tuple[int, int, str]]:
        """(start, length, origin label) per run, for the authorship view."""
        return label_spans(self._state.text, self.spans(), self._edited)

    def shares(self, start: int | None = None, end: int | None = None) -> dict[str, int]:
        """Characters per origin label in [start, end) (default: the whole text)."""
        return count_labels(self.labels(), start or 0, end)

    # What the editor writes

    def record(
        self,
        start: int,
        removed: int,
        inserted: str,
        author: Author,
        how: How,
        segments: Sequence[Segment] | None = None,
        at: float | None = None,
    ) -> EditEvent | None:
        """Record one change (code points); None when it changes nothing.

        Without `segments`, the new event wrote the inserted text, except an undo/redo
        that puts back a recently removed stretch: that gets its original authors back.
        """
        n = len(self._state)
        if start < 0 or removed < 0 or start + removed > n:
            raise ValueError(f"change {start}+{removed} outside a text of {n} characters")
        if removed == 0 and not inserted:
            return None
        seq = self.ledger.head_seq + 1
        event = EditEvent(seq, author, how, time.time() if at is None else float(at))
        if segments is None:
            pieces = self._resurrect(inserted) if how in (How.UNDO, How.REDO) else None
            if pieces is None:
                pieces = [(len(inserted), seq)] if inserted else []
        else:
            pieces = normalize_segments(segments)
            if sum(length for length, _ in pieces) != len(inserted):
                raise ValueError("segments must cover the inserted text exactly")
            self._ensure_events({src for _, src in pieces if src != seq}, seq)
        if removed:
            gone = self._state.segments(start, start + removed)
            edited = self._deletion_edits(start, removed, author, how, gone)
            for model_seq in edited:
                self._edited[model_seq] = seq
                self.ledger.mark_model_edited(model_seq, seq)
            self._bury(start, removed, seq, edited, gone)
        elif how is How.UNDO and segments is None:
            self._unmark_restored(inserted)
        self._state.replace(start, removed, inserted, pieces)
        self._events[seq] = event
        self.ledger.append(event, start, removed, inserted, pieces)
        if self.ledger.snapshot_due(len(self._state)):
            self.ledger.add_snapshot(self._state)
        return event

    def record_import(
        self, text: str, runs: Sequence[tuple[int, int, Author]], at: float | None = None
    ) -> None:
        """Write a file's text into this empty document as it opens: one IMPORT event
        per run of `runs` ((start, length, author), in order, tiling `text`), the same
        events and hashes as one `record` per run, but the text spliced in once and one
        snapshot taken after the last run rather than one every `snapshot_every`
        entries. The text half-imported was never anyone's to replay to (replaying into
        it still works, from the start), and a 50 MB manuscript of 58,000 runs took 117
        snapshots of its text so far, 5.8 GB, that way. One run takes no snapshot:
        replaying one event costs what reading a snapshot does."""
        if len(self._state) or self.ledger.head_seq:
            raise ValueError("an import writes into an empty document")
        end = 0
        for start, length, _author in runs:
            if start != end or length <= 0:
                raise ValueError("the runs must cover the text exactly, in order")
            end += length
        if end != len(text):
            raise ValueError("the runs must cover the text exactly, in order")
        if not text:
            return
        when = time.time() if at is None else float(at)
        ledger, events = self.ledger, self._events
        pieces: list[Segment] = []
        for start, length, author in runs:
            seq = ledger.head_seq + 1
            event = EditEvent(seq, author, How.IMPORT, when)
            piece = (length, seq)
            ledger.append(event, start, 0, text[start : start + length], [piece])
            events[seq] = event
            pieces.append(piece)
        self._state.replace(0, 0, text, pieces)
        if len(runs) > 1:
            ledger.add_snapshot(self._state)

    def record_inserts(
        self,
        start: int,
        texts: Sequence[str],
        author: Author,
        how: How,
        ats: Sequence[float | None],
    ) -> list[EditEvent]:
        """Record a run of typing: `texts[i]` inserted at time `ats[i]` right after
        `texts[i-1]`, the first at `start` (code points). The same events, ledger entries,
        snapshots and runs as `record(pos, 0, text, author, how, at=at)` for each in turn,
        with one text splice and one run edit per stretch between snapshots."""
        if len(texts) != len(ats):
            raise ValueError("one time per inserted text")
        if how in (How.UNDO, How.REDO) or not all(texts):
            # an undo/redo looks for its text's authors; an empty text records nothing
            out = []
            for text, at in zip(texts, ats, strict=True):
                event = self.record(start, 0, text, author, how, at=at)
                if event is not None:
                    out.append(event)
                start += len(text)
            return out
        n = len(self._state)
        if not 0 <= start <= n:
            raise ValueError(f"change {start}+0 outside a text of {n} characters")
        now = time.time
        times = [now() if at is None else float(at) for at in ats]
        ledger, state, events = self.ledger, self._state, self._events
        out = []
        i = 0
        while i < len(texts):
            k = ledger.entries_to_snapshot(len(state))
            chunk = texts[i : i + k]
            first = ledger.head_seq + 1
            new = ledger.append_inserts(author, how, start, chunk, times[i : i + k])
            joined = "".join(chunk)
            seqs = range(first, first + len(new))
            state.insert_runs(start, joined, list(map(len, chunk)), seqs)
            events.update(zip(seqs, new, strict=True))
            if ledger.snapshot_due(len(state)):
                ledger.add_snapshot(state)
            out += new
            start += len(joined)
            i += len(chunk)
        return out

    def _ensure_events(self, sources: set[int], seq: int) -> None:
        """Check that segment sources are earlier events, loading any not in memory."""
        for src in sources:
            if not 1 <= src < seq:
                raise ValueError(f"segment source {src} is not an earlier event")
        missing = sources - self._events.keys()
        if missing:
            found = self.ledger.events(missing)
            if missing - found.keys():
                raise ValueError(f"unknown segment sources {sorted(missing - found.keys())}")
            self._events.update(found)

    def _deletion_edits(
        self, start: int, removed: int, author: Author, how: How, pieces: list[Segment]
    ) -> set[int]:
        """Model events the writer edits by removing [start, start+removed) (written by
        `pieces`): some of their text goes and some stays right beside the cut (not an
        undo, not a move)."""
        if author.kind is not SourceKind.PERSON or how in (How.UNDO, How.REDO, How.MOVE):
            return set()
        state, events, model = self._state, self._events, SourceKind.MODEL
        gone = {
            src
            for _n, src in pieces
            if src not in self._edited and events[src].author.kind is model
        }
        if not gone:
            return set()
        beside = set()
        if start > 0:
            beside.add(state.event_at(start - 1))
        if start + removed < len(state):
            beside.add(state.event_at(start + removed))
        return gone & beside

    def _unmark_restored(self, inserted: str) -> None:
        """An undo that puts back a removal which marked model text edited clears it."""
        for buried in self._graveyard:
            if buried.edited and buried.text == inserted:
                for model_seq in buried.edited:
                    if self._edited.pop(model_seq, None) is not None:
                        self.ledger.mark_model_edited(model_seq, None)
                buried.edited = set()
                return

    def _bury(
        self, start: int, removed: int, seq: int, edited: set[int], pieces: list[Segment]
    ) -> None:
        """Remember a removed stretch (written by `pieces`), joining it to the last one
        for runs of deletes."""
        text = self._state.text_slice(start, start + removed)
        last = self._graveyard[0] if self._graveyard else None
        if last is not None and last.removed_by == seq - 1:
            if start + removed == last.position:  # backspace, backspace, ...
                last.text = text + last.text
                last.segments = _joined(pieces, last.segments)
                last.position, last.removed_by = start, seq
                last.edited |= edited
                return
            if start == last.position:  # delete, delete, ...
                last.text += text
                last.segments = _joined(last.segments, pieces)
                last.removed_by = seq
                last.edited |= edited
                return
        self._graveyard.appendleft(_Buried(text, pieces, start, seq, edited))

    def _resurrect(self, inserted: str) -> list[Segment] | None:
        """The original authors of `inserted` if it was removed recently, else None."""
        if not inserted:
            return None
        for buried in self._graveyard:
            at = buried.text.find(inserted)
            if at >= 0:
                return slice_segments(buried.segments, at, at + len(inserted))
        return None

    def flush(self) -> int:
        """Write recorded changes to the store (the autosave journal); how many."""
        return self.ledger.flush()

    def mark_saved(self, sha256: str) -> None:
        """The file on disk now holds the text at the head; `sha256` of its bytes."""
        self.flush()
        self.store.mark_saved(self._doc_id, self.ledger.head_seq, sha256)

    def close(self) -> None:
        """Flush what is left; the store stays open (it is shared)."""
        self.flush()

    def reconcile_with_disk(
        self, disk_text: str, file_sha256: str | None = None, at: float | None = None
    ) -> EditEvent | None:
        """Adopt the file's text when it changed outside Draftsmith, as an external edit.

        Unchanged stretches keep their authors; the changed ones are attributed to
        `UNKNOWN_EXTERNAL`, never silently to anyone. The result is marked saved.
        """
        if disk_text == self._state.text:
            return None
        prefix, removed, inserted, pieces = external_change(
            self._state, disk_text, self.ledger.head_seq + 1
        )
        event = self.record(prefix, removed, inserted, UNKNOWN_EXTERNAL, How.EXTERNAL, pieces, at)
        self.mark_saved(file_sha256 or text_sha256(disk_text))
        return event

    def preview_reconcile(
        self, disk_text: str, at: float
    ) -> tuple[AuthoredText, dict[int, EditEvent]]:
        """What `reconcile_with_disk` would make of the text and its events, without
        recording anything (for tools that only read, such as `draftsmith export`)."""
        state = AuthoredText.from_runs(
            self._state.text, [(n, e) for _s, n, e in self._state.iter_runs()]
        )
        events = dict(self._events)
        if disk_text != state.text:
            seq = self.ledger.head_seq + 1
            prefix, removed, inserted, pieces = external_change(state, disk_text, seq)
            state.replace(prefix, removed, inserted, pieces)
            events[seq] = EditEvent(seq, UNKNOWN_EXTERNAL, How.EXTERNAL, at)
        return state, events


def external_change(
    state: AuthoredText, disk_text: str, seq: int
) -> tuple[int, int, str, list[Segment]]:
    """The change that turns `state` into `disk_text` as (start, removed, inserted,
    segments): unchanged stretches keep their events, changed ones are written by `seq`."""
    old = state.text
    prefix, removed, inserted = diff.trim_common(old, disk_text)
    old_mid = old[prefix : prefix + removed]
    new_mid = disk_text[prefix : prefix + inserted]
    pieces: list[Segment] = []
    for tag, i1, i2, j1, j2 in diff.opcodes(old_mid, new_mid):
        if tag == "equal":
            pieces += state.segments(prefix + i1, prefix + i2)
        elif j2 > j1:
            pieces.append((j2 - j1, seq))
    return prefix, removed, new_mid, pieces


def recoverable(store: Store, doc_id: str, disk_text: str) -> bool:
    """Whether the ledger holds work newer than the file: offer it back after a crash.

    True when the text at the ledger's head differs from `disk_text` while the text
    as last saved equals it (so the difference is unsaved work, not an outside edit).
    """
    info = store.document_info(doc_id)
    if info.head_seq <= info.saved_seq:
        return False
    ledger = Ledger(store, doc_id)
    head, _ = ledger.replay()
    if head.text == disk_text:
        return False
    saved, _ = ledger.replay(info.saved_seq)
    return saved.text == disk_text
