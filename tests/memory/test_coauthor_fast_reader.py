"""The replay's fast line reader and its runs of typing give what the replay gave when
it parsed every line with json.loads and recorded every op by itself (issue #12):
random sessions in the CoAuthor shape and out of it, ASCII, curly quotes, emoji and
escapes, duplicate keys, odd timestamps, damaged lines."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memory.coauthor import (
    MODEL_AUTHOR,
    PROMPT,
    WRITER,
    read_events,
    replay_session,
    session_id_of,
)
from memory.document import AuthoredDocument
from memory.events import How
from memory.origins import MODEL, MODEL_EDITED, label_spans
from memory.positions import utf16_length, utf16_to_index
from memory.store import Store


def reference_replay(path: Path) -> dict[str, Any]:
    """The replay as it was before the fast paths: json.loads per line, one `record`
    per op, the labels through `label_spans`."""
    store = Store(":memory:")
    doc: AuthoredDocument | None = None
    applied = 0
    for entry in read_events(path):
        name = entry.get("eventName")
        at = float(entry.get("eventTimestamp") or 0) / 1000.0
        if name == "system-initialize":
            if doc is not None:
                raise ValueError("a second system-initialize")
            text = entry.get("currentDoc") or ""
            doc = AuthoredDocument.create(store, None, session_id_of(path), text, PROMPT, at=at)
            continue
        delta = entry.get("textDelta")
        if not isinstance(delta, dict) or not delta.get("ops"):
            continue
        if doc is None:
            doc = AuthoredDocument.create(store, None, session_id_of(path))
        from_model = name == "text-insert" and entry.get("eventSource") == "api"
        author, how = (MODEL_AUTHOR, How.SUGGESTION) if from_model else (WRITER, How.TYPED)
        cursor16 = 0
        for op in delta["ops"]:
            if "retain" in op:
                cursor16 += int(op["retain"])
            elif "insert" in op:
                text = op["insert"] if isinstance(op["insert"], str) else "\ufffc"
                doc.record(utf16_to_index(doc.text, cursor16), 0, text, author, how, at=at)
                cursor16 += utf16_length(text)
            elif "delete" in op:
                start = utf16_to_index(doc.text, cursor16)
                end = utf16_to_index(doc.text, cursor16 + int(op["delete"]))
                doc.record(start, end - start, "", author, how, at=at)
        applied += 1
    if doc is None:
        raise ValueError("no system-initialize and no edits")
    doc.flush()
    spans = doc.spans()
    first = doc.events.get(1)
    prompt_first = first is not None and first.author == PROMPT
    letters = []
    chars = {"prompt": 0, "human": 0, "model": 0}
    labels = label_spans(doc.text, spans, doc.edited_models)
    for span, (_s, length, label) in zip(spans, labels, strict=True):
        if span.event.seq == 1 and prompt_first:
            key, letter = "prompt", "p"
        elif label in (MODEL, MODEL_EDITED):
            key, letter = "model", "m"
        else:
            key, letter = "human", "h"
        chars[key] += length
        letters.append(letter * length)
    out = {
        "final_text": doc.text,
        "chars": chars,
        "events_applied": applied,
        "labels": "".join(letters),
        "ledger_head_hash": doc.head_hash,
    }
    store.close()
    return out


def fast_replay(path: Path) -> dict[str, Any]:
    result = replay_session(path).to_json(with_labels=True)
    return {k: result[k] for k in ("final_text", "chars", "events_applied", "labels")} | {
        "ledger_head_hash": result["ledger_head_hash"]
    }


def outcome(replay: Any, path: Path) -> tuple[str, Any]:
    try:
        return "ok", replay(path)
    except (ValueError, OSError, EOFError) as exc:
        return "error", type(exc).__name__ in ("JSONDecodeError",)


PIECES = ["a", "b", " ", ".", "\n", "\u201c", "\u2019", "\U0001f600", "\u00e9", '"', "\\", "\t"]
WORDS = st.lists(st.sampled_from(PIECES), min_size=0, max_size=4).map("".join)


def tail(cursor: int, n: int, suggestions: bool) -> dict[str, Any]:
    picks = [{"index": 0, "original": "\n\nNo more.", "probability": 4.8e-26}]
    return {
        "cursorRange": "",
        "currentDoc": "",
        "currentCursor": cursor,
        "currentSuggestions": picks if suggestions else [],
        "currentSuggestionIndex": 0,
        "currentN": "5",
        "eventNum": n,
    }


# (kind, where 0..1, text, from the model, with suggestions, timestamp step)
ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["type", "type", "type", "insert", "delete", "move", "multi", "only"]),
        st.floats(0, 1),
        WORDS,
        st.booleans(),
        st.booleans(),
        st.integers(0, 5000),
    ),
    min_size=0,
    max_size=60,
)


def build_session(
    prompt: str, actions: list[tuple[str, float, str, bool, bool, int]], stamp0: int
) -> list[str]:
    """JSON lines as the CoAuthor logs write them (json.dumps defaults, their key order),
    following a simulated text so that offsets stay valid (UTF-16, as the browser's)."""
    doc = prompt
    stamp = stamp0
    lines = [
        json.dumps(
            {"eventName": "system-initialize", "eventSource": "api", "eventTimestamp": stamp}
            | {"textDelta": ""}
            | tail(0, 0, False)
            | {"currentDoc": prompt}
        )
    ]
    end16 = utf16_length(doc)
    for n, (kind, where, text, model, sugg, step) in enumerate(actions, 1):
        stamp += step
        length16 = utf16_length(doc)
        at16 = end16 if kind == "type" else int(where * length16)
        at16 = min(at16, length16)
        head: dict[str, Any] = {
            "eventName": "text-insert",
            "eventSource": "api" if model else "user",
            "eventTimestamp": stamp,
        }
        if kind == "move":
            head["eventName"] = "cursor-forward"
            ops: Any = ""
        elif kind == "delete":
            count = max(1, min(3, length16 - at16))
            if length16 - at16 < 1:
                continue
            head["eventName"] = "text-delete"
            head["eventSource"] = "user"
            ops = {"ops": [{"retain": at16}, {"delete": count}] if at16 else [{"delete": count}]}
            start = utf16_to_index(doc, at16)
            stop = utf16_to_index(doc, at16 + count)
            doc = doc[:start] + doc[stop:]
            at16 = utf16_length(doc[:start])
        elif kind == "multi":  # a replacement: retain, insert, delete (the slow path)
            count = min(2, length16 - at16)
            ops = {"ops": [{"retain": at16}, {"insert": text or "x"}, {"delete": count}]}
            start = utf16_to_index(doc, at16)
            doc = doc[:start] + (text or "x") + doc[start:]
            s2 = utf16_to_index(doc, at16 + utf16_length(text or "x"))
            s3 = utf16_to_index(doc, at16 + utf16_length(text or "x") + count)
            doc = doc[:s2] + doc[s3:]
            at16 = utf16_length(doc[:s2])
        else:
            ops = {
                "ops": [{"retain": at16}, {"insert": text}]
                if at16 or kind != "only"
                else [{"insert": text}]
            }
            start = utf16_to_index(doc, at16)
            doc = doc[:start] + text + doc[start:]
            at16 = utf16_length(doc[:start]) + utf16_length(text)
        end16 = at16
        entry = head | {"textDelta": ops} | tail(at16, n, sugg)
        lines.append(json.dumps(entry, ensure_ascii=n % 3 != 0))
    return lines


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prompt=WORDS,
    actions=ACTIONS,
    stamp0=st.sampled_from([0, 1629288382942, 2**53 - 7, 12345678901234567891, -5]),
    gzipped=st.booleans(),
)
def test_random_sessions_replay_as_before(
    tmp_path_factory: pytest.TempPathFactory,
    prompt: str,
    actions: list[tuple[str, float, str, bool, bool, int]],
    stamp0: int,
    gzipped: bool,
) -> None:
    lines = build_session(prompt, actions, stamp0)
    path = tmp_path_factory.mktemp("s") / ("s.jsonl.gz" if gzipped else "s.jsonl")
    body = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(gzip.compress(body) if gzipped else body)
    assert fast_replay(path) == reference_replay(path)


