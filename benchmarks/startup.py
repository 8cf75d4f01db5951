"""Start-up and open, in fresh processes, against a bare PySide6 window, interleaved.

- window visible after `draftsmith FILE` (a short file): the process is started, runs
  `app.main.open_window` (what `draftsmith FILE` runs before the event loop) and one
  pass of the event loop, then says so on stdout; the clock stops when the line arrives.
  The peer is a bare QMainWindow with a QPlainTextEdit holding the same file.
- open a 1 MB Markdown file that Draftsmith saved (with its authorship block) to first
  paint: the same, with that file, until the first slice of its text is in the editor
  (a long file goes in slice by slice, `app.editor_load`: its first screen paints then,
  the rest follows); the peer opens the same file's text.

Run alone: `.venv/bin/python -m benchmarks.startup`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.stats import distribution, target

OURS = """
import os, sys
from pathlib import Path
from app.main import open_window
app, room = open_window(Path(sys.argv[1]), model_path=None, load_model=True)
# A long file goes in slice by slice (`app.editor_load`): until its first screen is in.
while getattr(room.session, "loading", False) and room.editor.document().characterCount() <= 1:
    app.processEvents()
room.window.repaint()
app.processEvents()
print("visible", flush=True)
os._exit(0)
"""

BARE = """
import os, sys
from PySide6.QtWidgets import QApplication, QMainWindow, QPlainTextEdit
app = QApplication(sys.argv)
window = QMainWindow()
editor = QPlainTextEdit()
with open(sys.argv[1], encoding="utf-8") as f:
    editor.setPlainText(f.read())
window.setCentralWidget(editor)
window.resize(1000, 760)
window.show()
window.repaint()
app.processEvents()
print("visible", flush=True)
os._exit(0)
"""


def installed_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh process as an installed Draftsmith runs: with its
    bytecode compiled (pip compiles a wheel's modules when it installs them). A checkout
    run with PYTHONDONTWRITEBYTECODE would recompile every first-party module in every
    process (0.4 s), which no writer's installation does; the bytecode goes to a folder
    of the benchmark's own (PYTHONPYCACHEPREFIX), for the peer's modules as for ours."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPYCACHEPREFIX=str(home / "pycache"), **extra)
    return env


def _until_visible(script: str, file: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-c", script, str(file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("visible"):
                elapsed = time.perf_counter() - started
                break
        else:
            raise RuntimeError("the window never said it was visible")
        child.wait(30)
    return elapsed


def _saved_manuscript(home: Path) -> Path:
    """A 1 MB Markdown file saved by Draftsmith, so it carries its authorship block."""
    code = f"""
import os
from pathlib import Path
from app.main import open_window
from benchmarks.keystroke import manuscript
from memory.events import Author, How, SourceKind
from ui.editor import EditIntent
source = Path({str(home)!r}) / "draft.md"
source.write_text(manuscript(1_000_000, True), encoding="utf-8")
app, room = open_window(source, model_path=None, load_model=False)
room.window.set_close_guard(lambda: True)
editor = room.editor
model = Author(SourceKind.MODEL, "bench", "0" * 64)
cursor = editor.textCursor()
blocks = editor.document().blockCount()
for i in range(1, 200):
    cursor.setPosition(editor.document().findBlockByNumber(i * blocks // 200).position() + 4)
    editor.setTextCursor(cursor)
    editor.insert_as("mx ", EditIntent(How.SUGGESTION, author=model))
room.session.save()
room.shutdown()
os._exit(0)
"""
    env = dict(os.environ, DRAFTSMITH_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    subprocess.run(
        [sys.executable, "-c", code], check=True, env=env, cwd=Path(__file__).parent.parent
    )
    return home / "draft.md"


def run(rounds: int = 5) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="draftsmith-bench-start-"))
    env = installed_env(
        home, DRAFTSMITH_HOME=str(home), QT_QPA_PLATFORM="offscreen", HF_HUB_OFFLINE="1"
    )
    short = home / "short.md"
    short.write_text("The keeper climbed the stairs \u201cslowly\u201d.\n", encoding="utf-8")
    big = _saved_manuscript(home)
    results: dict[str, Any] = {"rounds": rounds}
    targets = []
    for name, file, goal in (
        ("window visible after `draftsmith FILE`", short, "<= 1.5x a bare PySide6 window"),
        ("open a 1 MB Markdown file with its authorship block, to first paint", big,
         "<= 1.5x the bare window opening it"),
    ):  # fmt: skip
        ours, bare = [], []
        _until_visible(OURS, file, env)  # warm the file cache and the bytecode once
        _until_visible(BARE, file, env)
        for _ in range(rounds):
            ours.append(_until_visible(OURS, file, env))
            bare.append(_until_visible(BARE, file, env))
        d, b = distribution(ours), distribution(bare)
        results[name] = {"draftsmith_s": d, "bare_window_s": b}
        targets.append(
            target(
                f"{name} (median)",
                d["median"],
                "s",
                goal,
                command="make bench (benchmarks/startup.py)",
                peer="bare QMainWindow + QPlainTextEdit, same file",
                peer_value=b["median"],
                limit_ratio=1.5,
            )
        )
    results["targets"] = targets
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
