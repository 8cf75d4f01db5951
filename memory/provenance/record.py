"""What an export is made from: a document's text and who wrote each part of it.

`ProvenanceRecord` is plain data, so exports are built and tested without the authorship
engine; `memory.provenance.build` fills it from an `AuthoredDocument` (text, spans,
events, ledger head) or from a file's annotation block. Origins are the keys of
`memory.origins` ("human", "model", "model_edited", ..., "unknown").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from memory import origins
from memory.events import AttributedSpan, Author, EditEvent, How, SourceKind


def origin_of(author: Author | None) -> str:
    """The base origin of text written by `author` (None: no event claims it)."""
    return origins.origin_of_author(author)


def how_words(how: How) -> str:
    """How an edit reached the text, in a reader's words."""
    return origins.vocabulary().how(how)


def describe_author(author: Author) -> str:
    """The author in a reader's words, e.g. 'SmolLM2 (a language model)'."""
    if author.kind is SourceKind.PERSON:
        return author.name
    if author.kind is SourceKind.MODEL:
        return f"{author.name} (a language model)"
    return author.name


def format_time(at: float) -> str:
    """A Unix time as a short UTC timestamp for people."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of text in code points with the event that wrote it (None: unattributed)."""

    start: int
    end: int
    event: EditEvent | None
    label: str = ""  # the origin key as `memory.origins` derives it; "" before labelling

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def author(self) -> Author | None:
        return self.event.author if self.event else None

    @property
    def origin(self) -> str:
        return self.label or origin_of(self.author)


@dataclass(frozen=True, slots=True)
class ProvenanceRecord:
    """A document to export: its text, attributed spans (code points) and ledger events."""

    title: str
    text: str
    spans: list[AttributedSpan]
    events: list[EditEvent]  # ledger order: the timeline
    ledger_head: str
    app_version: str
    #: seqs of model events the writer deleted some of (their text is model, edited)
    edited: frozenset[int] = frozenset()
    #: (name, start, end) of each part (a project's chapters); empty: split at headings
    parts: tuple[tuple[str, int, int], ...] = ()
    _runs: list[Run] = field(default_factory=list, repr=False, compare=False)

    def runs(self) -> list[Run]:
        """The whole text as consecutive runs, gaps included as unattributed runs; adjacent
        spans of one event merged. Raises ValueError on spans that overlap or leave the text."""
        if self._runs or not self.text:
            return self._runs
        spans = sorted(self.spans, key=lambda s: s.start)
        runs: list[Run] = []
        position = 0
        for span in spans:
            if span.length <= 0:
                continue
            if span.start < position:
                raise ValueError(f"spans overlap at code point {span.start}")
            if span.end > len(self.text):
                raise ValueError(f"span {span.start}+{span.length} leaves the text")
            if span.start > position:
                runs.append(Run(position, span.start, None))
            last = runs[-1] if runs else None
            if last and last.end == span.start and last.event == span.event:
                runs[-1] = Run(last.start, span.end, span.event)
            else:
                runs.append(Run(span.start, span.end, span.event))
            position = span.end
        if position < len(self.text):
            runs.append(Run(position, len(self.text), None))
        self._runs.extend(_labelled(self.text, runs, self.edited))
        return self._runs

    def authors(self) -> list[Author]:
        """Authors of the text in order of first appearance in it."""
        return _unique(run.author for run in self.runs() if run.author)

    def all_authors(self) -> list[Author]:
        """Authors of the text, then any other author in the ledger."""
        return _unique([*self.authors(), *(e.author for e in self.events)])

    def models(self) -> list[Author]:
        return [a for a in self.all_authors() if a.kind is SourceKind.MODEL]

    def characters_by_author(self) -> dict[Author | None, int]:
        counts: dict[Author | None, int] = {}
        for run in self.runs():
            counts[run.author] = counts.get(run.author, 0) + run.length
        return counts

    def characters_by_origin(self, start: int = 0, end: int | None = None) -> dict[str, int]:
        """Code points per origin within [start, end)."""
        end = len(self.text) if end is None else end
        counts: dict[str, int] = {}
        for run in self.runs():
            overlap = min(run.end, end) - max(run.start, start)
            if overlap > 0:
                counts[run.origin] = counts.get(run.origin, 0) + overlap
        return counts

    def event_times(self) -> tuple[float, float] | None:
        """First and last event time, or None without events."""
        times = [e.at for e in self.events] or [r.event.at for r in self.runs() if r.event]
        return (min(times), max(times)) if times else None


def _labelled(text: str, runs: list[Run], edited: frozenset[int]) -> list[Run]:
    """Runs with the origin labels the authorship view shows (model text edited by the
    writer included), computed by `memory.origins` from the attributed runs."""
    attributed = [r for r in runs if r.event is not None]
    spans = [AttributedSpan(r.start, r.length, r.event) for r in attributed if r.event]
    labels = {start: label for start, _length, label in origins.label_spans(text, spans, edited)}
    return [Run(r.start, r.end, r.event, labels.get(r.start, origins.UNKNOWN)) for r in runs]


def _unique(authors: Iterable[Author]) -> list[Author]:
    seen: dict[Author, None] = {}
    for author in authors:
        seen.setdefault(author, None)
    return list(seen)
