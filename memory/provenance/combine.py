"""One record from several: a project's chapters exported as one manuscript.

Each chapter's record (as the trust rule found it) keeps its text and every
character's author; the chapters follow one another in the project's order, a
newline added only where a chapter does not end with one (those few characters are
claimed by nobody, so they count as "unknown", never as anyone's writing). Event
numbers are renumbered so that each chapter's stay distinct, and each chapter
becomes a part, so the report shows its shares per chapter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from memory.events import AttributedSpan, EditEvent
from memory.provenance.record import ProvenanceRecord


def combine(
    chapters: Sequence[tuple[str, ProvenanceRecord]], title: str, app_version: str
) -> ProvenanceRecord:
    """The chapters (name, record) in order as one record with one part per chapter."""
    text_parts: list[str] = []
    spans: list[AttributedSpan] = []
    events: list[EditEvent] = []
    edited: set[int] = set()
    parts: list[tuple[str, int, int]] = []
    heads = hashlib.sha256()
    position = 0
    offset = 0
    for name, record in chapters:
        renumbered: dict[int, EditEvent] = {}

        def event(
            old: EditEvent, _map: dict[int, EditEvent] = renumbered, _by: int = offset
        ) -> EditEvent:
            new = _map.get(old.seq)
            if new is None:
                new = _map[old.seq] = EditEvent(old.seq + _by, old.author, old.how, old.at)
            return new

        for old in record.events:
            events.append(event(old))
        for span in record.spans:
            spans.append(AttributedSpan(span.start + position, span.length, event(span.event)))
        edited.update(seq + offset for seq in record.edited)
        start = position
        text_parts.append(record.text)
        position += len(record.text)
        parts.append((name, start, position))
        if record.text and not record.text.endswith("\n"):
            text_parts.append("\n")
            position += 1
        heads.update(f"{name}\0{record.ledger_head}\0".encode())
        offset += max([e.seq for e in record.events] + [s.event.seq for s in record.spans] + [0])
    events.sort(key=lambda e: (e.at, e.seq))
    return ProvenanceRecord(
        title,
        "".join(text_parts),
        spans,
        events,
        "project:" + heads.hexdigest(),
        app_version,
        frozenset(edited),
        tuple(parts),
    )
