"""Derived origin labels: what the authorship view colours and the shares count.

Labels are computed from the runs and their events, never stored: "human", "model",
"model_edited" (a model run with a later human edit inside it or directly beside it
in the same word or sentence), "pasted", "imported" and "external". Exports add
"unknown" for text no recorded edit claims.

How each origin is named and coloured lives once, in `resources/origins.json`;
`vocabulary()` reads it for the editor, the statistics, the hover text and every export.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

import resources
from memory.events import AttributedSpan, Author, EditEvent, How, SourceKind
from memory.text_pieces import Readable

HUMAN = "human"
MODEL = "model"
MODEL_EDITED = "model_edited"
PASTED = "pasted"
IMPORTED = "imported"
EXTERNAL = "external"
UNKNOWN = "unknown"  # exports only: text that no recorded edit claims
LABELS = (HUMAN, MODEL, MODEL_EDITED, PASTED, IMPORTED, EXTERNAL)
ORIGIN_KEYS = (*LABELS, UNKNOWN)  # legend order

Theme = Literal["light", "dark"]
LinePattern = Literal["none", "solid", "dashed", "dotted", "wavy"]
_PATTERNS: dict[str, LinePattern] = {
    "none": "none",
    "solid": "solid",
    "dashed": "dashed",
    "dotted": "dotted",
    "wavy": "wavy",
}

_KIND_ORIGINS = {
    SourceKind.PERSON: HUMAN,
    SourceKind.MODEL: MODEL,
    SourceKind.CLIPBOARD: PASTED,
    SourceKind.IMPORT: IMPORTED,
    SourceKind.EXTERNAL: EXTERNAL,
}


@dataclass(frozen=True, slots=True)
class Colours:
    """An origin's colours in one theme. `background` None: no tint (the page colour)."""

    background: str | None
    line: str  # an accent: underlines, borders, chart areas


@dataclass(frozen=True, slots=True)
class ThemeColours:
    """The colours of the page the origins sit on."""

    page: str
    text: str
    muted: str
    rule: str


@dataclass(frozen=True, slots=True)
class Origin:
    """One origin as the writer sees it: its key, legend label, description and colours."""

    key: str
    label: str  # short, for legends
    description: str  # a phrase, for tooltips, tables and reports
    line_pattern: LinePattern
    light: Colours
    dark: Colours

    def colours(self, theme: Theme = "light") -> Colours:
        return self.light if theme == "light" else self.dark

    @property
    def css_class(self) -> str:
        """The class of this origin's spans in HTML exports, e.g. `o-model-edited`."""
        return "o-" + self.key.replace("_", "-")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Every origin in legend order, the page colours per theme, and how edits are named."""

    origins: Mapping[str, Origin]
    themes: Mapping[str, ThemeColours]
    how_words: Mapping[How, str]

    def __getitem__(self, key: str) -> Origin:
        return self.origins[key]

    def theme(self, theme: Theme = "light") -> ThemeColours:
        return self.themes[theme]

    def how(self, how: How) -> str:
        """How an edit reached the text, in words (e.g. "accepted suggestion")."""
        return self.how_words[how]


@cache
def vocabulary() -> Vocabulary:
    """The origin vocabulary from `resources/origins.json` (read once). Raises ValueError
    when the file lacks an origin, a theme or a phrase for some way of editing."""
    return parse_vocabulary(resources.load_json("origins.json"))


def parse_vocabulary(data: object) -> Vocabulary:
    """Check and read the JSON of `origins.json`."""
    if not isinstance(data, dict):
        raise ValueError("origins.json must hold a JSON object")
    origins: dict[str, Origin] = {}
    for entry in data.get("origins", []):
        key = str(entry["key"])
        pattern = _PATTERNS.get(str(entry.get("line_pattern", "none")))
        if pattern is None:
            raise ValueError(f"origins.json: {key} has an unknown line pattern")
        origins[key] = Origin(
            key,
            str(entry["label"]),
            str(entry["description"]),
            pattern,
            _colours(entry["light"]),
            _colours(entry["dark"]),
        )
    missing = [key for key in ORIGIN_KEYS if key not in origins]
    if missing:
        raise ValueError(f"origins.json lacks the origins {', '.join(missing)}")
    themes = {
        name: ThemeColours(**{k: str(v) for k, v in data["themes"][name].items()})
        for name in ("light", "dark")
    }
    words = data.get("how", {})
    unnamed = [how.value for how in How if how.value not in words]
    if unnamed:
        raise ValueError(f"origins.json names no words for {', '.join(unnamed)}")
    return Vocabulary(
        {key: origins[key] for key in ORIGIN_KEYS},
        themes,
        {how: str(words[how.value]) for how in How},
    )


def _colours(entry: dict[str, str | None]) -> Colours:
    background = entry.get("background")
    return Colours(None if background is None else str(background), str(entry["line"]))


def origin_of_author(author: Author | None) -> str:
    """The base origin of text written by `author` (None: no recorded edit claims it)."""
    return UNKNOWN if author is None else _KIND_ORIGINS[author.kind]


_SENTENCE_END = ".!?\u2026\u3002\uff01\uff1f"
_CLOSERS = "\"')]}\u2019\u201d\u00bb"
_LOOK_BEHIND = 64


def origin_of(event: EditEvent) -> str:
    """The base label of text written by `event` (before the model-edited rule).

    Text imported from a file is "imported" unless the file named its author (an
    authorship block): then it keeps its author's origin, as it would in an export.
    """
    if event.how is How.EXTERNAL or event.author.kind is SourceKind.EXTERNAL:
        return EXTERNAL
    if event.author.kind is SourceKind.IMPORT:
        return IMPORTED
    if event.how is How.PASTE or event.author.kind is SourceKind.CLIPBOARD:
        return PASTED
    if event.author.kind is SourceKind.MODEL:
        return MODEL
    return HUMAN


def _same_word_or_sentence(text: Readable, boundary: int) -> bool:
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


def label_spans(
    text: Readable, spans: Sequence[AttributedSpan], edited: Collection[int] = ()
) -> list[tuple[int, int, str]]:
    """(start, length, label) for each span, applying the model-edited rule.

    Model text is "model_edited" when the writer wrote inside it or directly beside it
    in the same word or sentence, or deleted some of it (`edited`: the seqs of model
    events the ledger saw the writer delete from). A find/replace counts only inside
    the model's text: replacing the writer's own word beside it leaves it the model's.
    """
    base = [origin_of(span.event) for span in spans]
    labels = list(base)
    for i, span in enumerate(spans):
        if base[i] != MODEL:
            continue
        seq = span.event.seq
        if seq in edited:
            labels[i] = MODEL_EDITED
            continue
        for j, boundary in ((i - 1, span.start), (i + 1, span.end)):
            if not 0 <= j < len(spans) or base[j] != HUMAN or spans[j].event.seq < seq:
                continue
            # A human insertion with this model event on both sides is inside it.
            k = j - 1 if j < i else j + 1
            inside = 0 <= k < len(spans) and spans[k].event.seq == seq
            beside = spans[j].event.how is not How.REPLACE and _same_word_or_sentence(
                text, boundary
            )
            if inside or beside:
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
