"""Inline-suggestion latency and GUI stalls, through the real window and the real model.

Two `WritingRoom`s (offscreen, timers running, the real task runner, the bundled model on
the writer's default threads: on 2 cores, 2 to read prompts and 1 to generate), one with
the prompt cache work on (warm-ups, the short cold prompt that grows) and one with it off
(the full prompt every time, nothing warmed: how it was), driven in turns, round by
round, so the machine's load falls on both alike:

- **typing at the end** of a 20,000-word manuscript: a few words typed key by key (80 ms
  apart), then the writer pauses: from the editor's pause signal (after the pause delay)
  to the first ghost character painted, and to the whole suggestion (16 tokens at most);
  then the writer reads it for 1.5 s, presses Esc and types on (the first pause, 1.5 s
  after the document opened, is its own figure, `open_first`);
- **another paragraph** of a 1 MB manuscript: the cursor moves to the end of a paragraph
  far from the last, 0.4 s later the writer types a word and pauses: pause to first ghost
  character painted;
- the **GUI stall**: a 2 ms timer's longest gap in each generation (the event loop's
  longest block while a suggestion generates), over every round.

Before each room's turn the other's model lane is idle (a warm-up of the other room is
cancelled), so one room's background work never lands in the other's figures.
"Painted" is a paint event of the editor's viewport with ghost text to draw.

Run alone: `.venv/bin/python -m benchmarks.suggestion_latency`.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.stats import distribution, target

COMMAND = "make bench (benchmarks/suggestion_latency.py)"
WORDS = (
    "the keeper climbed stairs every night and watched grey sea turn over harbour lamp "
    "storm gulls boats ropes tide morning town light wind “again,” she said café’s "
    "window glowed quiet slowly old her his they"
).split()
TYPED = ("and then", "the sea was", "quiet again", "she said", "over the harbour")
KEY_MS = 80
READ_MS = 1500
MOVE_TO_TYPE_MS = 400
MAX_TOKENS = 16


def manuscript(words: int = 0, chars: int = 0, seed: int = 1) -> str:
    """Varied prose in paragraphs, ending with an open sentence."""
    chooser = random.Random(seed)
    paragraphs: list[str] = []
    count = size = 0
    while (words and count < words) or (chars and size < chars):
        n = chooser.randint(40, 120)
        paragraph = " ".join(chooser.choice(WORDS) for _ in range(n)).capitalize() + "."
        paragraphs.append(paragraph)
        count += n
        size += len(paragraph) + 2
    return "\n\n".join(paragraphs) + "\n\nThe keeper"


class Probe:
    """Times one room: the pause signal, the first ghost paint, the end of the suggestion,
    and the event loop's gaps while a suggestion generates."""

    def __init__(self, room: Any) -> None:
        from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer

        self.room = room
        self.paused_at: float | None = None
        self.first_paint: float | None = None
        self.gaps: list[float] = []
        self.longest = 0.0
        editor = room.editor
        editor.paused.connect(self._paused)
        probe = self

        class PaintWatch(QObject):
            def eventFilter(self, _obj: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
                if (
                    event.type() == QEvent.Type.Paint
                    and probe.paused_at is not None
                    and probe.first_paint is None
                    and editor.ghost.text
                ):
                    probe.first_paint = time.perf_counter()
                return False

        self._watch = PaintWatch()
        editor.viewport().installEventFilter(self._watch)
        self._clock = QElapsedTimer()
        self._ticker = QTimer()
        self._ticker.setInterval(2)
        self._ticker.timeout.connect(self._tick)
        self._clock.start()
        self._ticker.start()

    def _paused(self) -> None:
        self.paused_at = time.perf_counter()
        self.first_paint = None
        self.longest = 0.0

    def _tick(self) -> None:
        gap = float(self._clock.restart())
        task = self.room.suggestions._task
        if task is not None and not task.done:
            self.longest = max(self.longest, gap)

    def stop(self) -> None:
        self._ticker.stop()


def _loop(app: Any, ms: float) -> None:
    """Run the event loop for `ms` as `exec` would (waiting for events, timers firing)."""
    from PySide6.QtCore import QEventLoop

    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        time.sleep(0.0005)


def _until(app: Any, done: Any, timeout_s: float) -> bool:
    end = time.perf_counter() + timeout_s
    while time.perf_counter() < end:
        if done():
            return True
        _loop(app, 2)
    return done()


def _type(app: Any, editor: Any, text: str) -> None:
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                editor, QKeyEvent(kind, Qt.Key(0), Qt.KeyboardModifier.NoModifier, char)
            )
        _loop(app, KEY_MS)


