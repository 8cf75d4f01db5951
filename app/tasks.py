"""The one way work leaves the GUI thread.

`TaskRunner.submit(work, ...)` runs `work(context)` on a worker thread of a *lane*
(each lane runs one job at a time, in order: the "model" lane serialises model
loading and generation). Results, progress and partial results come back to the
GUI thread through Qt signals; the work itself never touches widgets.

Cancelling is cooperative: `context.cancelled` is checked between tokens, and a
cancelled task reports neither success nor failure. Submitting with a `key` cancels
the previous task with that key (newest input wins).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised by work that notices it was cancelled; never reported as an error."""


class TaskContext:
    """What the work sees: a cancel flag and ways to report progress and partial output."""

    def __init__(self, signals: _TaskSignals, cancel: threading.Event) -> None:
        self._signals = signals
        self._cancel = cancel

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def progress(self, fraction: float, message: str = "") -> None:
        self._signals.progressed.emit(float(fraction), message)

    def partial(self, value: object) -> None:
        self._signals.partial.emit(value)


class _TaskSignals(QObject):
    succeeded = Signal(object)
    failed = Signal(object, str)
    progressed = Signal(float, str)
    partial = Signal(object)
    finished = Signal()


class Task:
    """A submitted piece of work; chain callbacks before it starts running."""

    def __init__(self, name: str, work: Callable[[TaskContext], Any]) -> None:
        self.name = name
        self._work = work
        self._cancel = threading.Event()
        self.signals = _TaskSignals()
        self.done = False

    def on_success(self, callback: Callable[[Any], None]) -> Task:
        self.signals.succeeded.connect(callback)
        return self

    def on_failure(self, callback: Callable[[BaseException, str], None]) -> Task:
        self.signals.failed.connect(callback)
        return self

    def on_progress(self, callback: Callable[[float, str], None]) -> Task:
        self.signals.progressed.connect(callback)
        return self

    def on_partial(self, callback: Callable[[object], None]) -> Task:
        self.signals.partial.connect(callback)
        return self

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _run(self) -> None:
        context = TaskContext(self.signals, self._cancel)
        try:
            result = self._work(context)
        except Cancelled:
            pass
        except BaseException as exc:  # noqa: BLE001 - every failure goes to one handler
            if not self._cancel.is_set():
                self.signals.failed.emit(exc, traceback.format_exc())
        else:
            if not self._cancel.is_set():
                self.signals.succeeded.emit(result)
        finally:
            self.signals.finished.emit()


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._task = task

    def run(self) -> None:
        self._task._run()


class TaskRunner(QObject):
    """Runs tasks on named lanes; one thread per lane, so each lane keeps order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lanes: dict[str, QThreadPool] = {}
        self._keyed: dict[str, Task] = {}
        self._live: set[Task] = set()
        self.default_failure: Callable[[BaseException, str], None] | None = None

    def _lane(self, name: str) -> QThreadPool:
        pool = self._lanes.get(name)
        if pool is None:
            pool = QThreadPool(self)
            pool.setMaxThreadCount(1)
            pool.setExpiryTimeout(-1)
            self._lanes[name] = pool
        return pool

    def submit(
        self,
        work: Callable[[TaskContext], Any],
        *,
        name: str,
        lane: str = "io",
        key: str | None = None,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException, str], None] | None = None,
        on_progress: Callable[[float, str], None] | None = None,
        on_partial: Callable[[object], None] | None = None,
    ) -> Task:
        """Start `work` in the background; with `key`, cancel the previous task of that key."""
        if key is not None and (previous := self._keyed.get(key)) is not None:
            previous.cancel()
        task = Task(name, work)
        if on_success:
            task.on_success(on_success)
        failure = on_failure or self.default_failure
        if failure:
            task.on_failure(failure)
        if on_progress:
            task.on_progress(on_progress)
        if on_partial:
            task.on_partial(on_partial)
        task.signals.finished.connect(lambda: self._forget(task, key))
        self._live.add(task)
        if key is not None:
            self._keyed[key] = task
        self._lane(lane).start(_Runnable(task))
        return task

    def _forget(self, task: Task, key: str | None) -> None:
        task.done = True
        self._live.discard(task)
        if key is not None and self._keyed.get(key) is task:
            del self._keyed[key]

    def cancel(self, key: str) -> None:
        task = self._keyed.get(key)
        if task is not None:
            task.cancel()

    def busy(self) -> bool:
        return bool(self._live)

    def shutdown(self, wait_ms: int = 30000) -> None:
        """Cancel everything and wait for the lanes to drain (called once, on quit)."""
        for task in list(self._live):
            task.cancel()
        for pool in self._lanes.values():
            pool.clear()
            pool.waitForDone(wait_ms)
