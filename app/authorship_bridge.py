"""The edge between the editor and the authorship engine.

Qt reports every change as (position, chars removed, chars added) in UTF-16 units;
the engine counts code points. This module is the one place that converts, and the
one place that decides who an edit belongs to: the editor's current `EditIntent`
(typing, a suggestion, a paste, an undo...) names the how, and the writer, the
model or the clipboard is the who. What changed inside Qt's window is found by
`memory.diff`, the engine's one diff. Nothing on a keystroke's path reads the whole
text (`AuthoredText` holds it in chunks and joins them only when `text` is read): the
changed stretch, a paragraph and the text near a model run are read as slices.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from PySide6.QtGui import QTextCursor

from memory.diff import hunks
from memory.document import AuthoredDocument, slice_segments
from memory.events import CLIPBOARD, AttributedSpan, Author, EditEvent, How, SourceKind
from memory.origins import MODEL, label_spans, origin_of, vocabulary
from memory.positions import has_astral
from memory.runs import AuthoredText, Segment
from memory.utf16_offsets import Utf16Offsets
from ui.editor import DraftEditor, EditIntent

log = logging.getLogger(__name__)

Segments = list[Segment]
Labels = list[tuple[int, int, str]]  # (start, length, origin label), in code points

# How much text either side of a model run its label is read from: the rule
# (`memory.origins._same_word_or_sentence`) looks 64 characters either side.
LABEL_CONTEXT = 256


def splice_labels(
    labels: Labels, start: int, offset: int, removed: int, inserted: int, label: str
) -> Labels:
    """`labels` (covering a stretch from `start` without gaps, neighbours of one label
    joined) once `removed` characters at `offset` into the stretch gave way to `inserted`
    characters labelled `label`; neighbours of one label joined again."""
    cut = offset + removed
    pieces: list[tuple[int, str]] = []

    def add(length: int, name: str) -> None:
        if length <= 0:
            return
        if pieces and pieces[-1][1] == name:
            pieces[-1] = (pieces[-1][0] + length, name)
        else:
            pieces.append((length, name))

    for at, length, name in labels:  # what is left before the change
        add(min(at - start + length, offset) - (at - start), name)
    add(inserted, label)
    for at, length, name in labels:  # and after it
        add(at - start + length - max(at - start, cut), name)
    out: Labels = []
    position = start
    for length, name in pieces:
        out.append((position, length, name))
        position += length
    return out


class AuthorshipBridge:
    """Feeds every change of the editor's document into an `AuthoredDocument`."""

    def __init__(
        self,
        editor: DraftEditor,
        document: AuthoredDocument,
        writer: Callable[[], Author],
        positions: Utf16Offsets | None = None,
    ) -> None:
        self.editor = editor
        self.document = document
        self.writer = writer
        self._state: AuthoredText = document.authored_text
        # `positions`: the map of `document.text` built already (a long file opening
        # builds it on a thread while the editor fills: `DocumentSession._show_text`).
        self._positions = positions if positions is not None else Utf16Offsets(document.text)
        self._version = self._state.version  # the text's version the map follows
        self._origins: dict[int, str] = {}  # event seq -> its base origin label
        # The last paragraph labelled without model text: (text state, its version, start,
        # end, labels). A key typed into it updates the labels instead of walking its runs
        # again (a paragraph typed key by key has a run per key): see `_follow_labels`.
        self._labels_kept: tuple[AuthoredText, int, int, int, Labels] | None = None
        self._writer: Author | None = None  # the last writer: one object while it is the same
        # Before the styler restyles the paragraph: the tints read the recorded change.
        editor.contents_changed.connect(self._changed)
        editor.set_mime_authorship(self.mime_payload)

    def detach(self) -> None:
        self.editor.contents_changed.disconnect(self._changed)
        self.editor.set_mime_authorship(None)

    def positions(self) -> Utf16Offsets:
        """UTF-16 <-> code points for the engine's text as it is now. Kept up to date edit
        by edit; rebuilt (one pass) only when the text changed by another road."""
        state = self.document.authored_text
        if state is not self._state or state.version != self._version:
            self._state, self._version = state, state.version
            self._positions = Utf16Offsets(state.text)
        return self._positions

    # --- changes ----------------------------------------------------------------
    def _document_slice(self, start16: int, length16: int) -> str:
        qdoc = self.editor.document()
        end16 = min(start16 + length16, qdoc.characterCount() - 1)
        if end16 <= start16:
            return ""
        if end16 == start16 + 1:  # one unit (a key): one call, unless half of a pair
            unit = qdoc.characterAt(start16)
            if not "\ud800" <= unit <= "\udfff":
                return "\n" if unit == "\u2029" else unit
        block = qdoc.findBlock(start16)
        offset16 = start16 - block.position()
        if end16 < block.position() + block.length():  # inside one paragraph (a keystroke)
            paragraph = block.text()
            if not has_astral(paragraph):  # UTF-16 offsets are its indices
                return paragraph[offset16 : offset16 + end16 - start16]
        cursor = QTextCursor(qdoc)
        cursor.setPosition(start16)
        cursor.setPosition(end16, QTextCursor.MoveMode.KeepAnchor)
        return cursor.selectedText().replace("\u2029", "\n")

    def _changed(self, position16: int, removed16: int, added16: int) -> None:
        doc = self.document
        positions = self.positions()
        state = self._state
        # Qt counts the document's final paragraph separator, which the text lacks: clamp.
        old16 = positions.length16
        start = positions.to_index(min(position16, old16))
        end = positions.to_index(min(position16 + removed16, old16))
        new_window = self._document_slice(position16, added16)
        old_window = state.text_slice(start, end)
        intent = self.editor.current_intent()
        if old_window:
            found = hunks(old_window, new_window)
        else:  # an insertion (typing): `hunks` would say the same
            found = [(0, 0, 0, len(new_window))] if new_window else []
        # Record the hunks right to left, so earlier positions stay valid.
        for offset, removed, new_offset, inserted in reversed(found):
            inserted_text = new_window[new_offset : new_offset + inserted]
            author, segments = self._attribution(intent, new_window, new_offset, inserted)
            at = start + offset
            before = state.version
            event = doc.record(at, removed, inserted_text, author, intent.how, segments=segments)
            if event is not None:
                positions.replace(at, removed, inserted_text)
                self._version = state.version
                typed = intent.how is How.TYPED and segments is None
                self._follow_labels(at, removed, len(inserted_text), event, before, typed)

    def _follow_labels(
        self, at: int, removed: int, inserted: int, event: EditEvent, before: int, typed: bool
    ) -> None:
        """Carry the kept paragraph's labels over one recorded change, or drop them. Kept
        only where they are exactly what `_labelled` would find: a paragraph without the
        model's text (each of its runs labelled by its own event's origin, neighbours of
        one label joined), changed inside by typing that is not the model's (the new
        event's one run, or a removal)."""
        kept, self._labels_kept = self._labels_kept, None
        if kept is None or not typed:
            return
        state, version, start, end, labels = kept
        if state is not self._state or version != before or not start <= at <= at + removed <= end:
            return
        label = self._origins.get(event.seq)
        if label is None:
            label = self._origins[event.seq] = origin_of(event)
        if label == MODEL:
            return
        changed = splice_labels(labels, start, at - start, removed, inserted, label)
        self._labels_kept = (state, state.version, start, end - removed + inserted, changed)

    def _attribution(
        self, intent: EditIntent, new_window: str, prefix: int, inserted: int
    ) -> tuple[Author, Segments | None]:
        if intent.how is How.PASTE:
            return CLIPBOARD, None
        if intent.how is How.MOVE and isinstance(intent.payload, bytes):
            segments = self._moved_segments(intent.payload, new_window)
            if segments is not None:
                return self.writer(), slice_segments(segments, prefix, prefix + inserted)
            return CLIPBOARD, None  # text from another document or app: pasted
        if intent.author is not None:
            return intent.author, None
        writer, last = self.writer(), self._writer
        if last is not None and writer == last:
            return last, None  # the same object: the ledger knows its key already
        self._writer = writer
        return writer, None

    def _moved_segments(self, payload: bytes, inserted_text: str) -> Segments | None:
        try:
            data = json.loads(payload.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        if data.get("doc") != self.document.doc_id or data.get("text") != inserted_text:
            return None
        return [(int(n), int(e)) for n, e in data.get("segments", [])]

    # --- what the editor asks for ----------------------------------------------
    def mime_payload(self, start16: int, end16: int) -> bytes | None:
        """Authorship of a selection, carried with copied or dragged text."""
        positions = self.positions()
        start, end = positions.to_index(start16), positions.to_index(end16)
        segments = self.document.segments(start, end)
        text = self._state.text_slice(start, end)
        payload = {"doc": self.document.doc_id, "text": text, "segments": segments}
        return json.dumps(payload).encode("utf-8")

    def _labelled(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """(start, length, origin label) over [start, end), in code points; neighbours
        with the same label joined. The same labels as `memory.origins.label_spans` over
        the stretch's runs (`tests/app/test_authorship_bridge_labels.py`), without its
        cost per run: a paragraph typed key by key has a run per key. A run's label is
        its event's origin (kept per event) unless the model wrote it: only then does
        the rule look, at the runs up to two either side of it."""
        document = self.document
        kept = self._labels_kept
        if (
            kept is not None
            and kept[0] is document.authored_text
            and kept[1] == kept[0].version
            and kept[2] == start
            and kept[3] == end
        ):
            return list(kept[4])
        events = document.events
        segments = document.segments(start, end)
        origins = self._origins
        # Pieces (start, length, label), neighbours of one label joined, as three lists.
        starts: list[int] = []
        lengths: list[int] = []
        labels: list[str] = []
        models: list[tuple[int, int, int]] = []  # a model run: (run, its start, its piece)
        position = start
        last = ""
        for run, (length, seq) in enumerate(segments):
            base = origins.get(seq)
            if base is None:
                base = origins[seq] = origin_of(events[seq])
            if base == last:
                lengths[-1] += length
            else:
                if base == MODEL:  # its own piece: the rule below may change its label
                    models.append((run, position, len(labels)))
                starts.append(position)
                lengths.append(length)
                labels.append(base)
                last = "" if base == MODEL else base
            position += length
        if models:
            state = document.authored_text
            edited = document.edited_models
            count = len(segments)
            for run, at, piece in models:
                lo, hi = max(0, run - 2), min(count, run + 3)
                # The rule reads the text only near the run's two ends: that stretch, with
                # the window's positions taken from its start.
                origin = max(0, at - LABEL_CONTEXT)
                text = state.text_slice(origin, at + segments[run][0] + LABEL_CONTEXT)
                window = []
                where = at - origin - sum(segments[k][0] for k in range(lo, run))
                for k in range(lo, hi):
                    length, seq = segments[k]
                    window.append(AttributedSpan(where, length, events[seq]))
                    where += length
                labels[piece] = label_spans(text, window, edited)[run - lo][2]
        out: Labels = []
        for at, length, label in zip(starts, lengths, labels, strict=True):
            if out and out[-1][2] == label:
                out[-1] = (out[-1][0], out[-1][1] + length, label)
            else:
                out.append((at, length, label))
        if not models:
            state = document.authored_text
            self._labels_kept = (state, state.version, start, end, out[:])
        return out

    def block_labels(self, position16: int, length16: int) -> list[tuple[int, int, str]]:
        """Origin labels of one paragraph, as (offset16, length16, label) for the highlighter."""
        positions = self.positions()
        end16 = min(position16 + length16, positions.length16)
        start = positions.to_index(min(position16, end16))
        end = positions.to_index(end16)
        labels = self._labelled(start, end)
        paragraph = self._state.text_slice(start, end)
        if not has_astral(paragraph):
            return [(offset - start, length, label) for offset, length, label in labels]
        block = Utf16Offsets(paragraph)  # block-local coordinates
        out = []
        for offset, length, label in labels:
            lo = block.to_utf16(offset - start)
            out.append((lo, block.to_utf16(offset - start + length) - lo, label))
        return out

    def describe_at(self, position16: int) -> str:
        """Who wrote the character at a position, for the hover tooltip."""
        positions = self.positions()
        index = positions.to_index(min(position16, positions.length16))
        if index >= len(self.document):
            return ""
        ((_length, seq),) = self.document.segments(index, index + 1)
        event = self.document.events[seq]
        ((_s, _n, label),) = self._labelled(index, index + 1)
        when = time.strftime("%d %b %Y, %H:%M", time.localtime(event.at))
        who = event.author.name
        if event.author.kind is SourceKind.MODEL:
            who = f"{who} (language model)"
        words = vocabulary()
        return f"{words[label].description} — {who}, {words.how(event.how)}, {when}"

    def shares_for_selection(self) -> tuple[dict[str, int], str]:
        """Characters by origin label for the selection, or the whole document."""
        cursor = self.editor.textCursor()
        if cursor.hasSelection():
            positions = self.positions()
            start = positions.to_index(min(cursor.selectionStart(), positions.length16))
            end = positions.to_index(min(cursor.selectionEnd(), positions.length16))
            scope = "Selection"
        else:
            start, end, scope = 0, len(self.document), "Whole document"
        counts: dict[str, int] = {}
        for _start, length, label in self._labelled(start, end):
            counts[label] = counts.get(label, 0) + length
        return counts, scope
