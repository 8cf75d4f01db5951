"""Benchmark how long saving and opening a big file stall the GUI thread.

Run with `python -m benchmarks.gui_stalls`; prints one JSON object. The real window
(offscreen) opens a 1 MB Markdown file of paragraphs with curly quotes, accents and
emoji; a 1 ms `QTimer` ticks on the GUI thread while each operation runs, and the
figure is the longest gap between two ticks (what a key pressed then would wait):

- `save_background`: Ctrl+S as the window does it (`save_in_background`: the text and
  runs taken on the GUI thread, the block, encoding, atomic write and fsync on the
  "io" lane, the save recorded back on the GUI thread), until the save is recorded;
- `save_blocking`: the same save waited for on the GUI thread (`DocumentSession.save`,
  which closing and scripts use): what Ctrl+S cost before, the peer, in the same run;
- `open`: File > Open of the 1 MB file, until its whole text is in the editor and its
  authorship attached (a long text goes in slice by slice, `app.editor_load`);
- `idle`: the probe alone for as long, the floor a loaded machine gives.

The saves alternate round by round (one character typed before each), so machine load
falls on both alike. Targets: the longest stall of the background save and of the
open at most 50 ms (the issue #12 goal for save, open, export, recall, embedding).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.stats import distribution, target

PARAGRAPH = "She said “yes” — and the café 🙂 closed for the night. " * 30 + "\n\n"
STALL_LIMIT_MS = 50.0
COMMAND = "python -m benchmarks.gui_stalls"


def longest_stall(start: Callable[[], None], done: Callable[[], bool], tail_ms: int = 30) -> float:
    """Run `start` from the event loop with a 1 ms timer ticking; the longest gap (ms)
    between ticks from just before `start` until `done()` holds (plus `tail_ms`, for
    the work a finished operation still triggers)."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    loop = QEventLoop()
    ticks: list[float] = []
    finished_at: list[float] = []

    def tick() -> None:
        now = time.perf_counter()
        ticks.append(now)
        if len(ticks) == 5:
            QTimer.singleShot(0, start)
        elif len(ticks) > 5:
            if not finished_at and done():
                finished_at.append(now)
            if finished_at and now - finished_at[0] >= tail_ms / 1000:
                loop.quit()
        if now - ticks[0] > 60:
            loop.quit()  # never hang a benchmark run

    probe = QTimer()
    probe.setTimerType(Qt.TimerType.PreciseTimer)
    probe.setInterval(1)
    probe.timeout.connect(tick)
    probe.start()
    loop.exec()
    probe.stop()
    if not finished_at:
        raise RuntimeError("the operation did not finish within a minute")
    gaps = [later - earlier for earlier, later in zip(ticks[3:], ticks[4:], strict=False)]
    return max(gaps) * 1000


def stall_of(call: Callable[[], bool]) -> float:
    """The longest stall while `call` runs on the GUI thread (it must return True)."""
    results: list[bool] = []
    stall = longest_stall(lambda: results.append(call()), lambda: bool(results))
    assert results == [True]
    return stall


def stall_until_loaded(session: Any, path: Path) -> float:
    """The longest stall from File > Open until the whole text is in the editor (a long
    text goes in slice by slice: `app.editor_load`) and the authorship is attached."""
    results: list[bool] = []
    stall = longest_stall(
        lambda: results.append(session.open_path(path)),
        lambda: bool(results) and not getattr(session, "loading", False),
    )
    assert results == [True]
    return stall


def stall_until_saved(session: Any) -> float:
    """The longest stall from Ctrl+S until the save is recorded on the GUI thread."""
    seen: list[object] = []

    def note(text: object) -> None:
        seen.append(text)

    session.saved.connect(note)
    try:
        return longest_stall(session.save_in_background, lambda: bool(seen))
    finally:
        session.saved.disconnect(note)


def run(rounds: int = 5) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DRAFTSMITH_HOME"] = str(Path(tmp) / "home")
        from PySide6.QtCore import QEventLoop, QTimer
        from PySide6.QtWidgets import QApplication

        from app import paths
        from app.settings import Settings
        from app.writing_room import WritingRoom

        app = QApplication.instance() or QApplication([])
        room = WritingRoom(Settings(paths.settings_path()), load_model=False)
        room.window.set_close_guard(lambda: True)
        room.show()
        session = room.session

        def settle(ms: int) -> None:
            loop = QEventLoop()
            QTimer.singleShot(ms, loop.quit)
            loop.exec()

        path = Path(tmp) / "book.md"
        path.write_text(PARAGRAPH * (1_048_576 // len(PARAGRAPH.encode())), encoding="utf-8")
        samples: dict[str, list[float]] = {
            "save_background": [],
            "save_blocking": [],
            "open": [],
            "idle": [],
        }
        save_total: list[float] = []

        assert session.open_path(path)
        settle(300)
        session.wait_loaded()  # the first save, too, is of the whole text
        for _ in range(rounds):
            # Ctrl+S now: until the save is recorded on the GUI thread.
            room.editor.insertPlainText("x")
            started = time.perf_counter()
            samples["save_background"].append(stall_until_saved(session))
            save_total.append((time.perf_counter() - started) * 1000)
            settle(100)
            # The same save waited for on the GUI thread (the peer).
            room.editor.insertPlainText("y")
            samples["save_blocking"].append(stall_of(session.save))
            settle(100)
            samples["idle"].append(longest_stall(lambda: None, lambda: True, tail_ms=200))
            # Open: from another document, so the file is read and shown again.
            session.new_document()
            settle(200)
            samples["open"].append(stall_until_loaded(session, path))
            settle(300)
        session.new_document()
        settle(100)
        room.shutdown()
        app.processEvents()

    figures: dict[str, Any] = {
        "file_mb": 1.0,
        **{f"{name}_longest_stall_ms": distribution(values) for name, values in samples.items()},
        "save_background_until_recorded_ms": distribution(save_total),
    }
    background = figures["save_background_longest_stall_ms"]["median"]
    blocking = figures["save_blocking_longest_stall_ms"]["median"]
    opening = figures["open_longest_stall_ms"]["median"]
    figures["targets"] = [
        target(
            "Ctrl+S of 1 MB: longest GUI stall (median)",
            background,
            "ms",
            f"<= {STALL_LIMIT_MS:g} ms",
            command=COMMAND,
            peer="the same save waited for on the GUI thread",
            peer_value=blocking,
            limit_value=STALL_LIMIT_MS,
        ),
        target(
            "open 1 MB: longest GUI stall (median)",
            opening,
            "ms",
            f"<= {STALL_LIMIT_MS:g} ms",
            command=COMMAND,
            peer="the 1 ms probe alone (idle)",
            peer_value=figures["idle_longest_stall_ms"]["median"],
            limit_value=STALL_LIMIT_MS,
        ),
    ]
    return figures


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
