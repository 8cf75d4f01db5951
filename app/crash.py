"""Bugs (as opposed to a missing file or a full disk) end up here, with details to copy."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

log = logging.getLogger("draftsmith.crash")


def install_crash_handler() -> None:
    """Log unexpected exceptions and show them in a dialog the writer can copy from."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("unexpected error\n%s", details)
        show_bug(value, details)

    sys.excepthook = hook


def show_bug(exc: BaseException, details: str) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    if QApplication.instance() is None:
        print(details, file=sys.stderr)
        return
    box = QMessageBox()
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Draftsmith hit a bug")
    box.setText(
        "Something went wrong inside Draftsmith. Your text is still open and journaled; "
        "save it, then please report the details below."
    )
    box.setInformativeText(f"{exc.__class__.__name__}: {exc}")
    box.setDetailedText(details)
    box.exec()
