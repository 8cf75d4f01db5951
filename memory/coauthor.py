"""Replay CoAuthor writing sessions through the authorship engine the editor uses.

A session is gzipped (or plain) JSON Lines of browser editor events. `text-insert` and
`text-delete` carry Quill deltas (retain/insert/delete, left to right, offsets in
UTF-16 code units); `system-initialize` carries the prompt. Inserts from the `api`
source are suggestion text the writer accepted; everything else is the writer.
Each delta op becomes one `AuthoredDocument.record()` call, with offsets converted
by `positions`, exactly as the Qt editor converts its own.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memory.document import AuthoredDocument, text_sha256
from memory.events import Author, How, SourceKind
from memory.origins import MODEL, MODEL_EDITED, label_spans
from memory.positions import utf16_length, utf16_to_index
from memory.store import Store

WRITER = Author(SourceKind.PERSON, "CoAuthor writer")
MODEL_AUTHOR = Author(SourceKind.MODEL, "GPT-3 (CoAuthor)")
PROMPT = Author(SourceKind.IMPORT, "CoAuthor prompt")
_EMBED = "\ufffc"  # a Quill embed (not expected in CoAuthor) counts as one character


@dataclass(frozen=True, slots=True)
class CoauthorReplay:
    """The outcome of replaying one session: final text and who wrote each character."""

    session_id: str
    final_text: str
    chars: dict[str, int]  # "prompt", "human", "model"
    events_applied: int
    labels: str  # one letter per final character: p(rompt), h(uman), m(odel)
    head_hash: str

    @property
    def final_text_sha256(self) -> str:
        return text_sha256(self.final_text)

    @property
    def human_share(self) -> float:
        """Human characters / (human + model characters), 0..1 (prompt excluded)."""
        written = self.chars["human"] + self.chars["model"]
        return self.chars["human"] / written if written else 0.0

    def to_json(self, with_labels: bool = False) -> dict[str, Any]:
        """A JSON-ready summary; the per-character labels only when asked for."""
        out: dict[str, Any] = {
            "session_id": self.session_id,
            "final_text_sha256": self.final_text_sha256,
            "final_length": len(self.final_text),
            "chars": dict(self.chars),
            "human_share": round(self.human_share, 6),
            "events_applied": self.events_applied,
            "ledger_head_hash": self.head_hash,
        }
        if with_labels:
            out["final_text"] = self.final_text
            out["labels"] = self.labels
        return out


def session_id_of(path: Path | str) -> str:
    """The session id is the file name without .jsonl / .jsonl.gz."""
    name = Path(path).name
    for suffix in (".gz", ".jsonl", ".json"):
        name = name.removesuffix(suffix)
    return name


def read_events(path: Path | str) -> Iterator[dict[str, Any]]:
    """The session's log lines as dicts, in order (gzip detected by its magic bytes)."""
    # One read and one decode (a session is a few MB at most), then lines split as text
    # mode would: \n, \r\n or \r, and nothing else (U+2028 may sit inside a string).
    with open(path, "rb") as raw:
        data = raw.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    text = data.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    loads = json.loads
    for line in text.split("\n"):
        if line.strip():
            yield loads(line)


def replay_session(path: Path | str, store: Store | None = None) -> CoauthorReplay:
    """Replay one session through `AuthoredDocument` (an in-memory store by default)."""
    own_store = store is None
    db = Store(":memory:") if store is None else store
    try:
        return _replay(path, db)
    finally:
        if own_store:
            db.close()


def _replay(path: Path | str, store: Store) -> CoauthorReplay:
    doc: AuthoredDocument | None = None
    applied = 0
    for entry in read_events(path):
        name = entry.get("eventName")
        at = float(entry.get("eventTimestamp") or 0) / 1000.0
        if name == "system-initialize":
            if doc is not None:
                raise ValueError(f"{path}: a second system-initialize")
            doc = AuthoredDocument.create(
                store, None, session_id_of(path), entry.get("currentDoc") or "", PROMPT, at=at
            )
            continue
        delta = entry.get("textDelta")
        if not isinstance(delta, dict) or not delta.get("ops"):
            continue
        if doc is None:
            doc = AuthoredDocument.create(store, None, session_id_of(path))
        from_model = name == "text-insert" and entry.get("eventSource") == "api"
        author, how = (MODEL_AUTHOR, How.SUGGESTION) if from_model else (WRITER, How.TYPED)
        _apply_delta(doc, delta["ops"], author, how, at)
        applied += 1
    if doc is None:
        raise ValueError(f"{path}: no system-initialize and no edits")
    doc.flush()
    letters = []
    chars = {"prompt": 0, "human": 0, "model": 0}
    first = doc.events.get(1)
    prompt_first = first is not None and first.author == PROMPT
    for _start, length, label, seq in _labelled(doc):
        if seq == 1 and prompt_first:
            key, letter = "prompt", "p"
        elif label in (MODEL, MODEL_EDITED):
            key, letter = "model", "m"
        else:
            key, letter = "human", "h"
        chars[key] += length
        letters.append(letter * length)
    return CoauthorReplay(
        session_id_of(path), doc.text, chars, applied, "".join(letters), doc.head_hash
    )


def _labelled(doc: AuthoredDocument) -> Iterator[tuple[int, int, str, int]]:
    spans = doc.spans()  # once: `doc.labels()` would build them again
    labels = label_spans(doc.text, spans, doc.edited_models)
    for span, (start, length, label) in zip(spans, labels, strict=True):
        yield start, length, label, span.event.seq


def _apply_delta(
    doc: AuthoredDocument, ops: list[dict[str, Any]], author: Author, how: How, at: float
) -> None:
    """Apply Quill ops left to right; the cursor counts UTF-16 units as the browser did."""
    cursor16 = 0
    for op in ops:
        if "retain" in op:
            cursor16 += int(op["retain"])
        elif "insert" in op:
            text = op["insert"] if isinstance(op["insert"], str) else _EMBED
            start = utf16_to_index(doc.text, cursor16)
            doc.record(start, 0, text, author, how, at=at)
            cursor16 += utf16_length(text)
        elif "delete" in op:
            start = utf16_to_index(doc.text, cursor16)
            end = utf16_to_index(doc.text, cursor16 + int(op["delete"]))
            doc.record(start, end - start, "", author, how, at=at)


def load_metadata(corpus_dir: Path | str) -> dict[str, dict[str, str]]:
    """metadata.csv rows by session id."""
    with open(Path(corpus_dir) / "metadata.csv", newline="", encoding="utf-8") as f:
        return {row["session_id"]: row for row in csv.DictReader(f)}


def main_json(path: Path | str, labels: bool = False) -> dict[str, Any]:
    """What `draftsmith replay-coauthor SESSION [--labels]` prints, as a dict."""
    return replay_session(path).to_json(with_labels=labels)
