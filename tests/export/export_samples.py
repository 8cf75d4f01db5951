"""Records built by hand for export tests: a writer, a local model, a paste."""

from __future__ import annotations

from memory.events import AttributedSpan, Author, EditEvent, How, SourceKind
from memory.provenance.record import ProvenanceRecord

ANA = Author(SourceKind.PERSON, "Ana Lima")
BEN = Author(SourceKind.PERSON, "Ben Okafor")
SMOL = Author(SourceKind.MODEL, "SmolLM2-135M-Instruct", "ab" * 32)
CLIP = Author(SourceKind.CLIPBOARD, "Clipboard")
T0 = 1_763_000_000.0


def build_record(pieces: list[tuple[str, Author | None, How]], title: str = "Essay"):
    """A record whose text is the pieces joined; each piece is one event (None: no event)."""
    text = ""
    spans: list[AttributedSpan] = []
    events: list[EditEvent] = []
    for n, (piece, author, how) in enumerate(pieces):
        if author is not None:
            event = EditEvent(len(events) + 1, author, how, T0 + 60.0 * n)
            events.append(event)
            if piece:
                spans.append(AttributedSpan(len(text), len(piece), event))
        text += piece
    return ProvenanceRecord(title, text, spans, events, "f" * 64, "0.1.0")
