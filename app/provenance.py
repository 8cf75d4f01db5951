"""Turn an open document into a `ProvenanceRecord`, the plain input of every export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.cli import app_version
from app.export.record import ProvenanceRecord


def record_for(document: Any, title: str) -> ProvenanceRecord:
    """The record of an `AuthoredDocument`: its text, spans, events in order, ledger head."""
    events = [document.events[seq] for seq in sorted(document.events)]
    return ProvenanceRecord(
        title=title,
        text=document.text,
        spans=document.spans(),
        events=events,
        ledger_head=document.head_hash,
        app_version=app_version(),
    )


def record_from_annotations(text: str, parsed: Any, title: str, at: float) -> ProvenanceRecord:
    """A record for a Markdown file whose authorship lives only in its annotation block.

    Each annotated author becomes one event (stamped with the file's time); text no
    author claims is attributed to the file as imported.
    """
    from memory.events import AttributedSpan, Author, EditEvent, How, SourceKind

    spans: list[AttributedSpan] = []
    events: list[EditEvent] = []
    claimed = [False] * len(text)
    for seq, (key, ranges) in enumerate(parsed.code_point_ranges().items(), start=1):
        author = next(a.as_author() for a in parsed.authors if a.as_author().key == key)
        how = How.IMPORT if author.kind is not SourceKind.MODEL else How.SUGGESTION
        event = EditEvent(seq, author, how, at)
        events.append(event)
        for start, length in ranges:
            spans.append(AttributedSpan(start, length, event))
            claimed[start : start + length] = [True] * length
    imported = EditEvent(len(events) + 1, Author(SourceKind.IMPORT, title), How.IMPORT, at)
    start = None
    for index, taken in enumerate([*claimed, True]):
        if not taken and start is None:
            start = index
        elif taken and start is not None:
            spans.append(AttributedSpan(start, index - start, imported))
            start = None
    if any(span.event is imported for span in spans):
        events.append(imported)
    spans.sort(key=lambda span: span.start)
    return ProvenanceRecord(title, text, spans, events, "", app_version())


def record_for_file(path: Path) -> ProvenanceRecord:
    """The best record Draftsmith has for a file on disk.

    The ledger's, when Draftsmith edited this file and its text still matches; else the
    file's own annotation block; else the whole text as imported from the file.
    """
    from app import paths
    from app.export.annotations import parse_annotated_markdown
    from app.files import read_text
    from memory.document import AuthoredDocument
    from memory.store import Store, StoreError

    content = read_text(path)
    parsed = parse_annotated_markdown(content)
    text = parsed.text if parsed.has_block else content
    title = path.stem
    try:
        store = Store(paths.database_path())
    except StoreError:
        store = None
    if store is not None:
        try:
            doc_id = store.document_for_path(str(path.resolve()))
            if doc_id is not None:
                document = AuthoredDocument.open(store, doc_id)
                if document.text == text:
                    return record_for(document, title)
        finally:
            store.close()
    if parsed.has_block and parsed.hash_ok:
        return record_from_annotations(text, parsed, title, path.stat().st_mtime)
    return record_from_annotations(text, _NoAnnotations(), title, path.stat().st_mtime)


class _NoAnnotations:
    authors: list[Any] = []

    def code_point_ranges(self) -> dict[str, list[tuple[int, int]]]:
        return {}
