"""SIGTERM and SIGINT (Ctrl+C in a terminal, a session logging out) close Draftsmith
cleanly: the journal is flushed, the model released, the database closed.

Python runs signal handlers only between bytecodes, and Qt's event loop runs in C++, so
the handler would wait for the next Python callback. On POSIX a socket pair wakes Qt at
once (`signal.set_wakeup_fd` + `QSocketNotifier`, as qutebrowser does); elsewhere a
short timer lets Python look in.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

log = logging.getLogger(__name__)


class InterruptHandler(QObject):
    """Turns SIGTERM/SIGINT into one call of `on_signal(signum)` on the GUI thread."""

    def __init__(self, on_signal: Callable[[int], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_signal = on_signal
        self._pending: list[int] = []
        self._previous: dict[int, object] = {}
        self._sockets: tuple[socket.socket, socket.socket] | None = None
        self._notifier: QSocketNotifier | None = None
        self._timer: QTimer | None = None
        self._old_wakeup = -1

    def install(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            self._previous[signum] = signal.signal(signum, self._handle)
        if os.name == "posix":
            read, write = socket.socketpair()
            read.setblocking(False)
            write.setblocking(False)
            self._sockets = (read, write)
            self._old_wakeup = signal.set_wakeup_fd(write.fileno(), warn_on_full_buffer=False)
            self._notifier = QSocketNotifier(read.fileno(), QSocketNotifier.Type.Read, self)
            self._notifier.activated.connect(self._drain)
        else:
            self._timer = QTimer(self)
            self._timer.timeout.connect(self._dispatch)
            self._timer.start(250)

    def uninstall(self) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)  # type: ignore[arg-type]  # a saved handler
        self._previous.clear()
        if self._sockets is not None:
            signal.set_wakeup_fd(self._old_wakeup)
            if self._notifier is not None:
                self._notifier.setEnabled(False)
            for sock in self._sockets:
                sock.close()
            self._sockets = None
        if self._timer is not None:
            self._timer.stop()

    def _handle(self, signum: int, _frame: object) -> None:
        self._pending.append(signum)
        if self._timer is None and self._sockets is None:
            self._dispatch()

    def _drain(self) -> None:
        if self._sockets is not None:
            try:
                while self._sockets[0].recv(64):
                    pass
            except (BlockingIOError, OSError):
                pass
        self._dispatch()

    def _dispatch(self) -> None:
        while self._pending:
            signum = self._pending.pop(0)
            log.info("received %s: closing", signal.Signals(signum).name)
            self._on_signal(signum)
