"""Turn an open document into a `ProvenanceRecord`, the plain input of every export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.cli import app_version
from app.export.record import ProvenanceRecord
from memory.events import AttributedSpan, Author, EditEvent, How, SourceKind


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


def annotated_runs(text: str, annotations: Any, unclaimed: Author) -> list[tuple[int, int, Author]]:
    """(start, length, author) covering `text` in order, from a parsed annotation block
    (or None); text no author claims is `unclaimed`."""
    owners: list[Author | None] = [None] * len(text)
    if annotations is not None:
        ranges = annotations.code_point_ranges()
        for annotated in annotations.authors:
            author = annotated.as_author()
            for start, length in ranges.get(author.key, []):
                owners[start : start + length] = [author] * length
    runs: list[tuple[int, int, Author]] = []
    for index, owner in enumerate(owners):
        who = owner or unclaimed
        if runs and runs[-1][2] == who and runs[-1][0] + runs[-1][1] == index:
            start, length, _ = runs[-1]
            runs[-1] = (start, length + 1, who)
        else:
            runs.append((index, 1, who))
    return runs


def record_from_annotations(text: str, annotations: Any, title: str, at: float) -> ProvenanceRecord:
    """A record for a file whose authorship lives only in its annotation block (or None).

    Each author becomes one event stamped with the file's time; text no author claims
    is attributed to the file as imported.
    """
    events: dict[Author, EditEvent] = {}
    spans: list[AttributedSpan] = []
    for start, length, author in annotated_runs(
        text, annotations, Author(SourceKind.IMPORT, title)
    ):
        if author not in events:
            how = How.SUGGESTION if author.kind is SourceKind.MODEL else How.IMPORT
            events[author] = EditEvent(len(events) + 1, author, how, at)
        spans.append(AttributedSpan(start, length, events[author]))
    return ProvenanceRecord(title, text, spans, list(events.values()), "", app_version())


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
    trusted = parsed if parsed.has_block and parsed.hash_ok else None
    return record_from_annotations(text, trusted, title, path.stat().st_mtime)
