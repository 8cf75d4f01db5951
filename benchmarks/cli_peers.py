"""Whole commands against their peers, interleaved: `draftsmith export --to html` on a
1 MB Markdown file against `python -m markdown` on the same file (both in a fresh
process, as a writer runs them).

Run alone: `.venv/bin/python -m benchmarks.cli_peers`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.startup import installed_env
from benchmarks.stats import distribution, target

PARAGRAPH = (
    "The keeper climbed the *stairs* and watched the sea turn grey \u201cover\u201d the "
    "harbour, counting the boats that had not come back. "
)


def manuscript(size: int = 1_000_000) -> str:
    parts, n, total = [], 0, 0
    while total < size:
        piece = f"## Chapter {n // 40 + 1}\n\n" if n % 40 == 0 else ""
        piece += PARAGRAPH * 4 + "\n\n"
        parts.append(piece)
        total += len(piece)
        n += 1
    return "".join(parts)[:size].rstrip() + "\n"


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def export_html(rounds: int = 5) -> dict[str, Any]:
    home = tempfile.mkdtemp(prefix="draftsmith-bench-export-")
    env = installed_env(Path(home), DRAFTSMITH_HOME=home, QT_QPA_PLATFORM="offscreen")
    source = Path(home) / "manuscript.md"
    source.write_text(manuscript(), encoding="utf-8")
    draftsmith = Path(sys.executable).with_name("draftsmith")
    ours_cmd = [str(draftsmith), "export", str(source), "--to", "html", "--out", f"{home}/out.html"]
    peer_cmd = [sys.executable, "-m", "markdown", "-f", f"{home}/peer.html", str(source)]
    ours, peer = [], []
    _timed(ours_cmd, env)  # the file cache and the bytecode, once each
    _timed(peer_cmd, env)
    for _ in range(rounds):
        ours.append(_timed(ours_cmd, env))
        peer.append(_timed(peer_cmd, env))
    ds, pk = distribution(ours), distribution(peer)
    return {
        "bytes": source.stat().st_size,
        "draftsmith_s": ds,
        "python_markdown_s": pk,
        "targets": [
            target(
                "export --to html, 1 MB (median)",
                ds["median"],
                "s",
                "<= 2x python -m markdown",
                command="draftsmith export FILE --to html --out OUT",
                peer="python -m markdown, same file",
                peer_value=pk["median"],
                limit_ratio=2.0,
            )
        ],
    }


def run() -> dict[str, Any]:
    exported = export_html()
    return {
        "export_html": {k: v for k, v in exported.items() if k != "targets"},
        "targets": exported["targets"],
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
