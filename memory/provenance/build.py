"""Records from what Draftsmith knows: an open document's ledger, or a file's own block.

`app_version` is always a parameter: the engine does not know which program runs it
(the app passes `app.version.app_version()`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from memory.document import AuthoredDocument
from memory.events import AttributedSpan, Author, EditEvent, How, SourceKind
from memory.provenance.annotations import ParsedAnnotations
from memory.provenance.record import ProvenanceRecord
from memory.runs import AuthoredText

#: (start, length, author) in code points, covering a text in order.
AuthorRun = tuple[int, int, Author]


def record_for(document: AuthoredDocument, title: str, app_version: str) -> ProvenanceRecord:
    """The record of an `AuthoredDocument`: its text, spans, events in order, ledger head."""
    return record_of_runs(
        title,
        document.text,
        document.authored_text.iter_runs(),
        document.events,
        document.head_hash,
        app_version,
        document.edited_models,
    )


def record_of_state(
    state: AuthoredText,
    events: Mapping[int, EditEvent],
    title: str,
    ledger_head: str,
    app_version: str,
    edited: frozenset[int] = frozenset(),
) -> ProvenanceRecord:
    """The record of a text and its runs as a ledger replayed them (any point in time);
    `edited`: the model events the writer had deleted from by then."""
    return record_of_runs(
        title, state.text, state.iter_runs(), events, ledger_head, app_version, edited
    )


def record_of_runs(
    title: str,
    text: str,
    runs: Iterable[tuple[int, int, int]],
    events: Mapping[int, EditEvent],
    ledger_head: str,
    app_version: str,
    edited: frozenset[int] = frozenset(),
) -> ProvenanceRecord:
    """The record of `text` and its runs, (start, length, event seq) in order, with
    `events` holding every seq they name (an open document's, or a ledger's replayed
    to any point in time)."""
    spans = [AttributedSpan(s, n, events[e]) for s, n, e in runs]
    return ProvenanceRecord(
        title=title,
        text=text,
        spans=spans,
        events=[events[seq] for seq in sorted(events)],
        ledger_head=ledger_head,
        app_version=app_version,
        edited=edited,
    )


def annotated_runs(
    text: str, annotations: ParsedAnnotations | None, unclaimed: Author
) -> list[AuthorRun]:
    """(start, length, author) covering `text` in order, from a parsed annotation block
    (or None); text no author claims, or claims only by a range that is not valid, is
    `unclaimed`."""
    if annotations is None:
        return [(0, len(text), unclaimed)] if text else []
    ranges = annotations.code_point_ranges()
    claims = [
        (start, start + length, author)
        for author in (a.as_author() for a in annotations.authors)
        for start, length in ranges.get(author.key, [])
        if length > 0
    ]
    claims.sort(key=lambda claim: claim[0])
    runs: list[AuthorRun] = []
    position = 0
    for start, end, author in claims:
        if start < position:  # two claims overlap: the rare case, character by character
            return _annotated_runs_by_character(text, annotations, unclaimed)
        if start > position:
            _append_run(runs, position, start - position, unclaimed)
        _append_run(runs, start, end - start, author)
        position = end
    if position < len(text):
        _append_run(runs, position, len(text) - position, unclaimed)
    return runs


def _append_run(runs: list[AuthorRun], start: int, length: int, who: Author) -> None:
    if runs and runs[-1][2] == who and runs[-1][0] + runs[-1][1] == start:
        runs[-1] = (runs[-1][0], runs[-1][1] + length, who)
    else:
        runs.append((start, length, who))


def _annotated_runs_by_character(
    text: str, annotations: ParsedAnnotations, unclaimed: Author
) -> list[AuthorRun]:
    """`annotated_runs` where claims overlap: each character goes to the last author (in
    the block's order) whose range holds it."""
    owners: list[Author | None] = [None] * len(text)
    ranges = annotations.code_point_ranges()
    for annotated in annotations.authors:
        author = annotated.as_author()
        for start, length in ranges.get(author.key, []):
            owners[start : start + length] = [author] * length
    runs: list[AuthorRun] = []
    for index, owner in enumerate(owners):
        who = owner or unclaimed
        if runs and runs[-1][2] == who and runs[-1][0] + runs[-1][1] == index:
            start, length, _ = runs[-1]
            runs[-1] = (start, length + 1, who)
        else:
            runs.append((index, 1, who))
    return runs


def record_from_runs(
    text: str, runs: Sequence[AuthorRun], title: str, at: float, app_version: str
) -> ProvenanceRecord:
    """A record for a file whose authorship is known only from itself (its annotation
    block, or nothing: all imported). Each author becomes one import event stamped `at`,
    as when the window opens the file."""
    events: dict[Author, EditEvent] = {}
    spans: list[AttributedSpan] = []
    for start, length, author in runs:
        if author not in events:
            events[author] = EditEvent(len(events) + 1, author, How.IMPORT, at)
        spans.append(AttributedSpan(start, length, events[author]))
    return ProvenanceRecord(title, text, spans, list(events.values()), "", app_version)


def record_from_annotations(
    text: str,
    annotations: ParsedAnnotations | None,
    title: str,
    at: float,
    app_version: str,
) -> ProvenanceRecord:
    """A record from a file's annotation block (or None); what no valid range claims is
    attributed to the file as imported."""
    runs = annotated_runs(text, annotations, Author(SourceKind.IMPORT, title))
    return record_from_runs(text, runs, title, at, app_version)


def unclaimed_characters(runs: Iterable[AuthorRun], unclaimed: Author) -> int:
    """How many characters of `runs` are attributed to `unclaimed`."""
    return sum(length for _start, length, author in runs if author == unclaimed)
