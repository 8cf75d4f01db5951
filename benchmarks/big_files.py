"""Benchmark big text files in the real window: how long opening and saving block it.

Run with `python -m benchmarks.big_files`; prints one JSON object. A Markdown file of
1 MB, 2 MB and the largest Draftsmith opens (`app.files.MAX_FILE_BYTES`, 4 MB; War and
Peace is 3.2 MB) of paragraphs with curly quotes, accents and emoji is opened in the
offscreen window, one character typed, and saved with its authorship block; each figure
is the time the GUI thread was busy. The save is `DocumentSession.save`, which waits
for the write (what closing and scripts use); Ctrl+S writes on the "io" lane instead,
and its stall of the GUI thread is `python -m benchmarks.gui_stalls`. Also the idle CPU
with the longest line that opens (`MAX_LINE_CHARS`). Bigger files and longer lines are
refused with a message.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

PARAGRAPH = "She said “yes” — and the café 🙂 closed for the night. " * 30 + "\n\n"


def run() -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DRAFTSMITH_HOME"] = str(Path(tmp) / "home")
        from PySide6.QtCore import QEventLoop, QTimer
        from PySide6.QtWidgets import QApplication

        from app import paths
        from app.files import MAX_FILE_BYTES, MAX_LINE_CHARS
        from app.settings import Settings
        from app.writing_room import WritingRoom

        app = QApplication.instance() or QApplication([])
        room = WritingRoom(Settings(paths.settings_path()), load_model=False)
        room.window.set_close_guard(lambda: True)
        room.show()

        def settle(ms: int) -> None:
            loop = QEventLoop()
            QTimer.singleShot(ms, loop.quit)
            loop.exec()

        figures: dict[str, Any] = {}
        for size in (1_048_576, 2 * 1_048_576, MAX_FILE_BYTES - 65_536):
            path = Path(tmp) / f"book-{size}.md"
            path.write_text(PARAGRAPH * (size // len(PARAGRAPH.encode())), encoding="utf-8")
            label = f"{path.stat().st_size / 1_048_576:.1f}_mb"
            started = time.perf_counter()
            assert room.session.open_path(path)
            opened = time.perf_counter() - started
            settle(200)
            room.editor.insertPlainText("x")
            started = time.perf_counter()
            assert room.session.save()
            saved = time.perf_counter() - started
            figures[f"open_{label}_ms"] = round(opened * 1000)
            figures[f"save_{label}_ms"] = round(saved * 1000)
            room.session.new_document()
            settle(200)
        line = Path(tmp) / "one-line.txt"
        line.write_text(("word “q” " * (MAX_LINE_CHARS // 9 + 1))[: MAX_LINE_CHARS - 1], "utf-8")
        assert room.session.open_path(line)
        settle(1000)
        cpu = time.process_time()
        settle(3000)
        figures["idle_cpu_percent_with_longest_line"] = round(
            (time.process_time() - cpu) / 3 * 100, 1
        )
        room.session.new_document()
        settle(200)
        room.shutdown()
        app.processEvents()
    return figures


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
