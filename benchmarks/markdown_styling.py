"""Markdown styling's cost: one line's spans, a keystroke in a 1 MB Markdown-rich
document with styling on and off (interleaved, key by key), and opening that document.

Run alone: `QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.markdown_styling`.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from typing import Any

RICH = (
    "The keeper *climbed* the stairs and watched the **sea** turn grey, `lamp_oil` low, "
    "as [the log](https://example.org/log) said. "
) * 2
LINES = {
    "plain prose": "The keeper climbed the stairs and watched the sea turn grey. " * 3,
    "rich paragraph": RICH,
    "heading": "## The lamp room, *at dusk*",
    "list item": "- " + RICH,
}


def manuscript(size: int) -> str:
    out, total, n = [], 0, 0
    while total < size:
        line = f"## Part {n}" if n % 20 == 0 else ("- " + RICH if n % 7 == 0 else RICH)
        out += [line, ""]
        total += len(line) + 2
        n += 1
    return "\n".join(out)


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000, 3),
    }


def run(keys: int = 150, size: int = 1_000_000) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from ui.editor import DraftEditor
    from ui.markdown_spans import style_line

    app = QApplication.instance() or QApplication([])
    result: dict[str, Any] = {"style_line_us": {}}
    for name, line in LINES.items():
        style_line.cache_clear()
        started = time.perf_counter()
        for n in range(200):
            style_line(line + str(n))  # a new text each time: no cache hit
        result["style_line_us"][name] = round((time.perf_counter() - started) / 200 * 1e6, 1)
    text = manuscript(size)
    editors = {}
    for on in (True, False):
        editor = DraftEditor()
        editor.resize(1000, 800)
        editor.show()
        editor.styler.set_markdown(on)
        started = time.perf_counter()
        editor.setPlainText(text)
        editor.viewport().repaint()
        opened = time.perf_counter() - started
        styled = 0.0
        if on:
            while editor.styler.pending():
                app.processEvents()
            styled = time.perf_counter() - started
        result[f"open_{'on' if on else 'off'}"] = {
            "first_paint_s": round(opened, 3),
            "all_styled_s": round(styled, 3),
        }
        cursor = editor.textCursor()
        cursor.setPosition(len(text) // 2)
        editor.setTextCursor(cursor)
        editors[on] = editor
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(keys):
        for on, editor in editors.items():
            started = time.perf_counter()
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                key = QKeyEvent(kind, Qt.Key(0), Qt.KeyboardModifier(0), "x")
                QApplication.sendEvent(editor, key)
            editor.viewport().repaint()
            times[on].append(time.perf_counter() - started)
            app.processEvents()
    result["keystroke_styling_on"] = _ms(times[True])
    result["keystroke_styling_off"] = _ms(times[False])
    result["characters"] = len(text)
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
