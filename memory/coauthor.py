"""Replay CoAuthor writing sessions through the authorship engine the editor uses.

A session is gzipped (or plain) JSON Lines of browser editor events. `text-insert` and
`text-delete` carry Quill deltas (retain/insert/delete, left to right, offsets in
UTF-16 code units); `system-initialize` carries the prompt. Inserts from the `api`
source are suggestion text the writer accepted; everything else is the writer.
Each delta op becomes one `AuthoredDocument.record()` call, with offsets converted
by `positions`, exactly as the Qt editor converts its own; a run of keystrokes, each
typed where the last one ended, goes in through `record_inserts` (the same events,
entries and hashes, without a run edit per key).

Reading: the replay uses five fields of a line (eventName, eventSource, eventTimestamp,
textDelta, currentDoc). A line in the shape the CoAuthor logs have (`json.dumps`
defaults, those keys first, a delta of at most a retain and an insert or a delete) is
read by one regular expression; any other line by `json.loads`. What the fast path
reads is what `json.loads` reads (`tests/memory/test_coauthor_fast_reader.py` checks it
against random lines), but it does not check the fields after the delta that it does
not use, beyond the line ending in `}`: a line damaged there (but not cut short) is no
longer refused. `read_events` still parses every line whole.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memory.document import AuthoredDocument, text_sha256
from memory.events import Author, How, SourceKind
from memory.origins import MODEL, origin_of
from memory.positions import has_astral, utf16_length, utf16_to_index
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
    text = _session_text(path)
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


# A JSON string as `json.dumps` writes it (no raw control characters; escapes of "\/
# b f n r t and \uXXXX), and a JSON integer without a sign or leading zeros.
_JSON_STRING = r'"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"'
_JSON_UINT = r"(?:0|[1-9][0-9]*)"
# The head of a CoAuthor line, up to the end of its delta: name (not system-initialize,
# which the slow path reads), source, timestamp, then an empty delta ("": the ops group
# is None) or ops of at most a retain and an insert or a delete. Groups: name, source,
# timestamp, ops, retain, insert (as JSON), delete.
_FAST_HEAD = re.compile(
    r'\{"eventName": "(?!system-initialize")([a-z-]+)", "eventSource": "([a-z]+)", '
    rf'"eventTimestamp": (-?{_JSON_UINT}), "textDelta": (?:""|(\{{"ops": \['
    rf'(?:\{{"retain": ({_JSON_UINT})\}}(?:, (?=\{{"[id]))?|(?=\{{"[id]))'
    rf'(?:\{{"insert": ({_JSON_STRING})\}}|\{{"delete": ([1-9][0-9]*)\}})?\]\}}))'
)
_unescape = json.decoder.scanstring  # type: ignore[attr-defined]


def _session_text(path: Path | str) -> str:
    """The session file as text, gzip detected by its magic bytes, lines ended by \\n."""
    with open(path, "rb") as raw:
        data = raw.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    text = data.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _replay(path: Path | str, store: Store) -> CoauthorReplay:
    doc: AuthoredDocument | None = None
    applied = 0
    title = session_id_of(path)
    # A run of typing not recorded yet (`record_inserts` takes it in one call): its texts
    # and times, from code point `run_start`; the next keystroke joins it when it lands
    # at UTF-16 offset `run_end16`, by the same hand, in a text without surrogate pairs
    # (where UTF-16 offsets are code point offsets).
    run_texts: list[str] = []
    run_ats: list[float] = []
    run_start = run_end16 = 0
    run_model = False
    wide = False  # whether the text has a code point above U+FFFF
    head = _FAST_HEAD.match
    for line in _session_text(path).split("\n"):
        m = head(line)
        if m is not None:
            # A key that json.loads would let a later duplicate override sends the line
            # to it (in the CoAuthor logs the only other "event... key is eventNum), and
            # so does a line cut short.
            end = m.end()
            if not line.endswith("}", end) or line.find('"textDelta"', end) >= 0:
                m = None
            else:
                other = line.find('"event', end)
                if other >= 0 and (
                    not line.startswith('"eventNum"', other) or line.find('"event', other + 10) >= 0
                ):
                    m = None
        if m is None:
            if not line.strip():
                continue
            if run_texts:
                _record_run(doc, run_start, run_texts, run_ats, run_model)
            doc, took = _replay_entry(path, store, doc, json.loads(line))
            applied += took
            if doc is not None:
                wide = has_astral(doc.text)
            continue
        name, source, stamp, ops, retain, insert, delete = m.groups()
        if ops is None:
            continue  # no delta: a cursor move, a suggestion shown or picked, ...
        # float(int(stamp)) / 1000.0; int / int is the same float below 2**53 (both
        # exact, one correctly rounded division), without the float() call
        at = int(stamp) / 1000 if len(stamp) < 16 else float(int(stamp)) / 1000.0
        if doc is None:
            doc = AuthoredDocument.create(store, None, title)
        applied += 1
        from_model = name == "text-insert" and source == "api"
        cursor16 = 0 if retain is None else int(retain)
        if insert is not None:
            text = _unescape(insert, 1)[0] if "\\" in insert else insert[1:-1]
            narrow = text.isascii() or not has_astral(text)
            if run_texts:
                if cursor16 == run_end16 and from_model is run_model and narrow:
                    run_texts.append(text)
                    run_ats.append(at)
                    run_end16 += len(text)
                    continue
                _record_run(doc, run_start, run_texts, run_ats, run_model)
            if narrow and not wide:
                if cursor16 > len(doc):
                    raise ValueError(f"UTF-16 offset {cursor16} outside 0..{len(doc)}")
                run_texts.append(text)
                run_ats.append(at)
                run_start, run_end16, run_model = cursor16, cursor16 + len(text), from_model
                continue
            author, how = (MODEL_AUTHOR, How.SUGGESTION) if from_model else (WRITER, How.TYPED)
            doc.record(utf16_to_index(doc.text, cursor16), 0, text, author, how, at=at)
            wide = True  # the text, or what went in, has a code point above U+FFFF
        elif delete is not None:
            if run_texts:
                _record_run(doc, run_start, run_texts, run_ats, run_model)
            author, how = (MODEL_AUTHOR, How.SUGGESTION) if from_model else (WRITER, How.TYPED)
            start = utf16_to_index(doc.text, cursor16)
            stop = utf16_to_index(doc.text, cursor16 + int(delete))
            doc.record(start, stop - start, "", author, how, at=at)
            if wide:
                wide = has_astral(doc.text)
    if doc is None:
        raise ValueError(f"{path}: no system-initialize and no edits")
    if run_texts:
        _record_run(doc, run_start, run_texts, run_ats, run_model)
    doc.flush()
    return _result(title, doc, applied)


def _record_run(
    doc: AuthoredDocument | None, start: int, texts: list[str], ats: list[float], model: bool
) -> None:
    """Record the run of typing waiting in `texts`/`ats`, and empty them."""
    assert doc is not None
    author, how = (MODEL_AUTHOR, How.SUGGESTION) if model else (WRITER, How.TYPED)
    doc.record_inserts(start, texts, author, how, ats)
    texts.clear()
    ats.clear()


def _replay_entry(
    path: Path | str, store: Store, doc: AuthoredDocument | None, entry: Any
) -> tuple[AuthoredDocument | None, int]:
    """Apply one parsed log line (any shape); the document, and 1 if it was an edit."""
    name = entry.get("eventName")
    at = float(entry.get("eventTimestamp") or 0) / 1000.0
    if name == "system-initialize":
        if doc is not None:
            raise ValueError(f"{path}: a second system-initialize")
        text = entry.get("currentDoc") or ""
        return AuthoredDocument.create(store, None, session_id_of(path), text, PROMPT, at=at), 0
    delta = entry.get("textDelta")
    if not isinstance(delta, dict) or not delta.get("ops"):
        return doc, 0
    if doc is None:
        doc = AuthoredDocument.create(store, None, session_id_of(path))
    from_model = name == "text-insert" and entry.get("eventSource") == "api"
    author, how = (MODEL_AUTHOR, How.SUGGESTION) if from_model else (WRITER, How.TYPED)
    _apply_delta(doc, delta["ops"], author, how, at)
    return doc, 1


def _result(title: str, doc: AuthoredDocument, applied: int) -> CoauthorReplay:
    """The replay's outcome: who wrote each character of the final text."""
    final = doc.text
    events = doc.events
    first = events.get(1)
    prompt_first = first is not None and first.author == PROMPT
    # Who wrote each run: the prompt, the model (the origin labels "model" and "model,
    # edited by the writer" are both the model's here: the second only refines the
    # first) or the writer (every other origin). An event's origin depends only on its
    # author's kind and how it was made: looked up once per pair of them, and only for
    # a run whose author or how differs from the run before's.
    letter_of: dict[tuple[SourceKind, How], str] = {}
    letters = []
    last_author: Author | None = None
    last_how: How | None = None
    mark = ""
    for length, seq in doc.authored_text.pairs():
        if seq == 1 and prompt_first:
            letters.append("p" * length)
            last_author = None
            continue
        event = events[seq]
        if event.author is not last_author or event.how is not last_how:
            last_author, last_how = event.author, event.how
            key = (last_author.kind, last_how)
            mark = letter_of.get(key, "")
            if not mark:
                mark = letter_of[key] = "m" if origin_of(event) == MODEL else "h"
        letters.append(mark * length)
    labels = "".join(letters)
    chars = {"prompt": labels.count("p"), "human": labels.count("h"), "model": labels.count("m")}
    return CoauthorReplay(title, final, chars, applied, labels, doc.head_hash)


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
