"""Keystroke cost in the real window against a matched QPlainTextEdit, interleaved.

For 1 MB and 4 MB manuscripts, ASCII and non-ASCII (the same text with one curly quote
near the start, so every keystroke at the end has non-ASCII text before it), with the
authorship colours off and on: the file is opened through the real `WritingRoom`
(document, authorship engine, ledger, journal, Markdown styling), and a peer
QPlainTextEdit with the same font, size and text column holds the same text. Then, key
by key, one key press and release is sent to Draftsmith and then to the peer, each
followed by the posted events and a synchronous repaint of the viewport; between keys the
event loop runs for 4 ms so the timers (pause detection, journal, ledger flush, word
count, deferred styling) really fire, as they do while a writer types. Figures are the
distribution of the per-key cost (ms; the GUI thread's CPU time per key is recorded too,
`*_cpu_ms`, for runs on a busy machine). The work those timers do is not in the figure:
the loop is shared by both widgets, so it cannot be told apart; `gap_busy_ms` records
how long the loop worked between keys (both widgets together, mostly Draftsmith's).

Run alone: `.venv/bin/python -m benchmarks.keystroke`.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.stats import distribution, target

COMMAND = "make bench (benchmarks/keystroke.py)"
SIZES = {"1MB": 1_000_000, "4MB": 4_000_000}
#: Keys per case. The paragraph typed into wraps onto a new line about every 77 keys,
#: and that key costs both widgets 2-3 ms (the view grows and scrolls); with 200 keys
#: the p99 was whichever widget's second-slowest key, a wrap or not: with 600 (about 8
#: wraps each) it is the cost of a wrap for both.
KEYS = 600
PARAGRAPH = "The keeper climbed the stairs and watched the sea turn grey over the harbour. " * 3


def manuscript(size: int, curly: bool) -> str:
    unit = PARAGRAPH.strip() + "\n\n"
    text = (unit * (size // len(unit) + 1))[:size]
    if curly:
        text = "\u201c" + text[1:]  # one curly quote, at the start
    return text


def _wait(app: Any, ms: float) -> float:
    """Run the event loop for `ms`; returns the ms it spent working (passes of the loop
    that took over 0.2 ms: timers, deferred styling), not idling."""
    busy = 0.0
    end = time.perf_counter() + ms / 1000
    while (now := time.perf_counter()) < end:
        app.processEvents()
        spent = time.perf_counter() - now
        if spent > 0.0002:
            busy += spent
    return busy * 1000


def run(keys: int = KEYS, sizes: tuple[str, ...] = ("1MB", "4MB")) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="draftsmith-bench-keys-")
    os.environ["DRAFTSMITH_HOME"] = home
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent, QTextCursor
    from PySide6.QtWidgets import QApplication, QPlainTextEdit

    from app import paths
    from app.settings import Settings
    from app.writing_room import WritingRoom
    from memory.events import Author, How, SourceKind
    from ui.editor import EditIntent

    class Peer(QPlainTextEdit):
        def set_column(self, left: int, top: int, right: int, bottom: int) -> None:
            self.setViewportMargins(left, top, right, bottom)

    app = QApplication.instance() or QApplication([])
    model = Author(SourceKind.MODEL, "bench", "0" * 64)
    results: dict[str, Any] = {"keys": keys, "cases": {}}
    targets = []

    cpu: list[float] = []  # the same key's CPU time on this (the GUI) thread, in ms

    def press(widget: Any, char: str) -> float:
        c0 = time.thread_time()
        t0 = time.perf_counter()
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, Qt.Key(0), Qt.KeyboardModifier.NoModifier, char)
            )
        app.sendPostedEvents()
        widget.viewport().repaint()
        spent = (time.perf_counter() - t0) * 1000
        cpu.append((time.thread_time() - c0) * 1000)
        return spent

    for size_name in sizes:
        for curly in (False, True):
            text = manuscript(SIZES[size_name], curly)
            kind_name = "non-ASCII" if curly else "ASCII"
            source = Path(home) / f"{size_name}-{kind_name}.md"
            source.write_text(text, encoding="utf-8")
            room = WritingRoom(Settings(paths.settings_path()), load_model=False)
            room.window.set_close_guard(lambda: True)
            room.show()
            started = time.perf_counter()
            room.session.open_path(source)
            # A long file streams into the editor behind its first screen: the keys, the
            # model runs and the peer's copy all need the whole text in it first.
            room.session.wait_loaded()
            open_s = time.perf_counter() - started
            editor = room.editor
            # Some model text spread through the document, so the colours have runs to show.
            cursor = editor.textCursor()
            blocks = editor.document().blockCount()
            for i in range(1, 200):
                block = editor.document().findBlockByNumber(i * blocks // 200)
                cursor.setPosition(block.position() + 4)
                editor.setTextCursor(cursor)
                editor.insert_as("mx ", EditIntent(How.SUGGESTION, author=model))
            peer = Peer()
            peer.setFont(editor.font())
            peer.resize(editor.size())
            margins = editor.viewportMargins()
            peer.set_column(margins.left(), margins.top(), margins.right(), margins.bottom())
            peer.setPlainText(editor.toPlainText())
            peer.show()
            for widget in (editor, peer):
                end = widget.textCursor()
                end.movePosition(QTextCursor.MoveOperation.End)
                widget.setTextCursor(end)
                widget.ensureCursorVisible()
            _wait(app, 200)
            if curly and size_name == "1MB":
                # Turning the colours on: every paragraph restyled, until the next paint.
                toggles = []
                for _ in range(3):
                    room.authorship_action.setChecked(False)
                    _wait(app, 50)
                    t0 = time.perf_counter()
                    room.authorship_action.setChecked(True)
                    app.sendPostedEvents()
                    editor.viewport().repaint()
                    toggles.append((time.perf_counter() - t0) * 1000)
                room.authorship_action.setChecked(False)
                d = distribution(toggles)
                results["colours_on_1MB_non_ascii_ms"] = d
                targets.append(
                    target(
                        "turning on authorship colours, 1 MB non-ASCII (median of 3)",
                        d["median"],
                        "ms",
                        "<= 100 ms",
                        command=COMMAND,
                        limit_value=100,
                    )
                )
            for colours in (False, True):
                room.authorship_action.setChecked(colours)
                _wait(app, 100)
                # The event loop is shared, so work a key leaves for it (timers, deferred
                # styling) cannot be told apart per widget: the gap is not counted.
                ours, theirs, gaps = [], [], []
                ours_cpu, theirs_cpu = [], []
                for i in range(keys):
                    char = "abcdefghij "[i % 11]
                    ours.append(press(editor, char))
                    ours_cpu.append(cpu[-1])
                    theirs.append(press(peer, char))
                    theirs_cpu.append(cpu[-1])
                    gaps.append(_wait(app, 4))
                case = f"{size_name} {kind_name}, colours {'on' if colours else 'off'}"
                ds, qt = distribution(ours), distribution(theirs)
                results["cases"][case] = {
                    "draftsmith_ms": ds,
                    "qplaintextedit_ms": qt,
                    "gap_busy_ms": distribution(gaps),
                    # CPU time of the GUI thread per key: on a busy machine the wall time
                    # also holds the time other processes had the core (not in the figure).
                    "draftsmith_cpu_ms": distribution(ours_cpu),
                    "qplaintextedit_cpu_ms": distribution(theirs_cpu),
                }
                for stat, label in (("median", "p50"), ("p99", "p99")):
                    targets.append(
                        target(
                            f"keystroke {label}, {case}",
                            ds[stat],
                            "ms",
                            "<= 1.25x QPlainTextEdit",
                            command=COMMAND,
                            peer=f"QPlainTextEdit, same font and column, {label}",
                            peer_value=qt[stat],
                            limit_ratio=1.25,
                        )
                    )
            assert room.session.authored.text == editor.toPlainText()
            results["cases"][f"{size_name} {kind_name}"] = {"open_s": round(open_s, 3)}
            room.authorship_action.setChecked(False)
            peer.close()
            peer.deleteLater()
            room.shutdown()
            app.processEvents()
    results["targets"] = targets
    return results


if __name__ == "__main__":
    import sys

    chosen = tuple(sys.argv[1:]) or ("1MB", "4MB")
    print(json.dumps(run(sizes=chosen), indent=2))
