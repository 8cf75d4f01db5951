"""Keystroke-to-repaint cost in the real editor on a long document, authorship view off/on."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path


def run(paragraphs: int = 5_000, keystrokes: int = 200) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="draftsmith-bench-")
    os.environ["DRAFTSMITH_HOME"] = home
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent, QTextCursor
    from PySide6.QtWidgets import QApplication

    from app import paths
    from app.settings import Settings
    from app.writing_room import WritingRoom
    from memory.events import Author, How, SourceKind
    from ui.editor import EditIntent

    app = QApplication.instance() or QApplication([])
    source = Path(home) / "long.md"
    paragraph = "The keeper climbed the stairs and watched the sea turn grey. " * 3
    source.write_text((paragraph.strip() + "\n\n") * paragraphs, encoding="utf-8")
    room = WritingRoom(Settings(paths.settings_path()), load_model=False)
    room.show()
    room.session.open_path(source)
    room.session.wait_loaded()  # a long file streams in behind its first screen
    editor = room.editor
    model = Author(SourceKind.MODEL, "bench", "0" * 64)
    cursor = editor.textCursor()
    started = time.perf_counter()
    for block in range(0, paragraphs, max(1, paragraphs // 5_000)):  # ~10k runs
        cursor.setPosition(editor.document().findBlockByNumber(block * 2).position() + 10)
        editor.setTextCursor(cursor)
        editor.insert_as("mx", EditIntent(How.SUGGESTION, author=model))
    build_s = time.perf_counter() - started
    middle = editor.document().findBlockByNumber(paragraphs).position() + 20
    result: dict[str, object] = {
        "characters": len(room.session.authored.text),
        "runs": room.session.authored.authored_text.run_count(),
        "build_runs_s": round(build_s, 2),
    }
    for view in (False, True):
        room.authorship_action.setChecked(view)
        app.processEvents()
        cursor.setPosition(middle)
        editor.setTextCursor(cursor)
        editor.centerCursor()
        costs = []
        for i in range(keystrokes):
            char = "abcdefghij"[i % 10]
            t0 = time.perf_counter()
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(
                    editor, QKeyEvent(kind, Qt.Key(0), Qt.KeyboardModifier.NoModifier, char)
                )
            editor.viewport().repaint()
            costs.append((time.perf_counter() - t0) * 1000)
        costs.sort()
        key = "view_on" if view else "view_off"
        result[f"keystroke_ms_median_{key}"] = round(statistics.median(costs), 2)
        result[f"keystroke_ms_p95_{key}"] = round(costs[int(len(costs) * 0.95)], 2)
    assert room.session.authored.text == editor.toPlainText()
    room.shutdown()
    del QTextCursor
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
