"""Running a start-up script in a fresh Python, as a writer's `draftsmith FILE` would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_start(code: str, draft: Path, home: Path) -> str:
    """Run `code` (it gets `draft` as `sys.argv[1]`) once in a fresh process with the
    library in `home` (created by this start when it is not there yet); it must exit 0.
    Returns its output."""
    env = {
        **os.environ,
        "DRAFTSMITH_HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
        "HF_HUB_OFFLINE": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", code, str(draft)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def run_start_twice(code: str, draft: Path, home: Path) -> str:
    """`run_start` twice with the library in `home`: the first start creates the
    library, the second starts as every later one does. Returns the second one's
    output."""
    run_start(code, draft, home)  # the first start creates the library
    return run_start(code, draft, home)  # a start like every later one
