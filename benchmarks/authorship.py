"""Benchmark the authorship engine: per-edit cost, CoAuthor replay, ledger writes.

Run with `python -m benchmarks.authorship`; prints one JSON object. `--replay` runs
only the CoAuthor replay; `--profile-replay` prints its cProfile top costs.
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CORPUS = Path("/work/shared/corpora/coauthor/sessions")
DOC_CHARS = 1_000_000
DOC_RUNS = 10_000


def _median_us(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1e6, 2)


def _time_each(n: int, step: Callable[[int], object]) -> list[float]:
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        step(i)
        out.append(time.perf_counter() - t0)
    return out


def _big_text() -> Any:
    """A 1,000,000-character AuthoredText with 10,000 runs (alternating events)."""
    from memory.runs import AuthoredText

    rng = random.Random(7)
    words = ["the ", "harbour ", "caf\u00e9 ", "\u4e2d\u6587 ", "keeper ", "boats "]
    text = "".join(rng.choice(words) for _ in range(DOC_CHARS // 5))[:DOC_CHARS]
    per = DOC_CHARS // DOC_RUNS
    return AuthoredText.from_runs(text, [(per, 1 + i % 2) for i in range(DOC_RUNS)])


def edit_costs(n: int = 2000) -> dict[str, Any]:
    """Median µs per one-character insert and delete at random places, engine and document."""
    from memory.document import AuthoredDocument
    from memory.events import Author, How, SourceKind
    from memory.store import Store

    rng = random.Random(1)
    text = _big_text()
    runs_before = text.run_count()
    insert = _time_each(n, lambda i: text.replace(rng.randrange(len(text)), 0, "x", [(1, 3 + i)]))
    delete = _time_each(n, lambda i: text.replace(rng.randrange(len(text) - 1), 1, "", []))
    segs = _time_each(n, lambda i: text.segments(p := rng.randrange(len(text) - 500), p + 500))

    writer = Author(SourceKind.PERSON, "Ann")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        doc = AuthoredDocument.create(store, None, "bench", _big_text().text, writer)
        model = Author(SourceKind.MODEL, "bench-model")
        for k in range(DOC_RUNS // 2):  # 10,000 runs: single model characters every 200
            doc.record(k * 200 + 100, 1, "m", model, How.SUGGESTION)
        doc_runs = doc.authored_text.run_count()
        doc_insert = _time_each(
            n, lambda i: doc.record(rng.randrange(len(doc)), 0, "x", writer, How.TYPED)
        )
        doc_delete = _time_each(
            n, lambda i: doc.record(rng.randrange(len(doc) - 1), 1, "", writer, How.TYPED)
        )
        t0 = time.perf_counter()
        labels = doc.labels()
        label_s = time.perf_counter() - t0
        doc.close()
        store.close()
    return {
        "document_chars": DOC_CHARS,
        "runs_at_start": runs_before,
        "runs_after": text.run_count(),
        "authored_text_insert_median_us": _median_us(insert),
        "authored_text_delete_median_us": _median_us(delete),
        "authored_text_segments_500_median_us": _median_us(segs),
        "document_runs_at_start": doc_runs,
        "document_record_insert_median_us": _median_us(doc_insert),
        "document_record_delete_median_us": _median_us(doc_delete),
        "labels_full_document_ms": round(label_s * 1000, 1),
        "label_spans": len(labels),
    }


def coauthor_throughput(repeats: int = 3) -> dict[str, Any]:
    """Replay every CoAuthor session through AuthoredDocument; events per second.

    The whole corpus is replayed `repeats` times after one warm-up pass (file cache,
    imports); the figure is the median pass, wall clock, with the CPU time of the same
    passes beside it (the machine is shared, so the two can differ a lot)."""
    from memory.coauthor import replay_session

    sessions = sorted(CORPUS.glob("*.jsonl*"))
    if not sessions:
        return {"skipped": f"no sessions in {CORPUS}"}
    events = sum(replay_session(path).events_applied for path in sessions)  # warm-up
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        for path in sessions:
            replay_session(path)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    elapsed = statistics.median(walls)
    return {
        "sessions": len(sessions),
        "events": events,
        "seconds": round(elapsed, 3),
        "seconds_each_pass": [round(w, 3) for w in walls],
        "cpu_seconds_each_pass": [round(c, 3) for c in cpus],
        "events_per_s": round(events / elapsed),
        "events_per_cpu_s": round(events / statistics.median(cpus)),
    }


def profile_replay(top: int = 25) -> str:
    """cProfile of one pass over every session, the `top` costs by own time."""
    import cProfile
    import io
    import pstats

    from memory.coauthor import replay_session

    sessions = sorted(CORPUS.glob("*.jsonl*"))
    for path in sessions:  # warm-up
        replay_session(path)
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for path in sessions:
        replay_session(path)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def ledger_costs(batches: int = 50, per_batch: int = 100) -> dict[str, Any]:
    """Median µs per ledger append (hashing) and ms per flush of a one-second batch."""
    from memory.document import AuthoredDocument
    from memory.events import Author, How, SourceKind
    from memory.store import Store

    writer = Author(SourceKind.PERSON, "Ann")
    appends: list[float] = []
    flushes: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        doc = AuthoredDocument.create(store, None, "bench")
        for _ in range(batches):
            for _ in range(per_batch):
                t0 = time.perf_counter()
                doc.record(len(doc), 0, "k", writer, How.TYPED)
                appends.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            doc.flush()
            flushes.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        AuthoredDocument.open(store, doc.doc_id)
        reopen = time.perf_counter() - t0
        store.close()
    return {
        "record_append_median_us": _median_us(appends),
        "flush_batch_size": per_batch,
        "flush_median_ms": round(statistics.median(flushes) * 1000, 3),
        "reopen_ms_for_events": [round(reopen * 1000, 1), batches * per_batch],
    }


def position_costs(size: int = 4_000_000, n: int = 100) -> dict[str, Any]:
    """What one keystroke's UTF-16 conversions cost at the end of a 4 MB text with one
    curly quote (and with one emoji as well): re-encoding the text, as the bridge did
    before issue 12 (replayed here), against `Utf16Map` (now); µs, medians."""
    from memory.positions import Utf16Map

    unit = "The keeper watched the sea turn grey over the harbour.\n\n"
    out: dict[str, Any] = {"characters": size}
    for name, head in (("curly_quote", "\u201c"), ("curly_quote_and_emoji", "\u201c\U0001f600")):
        text = head + (unit * (size // len(unit) + 1))[: size - len(head)]
        at16 = len(text.encode("utf-16-le", "surrogatepass")) // 2 - 10

        def reencode(_i: int, text: str = text, at16: int = at16) -> object:
            total = len(text.encode("utf-16-le", "surrogatepass")) // 2
            units = text[: min(at16, total)].encode("utf-16-le", "surrogatepass")
            return len(units[: at16 * 2].decode("utf-16-le", "surrogatepass"))

        positions = Utf16Map(text)
        before = _time_each(max(5, n // 10), reencode)
        now = _time_each(n, lambda _i, m=positions, at=at16: m.to_index(min(at, m.length16)))
        out[f"{name}_reencode_us_median"] = _median_us(before)
        out[f"{name}_utf16map_us_median"] = _median_us(now)
    return out


def run() -> dict[str, Any]:
    """All authorship figures in one dict, and the CoAuthor replay's target."""
    from benchmarks.stats import target

    replay = coauthor_throughput()
    targets = []
    if "events_per_s" in replay:
        targets.append(
            target(
                f"CoAuthor replay, all {replay['sessions']} shared sessions",
                replay["events_per_s"],
                "events/s",
                ">= 100,000 events/s",
                command="make bench (benchmarks/authorship.py)",
                limit_value=100_000,
                higher_is_better=True,
            )
        )
    return {
        "edits_1m_chars_10k_runs": edit_costs(),
        "utf16_per_keystroke_4mb": position_costs(),
        "coauthor_replay": replay,
        "ledger": ledger_costs(),
        "targets": targets,
    }


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--profile-replay"]:
        print(profile_replay())
    elif sys.argv[1:] == ["--replay"]:
        print(json.dumps(coauthor_throughput(), indent=2))
    else:
        print(json.dumps(run(), indent=2))
