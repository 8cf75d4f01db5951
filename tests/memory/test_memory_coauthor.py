"""CoAuthor sessions: the engine's replay equals a plain character-list replay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memory.coauthor import load_metadata, main_json, read_events, replay_session

CORPUS = Path("/work/shared/corpora/coauthor")
SESSIONS = sorted((CORPUS / "sessions").glob("*.jsonl*"))
pytestmark = pytest.mark.skipif(not SESSIONS, reason="CoAuthor corpus not present")


def reference_replay(path: Path) -> tuple[str, str]:
    """Final text and p/h/m labels, applying deltas to a list of UTF-16 code units."""
    units: list[tuple[str, str]] = []  # (one UTF-16 unit as 2 bytes hex, label)

    def encode(text: str, label: str) -> list[tuple[str, str]]:
        raw = text.encode("utf-16-le", "surrogatepass")
        return [(raw[i : i + 2].hex(), label) for i in range(0, len(raw), 2)]

    for event in read_events(path):
        if event["eventName"] == "system-initialize":
            units = encode(event["currentDoc"], "p")
            continue
        delta = event.get("textDelta")
        if not isinstance(delta, dict):
            continue
        label = (
            "m" if event["eventName"] == "text-insert" and event["eventSource"] == "api" else "h"
        )
        cursor = 0
        for op in delta["ops"]:
            if "retain" in op:
                cursor += op["retain"]
            elif "insert" in op:
                new = encode(op["insert"], label)
                units[cursor:cursor] = new
                cursor += len(new)
            elif "delete" in op:
                del units[cursor : cursor + op["delete"]]
    raw = bytes.fromhex("".join(u for u, _ in units))
    text = raw.decode("utf-16-le", "surrogatepass")
    labels = []
    i = 0
    for ch in text:  # one label per code point: that of its first unit
        labels.append(units[i][1])
        i += 2 if ord(ch) > 0xFFFF else 1
    return text, "".join(labels)


@pytest.mark.parametrize("path", SESSIONS, ids=lambda p: p.name[:8])
def test_session_replay_matches_reference_and_published_share(path: Path) -> None:
    result = replay_session(path)
    text, labels = reference_replay(path)
    assert result.final_text == text
    assert result.labels == labels
    assert len(result.labels) == len(result.final_text)
    assert result.chars == {k: labels.count(k[0]) for k in ("prompt", "human", "model")}
    published = float(load_metadata(CORPUS)[result.session_id]["written_by_human"])
    assert abs(result.human_share * 100 - published) <= 6


def test_json_output_is_serialisable() -> None:
    out = main_json(SESSIONS[0], labels=True)
    assert json.loads(json.dumps(out)) == out
    assert set(out) >= {"session_id", "final_text_sha256", "chars", "human_share", "labels"}
    assert "labels" not in main_json(SESSIONS[0], labels=False)
