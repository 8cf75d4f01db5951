"""Logging to a rotating file in the data folder, and low-level crash traces beside it."""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import sys
from pathlib import Path
from typing import TextIO

_fault_file: TextIO | None = None


class _QuietRotatingHandler(logging.handlers.RotatingFileHandler):
    """A log file that, when the disk fills or the file goes away, says so once on
    stderr instead of printing a traceback for every line (and the app keeps going)."""

    failed = False

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        if not self.failed:
            self.failed = True
            sys.stderr.write(f"Draftsmith: the log {self.baseFilename} cannot be written.\n")


def setup_logging(folder: Path) -> str:
    """Log to `folder/draftsmith.log`; `faulthandler` writes hard crashes (a segfault in
    llama.cpp, say) to `folder/faults.log`. Returns "" or, when the folder cannot be
    written, a plain reason (logging then goes to stderr and the app keeps going)."""
    global _fault_file
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        handler: logging.Handler = _QuietRotatingHandler(
            folder / "draftsmith.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
        if _fault_file is None:
            _fault_file = open(folder / "faults.log", "a", encoding="utf-8")  # noqa: SIM115 - kept open for faulthandler
            faulthandler.enable(file=_fault_file, all_threads=True)
        problem = ""
    except OSError as exc:
        handler = logging.StreamHandler(sys.stderr)
        faulthandler.enable(all_threads=True)
        problem = f"Draftsmith cannot write its log in {folder} ({exc.strerror or exc})."
    handler.setFormatter(formatter)
    root.addHandler(handler)
    return problem