def _quiet(app: Any, room: Any) -> None:
    """Let `room`'s model lane fall idle: its warm-up, if any, is cancelled."""
    controller = room.suggestions
    controller.cancel()
    warming = controller._warm_task
    if warming is not None and not warming.done:
        warming.cancel()
        _until(app, lambda: warming.done, 60)


def _suggest_round(app: Any, room: Any, probe: Probe, typed: str) -> dict[str, float] | None:
    """Type `typed`, pause; ms from the pause signal to the first ghost paint and to the
    whole suggestion, and the longest gap while it generated (None: nothing offered)."""
    editor = room.editor
    controller = room.suggestions
    room.show()  # the active window: the editor's pause counts there
    probe.paused_at = None
    _type(app, editor, " " + typed)
    if not _until(app, lambda: probe.paused_at is not None, 10):
        return None
    paused = probe.paused_at
    assert paused is not None
    ended = _until(app, lambda: controller._task is None and probe.first_paint is not None, 120)
    finished = time.perf_counter()
    first = probe.first_paint
    if not ended or first is None or not controller.showing:
        controller.dismiss(notify=False)
        return None
    return {
        "first_ms": (first - paused) * 1000,
        "whole_ms": (finished - paused) * 1000,
        "stall_ms": probe.longest,
    }


def _open_room(home: Path, text: str, name: str, cache: bool) -> Any:
    from app import paths
    from app.model_service import ModelState
    from app.settings import Settings
    from app.writing_room import WritingRoom

    settings = Settings(paths.settings_path())
    # The writer's default threads (0): on 2 cores, 2 read the prompt and 1 generates
    # beside the window (`assistant.backend.beside_a_window_thread_count`).
    settings.set("model_threads", 0)
    settings.set("suggestion_max_tokens", MAX_TOKENS)
    room = WritingRoom(settings, load_model=False)
    room.window.set_close_guard(lambda: True)
    room.suggestions.prompt_cache = cache
    room.show()
    room.model.load(None)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    _until(app, lambda: room.model.state is ModelState.READY, 120)
    source = home / f"{name}.md"
    source.write_text(text, encoding="utf-8")
    room.session.open_path(source)  # the cursor goes to the end: a warm-up starts there
    room.session.wait_loaded()  # a long file streams in behind its first screen
    return room


