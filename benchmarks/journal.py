"""Benchmark the recovery journal: what a flush costs, and how long typing waits for one.

Run with `python -m benchmarks.journal`; prints one JSON object. `flush` is the cost
of one journal write of half a second of typing (17 keys at 30 ms) into a document of
100,000 characters on a real SQLite file; `window` types into the real window at 30 ms
a key (offscreen) and measures, for every key, how long it stayed in memory before a
committed flush covered it: the most typing a kill at the worst moment can lose.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

BURST = 17  # keys in half a second at 30 ms a key
DOC_CHARS = 100_000


def flush_costs(bursts: int = 200) -> dict[str, Any]:
    """ms per flush of one half-second burst, and of the first edit (the row is made)."""
    from memory.document import AuthoredDocument
    from memory.events import Author, How, SourceKind
    from memory.store import Store

    writer = Author(SourceKind.PERSON, "Ann")
    flushes: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        doc = AuthoredDocument.draft(store, None, "Untitled")
        doc.record(0, 0, "x", writer, How.TYPED)
        t0 = time.perf_counter()
        doc.flush()
        first = time.perf_counter() - t0
        doc.record(len(doc), 0, "harbour café 中文 " * (DOC_CHARS // 16), writer, How.PASTE)
        doc.flush()
        for _ in range(bursts):
            for _ in range(BURST):
                doc.record(len(doc), 0, "k", writer, How.TYPED)
            t0 = time.perf_counter()
            doc.flush()
            flushes.append(time.perf_counter() - t0)
        store.close()
    flushes.sort()
    return {
        "keys_per_flush": BURST,
        "document_chars": DOC_CHARS,
        "flush_median_ms": round(statistics.median(flushes) * 1000, 3),
        "flush_p95_ms": round(flushes[int(len(flushes) * 0.95)] * 1000, 3),
        "flush_max_ms": round(flushes[-1] * 1000, 3),
        "first_flush_creating_the_row_ms": round(first * 1000, 3),
    }


def window_latency(keys: int = 200, interval_ms: int = 30) -> dict[str, Any]:
    """Per key: seconds from the key press to the committed flush that covered it."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="draftsmith-journal-bench-")
    old_home = os.environ.get("DRAFTSMITH_HOME")
    os.environ["DRAFTSMITH_HOME"] = home
    from PySide6.QtCore import QEvent, QEventLoop, Qt, QTimer
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from app import paths
    from app.settings import Settings
    from app.writing_room import WritingRoom

    app = QApplication.instance() or QApplication([])
    room = WritingRoom(Settings(paths.settings_path()), load_model=False)
    room.window.set_close_guard(lambda: True)
    room.show()
    pressed: list[float] = []
    waited: list[float] = []

    def journaled(covered: int) -> None:
        now = time.perf_counter()
        while len(waited) < min(covered, len(pressed)):
            waited.append(now - pressed[len(waited)])

    room.session.journaled.connect(journaled)
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(interval_ms)

    def key() -> None:
        if len(pressed) >= keys:
            timer.stop()
            QTimer.singleShot(1500, loop.quit)  # let the last flush come
            return
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key(0), Qt.KeyboardModifier.NoModifier, "k")
            QApplication.sendEvent(room.editor, event)
        pressed.append(time.perf_counter())

    timer.timeout.connect(key)
    timer.start()
    loop.exec()
    room.shutdown()
    room.window.close()
    app.processEvents()
    shutil.rmtree(home, ignore_errors=True)
    if old_home is None:
        os.environ.pop("DRAFTSMITH_HOME", None)
    else:
        os.environ["DRAFTSMITH_HOME"] = old_home
    waited.sort()
    return {
        "keys": keys,
        "interval_ms": interval_ms,
        "covered_keys": len(waited),
        "wait_median_ms": round(statistics.median(waited) * 1000, 1),
        "wait_p95_ms": round(waited[int(len(waited) * 0.95)] * 1000, 1),
        "wait_max_ms": round(waited[-1] * 1000, 1),
    }


def run() -> dict[str, Any]:
    return {"flush": flush_costs(), "window": window_latency()}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
