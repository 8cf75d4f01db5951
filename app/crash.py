"""Bugs (as opposed to a missing file or a full disk) end up here, with details to copy.

`report_bug` is the one door: from the GUI thread, a worker thread or a task, it logs the
traceback and shows the crash dialog on the GUI thread (`BugReporter` hops threads with a
queued Qt signal). Failures the writer must simply be told about (`DraftsmithError`,
`OSError`) never come here: they become messages (see `app.errors`).
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

log = logging.getLogger("draftsmith.crash")

DIALOG_TITLE = "Draftsmith hit a bug"


class BugReporter(QObject):
    """Shows bug reports on the GUI thread, whichever thread found them."""

    reported = Signal(str, str)  # summary, details

    def __init__(self) -> None:
        super().__init__()
        self.reported.connect(self._show)  # queued when emitted from another thread
        self.dialogs: list[QMessageBox] = []

    def report(self, exc: BaseException, details: str) -> None:
        summary = f"{exc.__class__.__name__}: {exc}"
        log.error("unexpected error: %s\n%s", summary, details)
        self.reported.emit(summary, details)

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        if QApplication.instance() is None:
            print(details, file=sys.stderr)
            return
        box = QMessageBox()
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(DIALOG_TITLE)
        box.setText(
            "Something went wrong inside Draftsmith. Your text is still open and journaled; "
            "save it, then please report the details below."
        )
        box.setInformativeText(summary)
        box.setDetailedText(details)
        copy = QPushButton("Copy Details")
        box.addButton(copy, QMessageBox.ButtonRole.ActionRole)
        copy.clicked.disconnect()  # an action button would close the box; copying must not
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(f"{summary}\n\n{details}"))
        box.addButton(QMessageBox.StandardButton.Close)
        box.finished.connect(lambda _result: self._forget(box))
        self.dialogs.append(box)
        box.open()  # not exec(): a bug report must never stall the event loop

    def _forget(self, box: QMessageBox) -> None:
        if box in self.dialogs:
            self.dialogs.remove(box)
        box.deleteLater()


_reporter: BugReporter | None = None


def reporter() -> BugReporter:
    """The process's bug reporter (created on the GUI thread at start-up)."""
    global _reporter
    if _reporter is None:
        _reporter = BugReporter()
    return _reporter


def report_bug(exc: BaseException, details: str | None = None) -> None:
    """Log a bug and show the crash dialog; safe to call from any thread."""
    if details is None:
        details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    reporter().report(exc, details)


def install_crash_handler() -> None:
    """Unexpected exceptions, on the GUI thread or any other, go to `report_bug`."""
    reporter()  # made here, on the GUI thread, so its signal delivers there

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        report_bug(value, "".join(traceback.format_exception(kind, value, tb)))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        where = f"in thread {args.thread.name}\n" if args.thread is not None else ""
        details = "".join(
            traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)
        )
        report_bug(args.exc_value, where + details)

    sys.excepthook = hook
    threading.excepthook = thread_hook