def run(
    rounds: int = int(os.environ.get("GHOST_ROUNDS", 5)),
    move_rounds: int = int(os.environ.get("GHOST_MOVE_ROUNDS", 4)),
) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="draftsmith-bench-ghost-"))
    os.environ["DRAFTSMITH_HOME"] = str(home)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    modes = {"on": True, "off": False}
    figures: dict[str, Any] = {"rounds": rounds, "move_rounds": move_rounds, "modes": {}}
    samples: dict[str, dict[str, list[float]]] = {
        m: {"open_first": [], "end_first": [], "end_whole": [], "move_first": [], "stall": []}
        for m in modes
    }
    missed = {m: 0 for m in modes}

    long_text = manuscript(words=20_000, seed=2)
    rooms = {m: _open_room(home, long_text, f"long-{m}", cache) for m, cache in modes.items()}
    probes = {m: Probe(room) for m, room in rooms.items()}
    loaded = rooms["on"].model._backend._llm.context_params  # noqa: SLF001 - the real context
    figures["threads"] = {"prompt": loaded.n_threads_batch, "generation": loaded.n_threads}
    _loop(app, READ_MS)  # the documents just opened (the "on" room warms its end)
    for i in range(rounds + 1):
        for m, room in rooms.items():
            _quiet(app, rooms["off" if m == "on" else "on"])
            result = _suggest_round(app, room, probes[m], TYPED[i % len(TYPED)])
            if result is None:
                missed[m] += 1
            elif i == 0:  # the first pause after the document opened: its own figure
                samples[m]["open_first"].append(result["first_ms"])
            else:
                samples[m]["end_first"].append(result["first_ms"])
                samples[m]["end_whole"].append(result["whole_ms"])
                samples[m]["stall"].append(result["stall_ms"])
            _loop(app, READ_MS)  # reading it (the warm-up grows the prompt meanwhile)
            room.suggestions.dismiss()
    for m, room in rooms.items():
        probes[m].stop()
        room.shutdown()
        room.window.deleteLater()

    big_text = manuscript(chars=1_000_000, seed=3)
    rooms = {m: _open_room(home, big_text, f"big-{m}", cache) for m, cache in modes.items()}
    probes = {m: Probe(room) for m, room in rooms.items()}
    chooser = random.Random(4)
    blocks = rooms["on"].editor.document().blockCount()
    for i in range(move_rounds):
        number = chooser.randrange(0, blocks - 2, 2)  # a paragraph (odd blocks are blank)
        for m, room in rooms.items():
            _quiet(app, rooms["off" if m == "on" else "on"])
            room.show()
            editor = room.editor
            block = editor.document().findBlockByNumber(number)
            cursor = editor.textCursor()
            cursor.setPosition(block.position() + block.length() - 1)
            editor.setTextCursor(cursor)
            _loop(app, MOVE_TO_TYPE_MS)
            result = _suggest_round(app, room, probes[m], TYPED[i % len(TYPED)])
            if result is None:
                missed[m] += 1
            else:
                samples[m]["move_first"].append(result["first_ms"])
                samples[m]["stall"].append(result["stall_ms"])
            room.suggestions.dismiss()
    for m, room in rooms.items():
        probes[m].stop()
        room.shutdown()

    for m in modes:
        figures["modes"][m] = {
            name: distribution(values, 1) if values else None for name, values in samples[m].items()
        }
        figures["modes"][m]["not_offered"] = missed[m]

    def p(mode: str, name: str, q: str) -> float:
        found = figures["modes"][mode][name]
        return float(found[q]) if found else float("nan")

    figures["targets"] = [
        target(
            "pause → first ghost character, 20,000 words, typing at the end (p95)",
            p("on", "end_first", "p95"),
            "ms",
            "≤ 60 ms after the pause delay",
            command=COMMAND,
            peer="the same without warm-ups or the cold prompt",
            peer_value=p("off", "end_first", "p95"),
            limit_value=60,
        ),
        target(
            "pause → first ghost character, another paragraph of 1 MB (p95)",
            p("on", "move_first", "p95"),
            "ms",
            "≤ 400 ms after the pause delay",
            command=COMMAND,
            peer="the same without warm-ups or the cold prompt",
            peer_value=p("off", "move_first", "p95"),
            limit_value=400,
        ),
        target(
            f"whole inline suggestion ({MAX_TOKENS} tokens at most), pause to end (p95)",
            p("on", "end_whole", "p95"),
            "ms",
            "≤ 250 ms",
            command=COMMAND,
            peer="the same without warm-ups or the cold prompt",
            peer_value=p("off", "end_whole", "p95"),
            limit_value=250,
        ),
        target(
            "longest GUI stall while the model generates (p99 of rounds)",
            p("on", "stall", "p99"),
            "ms",
            "≤ 16 ms",
            command=COMMAND,
            peer="the same without warm-ups or the cold prompt",
            peer_value=p("off", "stall", "p99"),
            limit_value=16,
        ),
    ]
    return figures


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
