"""Export speed: a generated 100,000-word record with about 2,000 runs, every format.

`run()` returns seconds per format; `python -m benchmarks.export` prints them as JSON.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from pathlib import Path

from app.export import export
from memory.events import AttributedSpan, Author, EditEvent, How, SourceKind
from memory.provenance import FORMATS, verify_file
from memory.provenance.record import ProvenanceRecord

WORDS = (
    "the river ran quietly past old mill and we followed it home through fields of barley "
    "where light fell café naïve über 東京 مرحبا 👩‍👩‍👧 e\u0301 story chapter voice"
).split()


def generated_record(words: int = 100_000, runs: int = 2_000, seed: int = 4) -> ProvenanceRecord:
    """Markdown with headings, lists and emphasis; runs alternate writer, model and paste."""
    rng = random.Random(seed)
    writer = Author(SourceKind.PERSON, "Ana Lima")
    model = Author(SourceKind.MODEL, "SmolLM2-135M-Instruct", "ab" * 32)
    paste = Author(SourceKind.CLIPBOARD, "Clipboard")
    parts: list[str] = []
    for n in range(words):
        if n % 2_000 == 0:
            parts.append(f"\n\n## Chapter {n // 2_000 + 1}\n\n")
        elif n % 120 == 0:
            parts.append("\n\n- " if rng.random() < 0.1 else "\n\n")
        word = rng.choice(WORDS)
        parts.append(f"*{word}* " if rng.random() < 0.02 else word + " ")
    text = "".join(parts).lstrip() + "\n"
    cuts = sorted(rng.sample(range(1, len(text)), runs - 1))
    bounds = [0, *cuts, len(text)]
    spans, events = [], []
    at = 1_763_000_000.0
    for i in range(runs):
        author = model if i % 3 == 1 else (paste if i % 50 == 7 else writer)
        how = How.SUGGESTION if author is model else (How.PASTE if author is paste else How.TYPED)
        at += rng.uniform(5, 120) if rng.random() > 0.01 else 7200
        event = EditEvent(i + 1, author, how, at)
        events.append(event)
        spans.append(AttributedSpan(bounds[i], bounds[i + 1] - bounds[i], event))
    return ProvenanceRecord("Benchmark novel", text, spans, events, "f" * 64, "0.1.0")


def run() -> dict[str, float | int]:
    record = generated_record()
    result: dict[str, float | int] = {
        "words": len(record.text.split()),
        "characters": len(record.text),
        "runs": len(record.runs()),
    }
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        suffix = {"markdown": "md", "prov": "prov.json"}
        for fmt in FORMATS:
            out = base / f"bench.{suffix.get(fmt, fmt.replace('report-', 'report.'))}"
            started = time.perf_counter()
            export(record, fmt, out, base / "keys")
            result[f"{fmt}_s"] = round(time.perf_counter() - started, 3)
        for name in ("bench.md", "bench.html"):
            started = time.perf_counter()
            ok = verify_file(base / name).ok
            result[f"verify_{name.split('.')[1]}_s"] = round(time.perf_counter() - started, 3)
            assert ok, name
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
