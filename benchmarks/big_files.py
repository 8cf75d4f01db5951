"""Benchmark big text files in the real window: how long opening and saving block it.

Run with `python -m benchmarks.big_files`; prints one JSON object. A Markdown file of
1 MB, 2 MB and 4 MB (War and Peace is 3.2 MB) of paragraphs with curly quotes, accents
and emoji is opened in the offscreen window, one character typed, and saved with its
authorship block; each figure is the time the GUI thread was busy. The save is
`DocumentSession.save`, which waits for the write (what closing and scripts use); Ctrl+S
writes on the "io" lane instead, and its stall of the GUI thread is `python -m
benchmarks.gui_stalls`. Also the idle CPU with the longest line that opens
(`MAX_LINE_CHARS`). Bigger files (`MAX_FILE_BYTES`, 64 MB) and longer lines are refused
with a message.

The 50 MB manuscript (in `run()` unless `BIG_EXPORT=0`) is the CoAuthor corpus's final
texts (straight quotes made curly) as chapters, one chapter in eight with its
writer/model runs from the replay and the others the writer's, written with its
authorship block through `memory.provenance.annotations` (about 59,000 runs):

- `export_50mb` (`python -m benchmarks.big_files export`): `draftsmith export FILE --to
  html` against `python -m markdown` on the same file, each in a fresh process,
  interleaved: wall time and peak RSS (`os.wait4`). "Extra memory" is the export's peak
  RSS less the same command's on a 10 KB manuscript (the interpreter and its imports).
- `window_50mb` (`python -m benchmarks.big_files window`): in a fresh process, the
  offscreen window opens it (File > Open until the whole text is in and its authorship
  attached), then one character is typed and Ctrl+S pressed (until the save is
  recorded): the longest stall of the GUI thread in each (`benchmarks.gui_stalls`'s
  1 ms probe), the seconds to open, and the process's peak RSS.
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

PARAGRAPH = "She said “yes” — and the café 🙂 closed for the night. " * 30 + "\n\n"
CORPUS = Path("/work/shared/corpora/coauthor/sessions")
BIG_BYTES = 50_000_000
EXPORT_COMMAND = "draftsmith export FILE --to html --out OUT"


def _curly(text: str) -> str:
    out, opening = [], True
    for char in text:
        if char == '"':
            out.append("\u201c" if opening else "\u201d")
            opening = not opening
        else:
            out.append("\u2019" if char == "'" else char)
    return "".join(out)


def coauthor_manuscript(size: int) -> tuple[str, list[tuple[int, int, Any]]]:
    """A manuscript of at least `size` characters from the CoAuthor sessions' final
    texts, and its (start, length, author) runs."""
    import itertools

    from memory.coauthor import replay_session
    from memory.events import Author, SourceKind

    writer = Author(SourceKind.PERSON, "Writer")
    model = Author(SourceKind.MODEL, "SmolLM2", "ab" * 32)
    sessions = []
    for path in sorted(CORPUS.glob("*.jsonl*")):
        replay = replay_session(path)
        sessions.append((_curly(replay.final_text).rstrip(), replay.labels))
    parts: list[str] = []
    runs: list[tuple[int, int, Any]] = []
    position = n = 0
    while position < size:
        text, labels = sessions[n % len(sessions)]
        head = f"# Chapter {n + 1}\n\n"
        body = head + text + "\n\n"
        parts.append(body)
        if n % 8 == 0:
            runs.append((position, len(head), writer))
            offset = position + len(head)
            for label, group in itertools.groupby(labels[: len(text)]):
                length = len(list(group))
                runs.append((offset, length, model if label == "m" else writer))
                offset += length
            runs.append((offset, position + len(body) - offset, writer))
        else:
            runs.append((position, len(body), writer))
        position += len(body)
        n += 1
    merged: list[tuple[int, int, Any]] = []
    for start, length, author in runs:
        if length <= 0:
            continue
        if merged and merged[-1][2] == author and merged[-1][0] + merged[-1][1] == start:
            merged[-1] = (merged[-1][0], merged[-1][1] + length, author)
        else:
            merged.append((start, length, author))
    return "".join(parts), merged


def write_manuscript(path: Path, size: int) -> int:
    """`coauthor_manuscript(size)` with its authorship block, to `path`; its run count."""
    from memory.provenance.annotations import write_annotated_markdown
    from memory.provenance.build import record_from_runs

    text, runs = coauthor_manuscript(size)
    record = record_from_runs(text, runs, path.stem, 0.0, "bench")
    path.write_text(write_annotated_markdown(record), encoding="utf-8")
    return len(runs)


_WRITE = (
    "import sys; from pathlib import Path; from benchmarks.big_files import write_manuscript; "
    "print(write_manuscript(Path(sys.argv[1]), int(sys.argv[2]))); "
    "write_manuscript(Path(sys.argv[3]), 10_000)"
)


#: Runs the command in a child of its own and prints that child's peak RSS (KB). Linux
#: starts a child's high-water mark at its parent's size when it forks (and keeps it
#: across exec), so the process measured must be forked from a small one: this
#: launcher, never the benchmark itself (a window with megabytes of text open).
_LAUNCH = (
    "import os, subprocess, sys; p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL); "
    "_, status, usage = os.wait4(p.pid, 0); code = os.waitstatus_to_exitcode(status); "
    "print(usage.ru_maxrss, code); sys.exit(code)"
)


def _measured(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one fresh process."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCH, *command], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"{command[:4]} exited {done.returncode}: {done.stderr[-500:]}")
    peak_kb, _code = done.stdout.split()
    return elapsed, int(peak_kb) / 1024


def export_50mb(rounds: int = 1, size: int = BIG_BYTES, verify: bool = False) -> dict[str, Any]:
    """`draftsmith export --to html` of a 50 MB manuscript against `python -m markdown`."""
    from benchmarks.startup import installed_env
    from benchmarks.stats import distribution, target

    home = Path(tempfile.mkdtemp(prefix="draftsmith-bench-big-"))
    env = installed_env(home, DRAFTSMITH_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    big, small = home / "book.md", home / "small.md"
    # Written by a process of its own: a child's peak RSS counts its parent's at the fork
    # (Linux keeps the high-water mark across exec), so this one stays small.
    made = subprocess.run(
        [sys.executable, "-c", _WRITE, str(big), str(size), str(small)],
        check=True,
        capture_output=True,
        text=True,
    )
    runs = int(made.stdout)
    megabytes = big.stat().st_size / 1_000_000

    def ours(source: Path) -> list[str]:
        out = str(home / f"{source.stem}.html")
        return [
            sys.executable,
            "-m",
            "app.cli",
            "export",
            str(source),
            "--to",
            "html",
            "--out",
            out,
        ]

    def peer(source: Path) -> list[str]:
        out = str(home / f"{source.stem}.peer.html")
        return [sys.executable, "-m", "markdown", "-f", out, str(source)]

    _, base_ours = _measured(ours(small), env)  # bytecode and file cache, once each
    _, base_peer = _measured(peer(small), env)
    times, peaks, peer_times, peer_peaks = [], [], [], []
    for _ in range(rounds):
        seconds, peak = _measured(ours(big), env)
        times.append(seconds)
        peaks.append(peak)
        seconds, peak = _measured(peer(big), env)
        peer_times.append(seconds)
        peer_peaks.append(peak)
    ds, pk = distribution(times), distribution(peer_times)
    extra = max(peaks) - base_ours
    figures: dict[str, Any] = {
        "bytes": big.stat().st_size,
        "runs": runs,
        "draftsmith_s": ds,
        "python_markdown_s": pk,
        "draftsmith_peak_rss_mb": round(max(peaks), 1),
        "draftsmith_small_file_rss_mb": round(base_ours, 1),
        "python_markdown_peak_rss_mb": round(max(peer_peaks), 1),
        "python_markdown_small_file_rss_mb": round(base_peer, 1),
        "extra_mb": round(extra, 1),
    }
    if verify:
        from memory.provenance import verify_file

        started = time.perf_counter()
        result = verify_file(home / "book.html")
        figures["verify"] = {"ok": result.ok, "s": round(time.perf_counter() - started, 1)}
    figures["targets"] = [
        target(
            "export --to html, 50 MB with its authorship block (median)",
            ds["median"],
            "s",
            "<= 3x python -m markdown",
            command=EXPORT_COMMAND,
            peer="python -m markdown, same file",
            peer_value=pk["median"],
            limit_ratio=3.0,
        ),
        target(
            "export --to html, 50 MB: extra memory (peak RSS less a 10 KB file's)",
            extra,
            "MB",
            f"<= 4x the file's size ({4 * megabytes:.0f} MB)",
            command=EXPORT_COMMAND,
            limit_value=4 * megabytes,
        ),
    ]
    return figures


def run() -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DRAFTSMITH_HOME"] = str(Path(tmp) / "home")

        from app.files import MAX_LINE_CHARS

        app, room = _offscreen_room()
        settle = _settle
        figures: dict[str, Any] = {}
        for size in (1_048_576, 2 * 1_048_576, 4 * 1_048_576 - 65_536):
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
    if os.environ.get("BIG_EXPORT", "1") != "0":
        exported = export_50mb()
        figures["export_50mb"] = {k: v for k, v in exported.items() if k != "targets"}
        shown = window_50mb()
        figures["window_50mb"] = {k: v for k, v in shown.items() if k != "targets"}
        figures["targets"] = exported["targets"] + shown["targets"]
    return figures


_WINDOW = (
    "import json, sys; from pathlib import Path; from benchmarks.big_files import _in_window; "
    "Path(sys.argv[2]).write_text(json.dumps(_in_window(Path(sys.argv[1]))))"
)


def window_50mb(size: int = BIG_BYTES) -> dict[str, Any]:
    """The 50 MB manuscript opened and saved (Ctrl+S) in the window, in a fresh process:
    the GUI thread's longest stall in each."""
    from benchmarks.startup import installed_env
    from benchmarks.stats import target

    home = Path(tempfile.mkdtemp(prefix="draftsmith-bench-window-"))
    env = installed_env(home, DRAFTSMITH_HOME=str(home / "home"), QT_QPA_PLATFORM="offscreen")
    book = home / "book.md"
    subprocess.run(
        [sys.executable, "-c", _WRITE, str(book), str(size), str(home / "small.md")],
        check=True,
        capture_output=True,
        text=True,
    )
    out = home / "figures.json"  # the launcher keeps the child's stdout to itself
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCH, sys.executable, "-c", _WINDOW, str(book), str(out)],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"the 50 MB window run exited {done.returncode}: {done.stderr[-800:]}")
    figures: dict[str, Any] = json.loads(out.read_text())
    figures["peak_rss_mb"] = round(int(done.stdout.split()[0]) / 1024, 1)
    command = "python -m benchmarks.big_files window"
    figures["targets"] = [
        target(
            f"50 MB manuscript: {what}, longest GUI stall",
            figures[key],
            "ms",
            "<= 50 ms",
            command=command,
            limit_value=50.0,
        )
        for what, key in (("open", "open_longest_stall_ms"), ("Ctrl+S", "save_longest_stall_ms"))
    ]
    return figures