BASE = [
    '{"eventName": "system-initialize", "eventSource": "api", "eventTimestamp": 1000, '
    '"textDelta": "", "currentDoc": "Hi \\u201cyou\\u201d\\n", "eventNum": 0}',
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2000, '
    '"textDelta": {"ops": [{"retain": 9}, {"insert": "a"}]}, "eventNum": 1}',
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2100, '
    '"textDelta": {"ops": [{"retain": 10}, {"insert": "b"}]}, "eventNum": 2}',
]
ODD_LINES = [
    # a later duplicate key wins in json.loads: the fast path must not read the first
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2200, '
    '"textDelta": {"ops": [{"retain": 11}, {"insert": "c"}]}, "eventNum": 3, '
    '"textDelta": {"ops": [{"retain": 0}, {"insert": "Z"}]}}',
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2200, '
    '"textDelta": {"ops": [{"retain": 11}, {"insert": "c"}]}, "eventSource": "api"}',
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2200, '
    '"textDelta": {"ops": [{"retain": 11}, {"insert": "c"}]}, "eventName": "text-delete"}',
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2200, '
    '"textDelta": {"ops": [{"retain": 11}, {"insert": "c"}]}, "eventTimestamp": 7}',
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2200, '
    '"textDelta": {"ops": [{"retain": 11}, {"insert": "c"}]}, "eventNumber": 1, "eventX": 2}',
    # escapes, an empty insert, a lone retain, a zero delete, spacing json allows
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2200, '
    '"textDelta": {"ops": [{"retain": 11}, {"insert": "\\"\\\\\\n\\ud83d\\ude00\\u00e9"}]}}',
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2200, '
    '"textDelta": {"ops": [{"retain": 11}, {"insert": ""}]}}',
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2200, '
    '"textDelta": {"ops": [{"retain": 11}]}}',
    '{"eventName": "text-delete", "eventSource": "user", "eventTimestamp": 2200, '
    '"textDelta": {"ops": [{"retain": 3}, {"delete": 0}]}}',
    '{"eventName":"text-insert","eventSource":"user","eventTimestamp":2200,'
    '"textDelta":{"ops":[{"retain":11},{"insert":"c"}]}}',
    '  {"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2200, '
    '"textDelta": {"ops": [{"retain": 11}, {"insert": "c"}]}}  ',
    # timestamps: big, negative, a float, missing, zero with a sign
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 123456789012345678, '
    '"textDelta": {"ops": [{"retain": 11}, {"insert": "c"}]}}',
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": -0, '
    '"textDelta": {"ops": [{"retain": 11}, {"insert": "c"}]}}',
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2200.5, '
    '"textDelta": {"ops": [{"retain": 11}, {"insert": "c"}]}}',
    '{"eventName": "text-insert", "eventSource": "user", '
    '"textDelta": {"ops": [{"retain": 11}, {"insert": "c"}]}}',
    # out of range (an error either way), a second prompt, a prompt with ops
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2200, '
    '"textDelta": {"ops": [{"retain": 99}, {"insert": "c"}]}}',
    '{"eventName": "text-delete", "eventSource": "user", "eventTimestamp": 2200, '
    '"textDelta": {"ops": [{"retain": 10}, {"delete": 5}]}}',
    '{"eventName": "system-initialize", "eventSource": "api", "eventTimestamp": 2200, '
    '"textDelta": "", "currentDoc": "again"}',
    '{"eventName": "system-initialize", "eventSource": "api", "eventTimestamp": 2200, '
    '"textDelta": {"ops": [{"insert": "x"}]}, "currentDoc": "again"}',
    # damaged: cut short, a raw control character, a bad escape, trailing garbage
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2200, '
    '"textDelta": {"ops": [{"retain": 11}, {"insert": "c"}]}, "eventNum": 3',
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2200, '
    '"textDelta": {"ops": [{"retain": 11}, {"insert": "c\x01"}]}}',
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2200, '
    '"textDelta": {"ops": [{"retain": 11}, {"insert": "\\x41"}]}}',
    '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2200, '
    '"textDelta": {"ops": [{"retain": 011}, {"insert": "c"}]}}',
]


@pytest.mark.parametrize("odd", ODD_LINES)
def test_odd_lines_replay_as_before(tmp_path: Path, odd: str) -> None:
    """Each odd line after a run of typing and before more of it: the same outcome as
    parsing every line with json.loads (or the same kind of failure)."""
    after = (
        '{"eventName": "text-insert", "eventSource": "user", "eventTimestamp": 2300, '
        '"textDelta": {"ops": [{"retain": 2}, {"insert": "\\u201d"}]}}'
    )
    path = tmp_path / "odd.jsonl"
    path.write_text("\n".join([*BASE, odd, after]) + "\n", encoding="utf-8")
    assert outcome(fast_replay, path) == outcome(reference_replay, path)
