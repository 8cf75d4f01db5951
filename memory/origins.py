"""Derived origin labels: what the authorship view colours and the shares count.

Labels are computed from the runs and their events, never stored: "human", "model",
"model_edited" (a model run with a later human edit inside it or directly beside it
in the same word or sentence), "pasted", "imported" and "external".
"""

from __future__ import annotations

from collections.abc import Sequence

from memory.events import AttributedSpan, EditEvent, How, SourceKind

HUMAN = "human"
MODEL = "model"
MODEL_EDITED = "model_edited"
PASTED = "pasted"
IMPORTED = "imported"
EXTERNAL = "external"
LABELS = (HUMAN, MODEL, MODEL_EDITED, PASTED, IMPORTED, EXTERNAL)

_SENTENCE_END = ".!?\u2026\u3002\uff01\uff1f"
_CLOSERS = "\"')]}\u2019\u201d\u00bb"
_LOOK_BEHIND = 64


def origin_of(event: EditEvent) -> str:
    """The base label of text written by `event` (before the model-edited rule)."""
    if event.how is How.EXTERNAL or event.author.kind is SourceKind.EXTERNAL:
        return EXTERNAL
    if event.how is How.IMPORT or event.author.kind is SourceKind.IMPORT:
        return IMPORTED
    if event.how is How.PASTE or event.author.kind is SourceKind.CLIPBOARD:
        return PASTED
    if event.author.kind is SourceKind.MODEL:
        return MODEL
    return HUMAN


def _same_word_or_sentence(text: str, boundary: int) -> bool:
    """Whether the characters either side of `boundary` share a word or a sentence."""
    if boundary <= 0 or boundary >= len(text):
        return False
    before, after = text[boundary - 1], text[boundary]
    if before.isalnum() and after.isalnum():
        return True
    # Walk back over spaces and closing quotes; a newline or a full stop ends a sentence.
    window = text[max(0, boundary - _LOOK_BEHIND) : boundary]
    i = len(window) - 1
    while i >= 0 and window[i] in " \t":
        i -= 1
    if i >= 0 and window[i] in "\r\n\u2029":
        return False
    while i >= 0 and window[i] in _CLOSERS:
        i -= 1
    if i >= 0 and window[i] in _SENTENCE_END:
        return False
    # A paragraph break right after the boundary also separates the two sides.
    stripped = text[boundary : boundary + _LOOK_BEHIND].lstrip(" \t")
    return not stripped.startswith(("\n", "\r", "\u2029"))


def label_spans(text: str, spans: Sequence[AttributedSpan]) -> list[tuple[int, int, str]]:
    """(start, length, label) for each span, applying the model-edited rule."""
    base = [origin_of(span.event) for span in spans]
    labels = list(base)
    for i, span in enumerate(spans):
        if base[i] != MODEL:
            continue
        seq = span.event.seq
        for j, boundary in ((i - 1, span.start), (i + 1, span.end)):
            if not 0 <= j < len(spans) or base[j] != HUMAN or spans[j].event.seq < seq:
                continue
            # A human insertion with this model event on both sides is inside it.
            k = j - 1 if j < i else j + 1
            inside = 0 <= k < len(spans) and spans[k].event.seq == seq
            if inside or _same_word_or_sentence(text, boundary):
                labels[i] = MODEL_EDITED
                break
    return [(s.start, s.length, label) for s, label in zip(spans, labels, strict=True)]


def count_labels(
    labelled: Sequence[tuple[int, int, str]], start: int = 0, end: int | None = None
) -> dict[str, int]:
    """Characters per label inside [start, end) (every label present, zero or not)."""
    out = dict.fromkeys(LABELS, 0)
    for s, length, label in labelled:
        lo = max(s, start)
        hi = s + length if end is None else min(s + length, end)
        if hi > lo:
            out[label] += hi - lo
    return out