def _in_window(path: Path) -> dict[str, Any]:
    """In the measuring process: open `path` in the offscreen window, type a character,
    press Ctrl+S; the longest stalls and the seconds to open."""
    from benchmarks.gui_stalls import stall_until_loaded, stall_until_saved

    app, room = _offscreen_room()
    settle = _settle
    settle(300)
    started = time.perf_counter()
    opening = stall_until_loaded(room.session, path)
    opened_s = time.perf_counter() - started
    settle(3000)  # what the open set going (styling, the word count) settles
    room.editor.insertPlainText("x")
    saving = stall_until_saved(room.session)
    settle(1000)
    room.session.new_document()
    room.shutdown()
    app.processEvents()
    return {
        "bytes": path.stat().st_size,
        "open_longest_stall_ms": round(opening, 1),
        "open_s": round(opened_s, 1),
        "save_longest_stall_ms": round(saving, 1),
    }


def _offscreen_room() -> tuple[Any, Any]:
    """The application and a shown writing room without a model (offscreen)."""
    from PySide6.QtWidgets import QApplication

    from app import paths
    from app.settings import Settings
    from app.writing_room import WritingRoom

    app = QApplication.instance() or QApplication([])
    room = WritingRoom(Settings(paths.settings_path()), load_model=False)
    room.window.set_close_guard(lambda: True)
    room.show()
    return app, room


def _settle(ms: int) -> None:
    """Let the event loop run for `ms`."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


if __name__ == "__main__":
    if sys.argv[1:2] == ["export"]:
        print(json.dumps(export_50mb(verify="--verify" in sys.argv), indent=2))
    elif sys.argv[1:2] == ["window"]:
        print(json.dumps(window_50mb(), indent=2))
    else:
        print(json.dumps(run(), indent=2))
