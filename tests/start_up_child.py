"""Running a start-up script in a fresh Python, as a writer's `draftsmith FILE` would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_start_twice(code: str, draft: Path, home: Path) -> str:
    """Run `code` (it gets `draft` as `sys.argv[1]`) twice in fresh processes with the
    library in `home`: the first start creates the library, the second starts as every
    later one does. Each must exit 0; returns the second one's output."""
    env = {
        **os.environ,
        "DRAFTSMITH_HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
        "HF_HUB_OFFLINE": "1",
    }
    stdout = ""
    for _run in ("the first start creates the library", "a start like every later one"):
        result = subprocess.run(
            [sys.executable, "-c", code, str(draft)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        stdout = result.stdout
    return stdout
