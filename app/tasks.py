"""The one way work leaves the GUI thread.

`TaskRunner.submit(work, ...)` runs `work(context)` on a worker thread of a *lane*
(each lane runs one job at a time, in order: the "model" lane serialises model
loading and generation). Results, progress and partial results come back to the
GUI thread through Qt signals; the work itself never touches widgets.

Cancelling is cooperative: `context.cancelled` is checked between tokens, and a
cancelled task reports neither success nor failure. Submitting with a `key` cancels
the previous task with that key (newest input wins).

Failures come in two kinds (`app.errors`): a `DraftsmithError` or `OSError` goes to the
task's `on_failure` (or the runner's `on_problem`, which tells the writer); anything else
is a bug: the task's `on_failure` still runs (to put its state right), and the runner's
`on_bug` reports it (log and crash dialog).

Background lanes (`LOW_PRIORITY_LANES`: the embedder's batches) run at a lower CPU
priority on Linux (`lower_thread_priority`); the threads llama.cpp's OpenMP starts from
such a lane inherit it.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.errors import is_expected

log = logging.getLogger(__name__)

#: Lanes whose thread runs at a lower CPU priority (see `lower_thread_priority`): the
#: embedder's background batches, which neither the writer nor a suggestion waits for.
#: Not the model lanes: llama.cpp's two OpenMP threads meet at a barrier at every step
#: of the graph, and on two cores a lowered pair gave way to the GUI thread's idle work
#: (styling a just-opened text) by sharing one core, each barrier then waiting for a
#: time slice: a suggestion's first text went from 0.4-0.5 s to 1.7-25 s on the loaded
#: machine (docs/performance.md, issue 12).
LOW_PRIORITY_LANES = frozenset({"embedding"})
#: How much nicer than the rest of the process those lanes run (Linux nice steps: at
#: +10 a busy thread gets about a tenth of a core's time against a thread at +0 that
#: wants it, and the GUI thread is scheduled ahead of it when it wakes). With Linux's
#: autogroups (on by default) a session's threads share one weight against other
#: programs, so this moves time inside the app, not from other programs to it.
LOW_PRIORITY_NICE = 10
#: How long a lane's thread may keep the interpreter's lock while the GUI thread asks
#: for it (`sys.setswitchinterval`; Python's default is 5 ms). PySide6 lets go of the
#: lock around its calls into Qt, so a GUI slice that makes a hundred of them (styling
#: paragraphs, putting a long text in) waited up to 5 ms for each one to come back
#: while a lane worked in Python: with 50 MB opening, slices of 1 ms of CPU took
#: 40-60 ms and the window stalled for 230 ms. At 1 ms the same open stalls about 70-80 ms
#: at most, half as often (docs/performance.md, "GIL convoys").
SWITCH_INTERVAL_S = 0.001


def share_the_interpreter() -> None:
    """Let a lane's thread hold the interpreter's lock for at most `SWITCH_INTERVAL_S`
    when another thread waits for it (never longer than Python's own setting)."""
    if sys.getswitchinterval() > SWITCH_INTERVAL_S:
        sys.setswitchinterval(SWITCH_INTERVAL_S)


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


def lower_thread_priority(step: int = LOW_PRIORITY_NICE) -> int | None:
    """Make the calling thread (and the threads it starts from now on, such as the
    OpenMP workers llama.cpp's first decode creates) `step` nicer than the process's
    main thread; returns the thread's nice value, or None where this does nothing.
    Calling it again on the same thread changes nothing.

    Linux only: there the nice value belongs to each thread (`setpriority` on the
    thread's id) and a new thread inherits its creator's. Elsewhere `PRIO_PROCESS`
    would lower the whole process, the GUI thread included, so this is a no-op. An
    unprivileged process cannot raise a priority again, so call it only on a thread
    that is dedicated to background work for its whole life (a lane's thread)."""
    if not sys.platform.startswith("linux") or not hasattr(os, "setpriority"):
        return None
    tid = threading.get_native_id()
    try:
        # The main thread's id is the process id: the priority the GUI thread runs at.
        wanted = min(19, os.getpriority(os.PRIO_PROCESS, os.getpid()) + max(0, step))
        current = os.getpriority(os.PRIO_PROCESS, tid)
        if current < wanted:
            os.setpriority(os.PRIO_PROCESS, tid, wanted)
            return wanted
    except OSError as exc:  # a sandbox that forbids it: run at the normal priority
        log.info("could not lower the priority of a background thread: %s", exc)
        return None
    return current


class _Runnable(QRunnable):
    def __init__(self, task: Task, low_priority: bool = False) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._task = task
        self._low_priority = low_priority

    def run(self) -> None:
        if self._low_priority:
            lower_thread_priority()
        self._task._run()


FailureHandler = Callable[[BaseException, str], None]
T = TypeVar("T")


class TaskRunner(QObject):
    """Runs tasks on named lanes; one thread per lane, so each lane keeps order."""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        on_problem: FailureHandler | None = None,
        on_bug: FailureHandler | None = None,
    ) -> None:
        super().__init__(parent)
        self._lanes: dict[str, QThreadPool] = {}
        self._keyed: dict[str, Task] = {}
        self._live: set[Task] = set()
        self._on_problem = on_problem
        self._on_bug = on_bug
        self._held: list[tuple[str, Task]] | None = None  # see hold()

    def _lane(self, name: str) -> QThreadPool:
        pool = self._lanes.get(name)
        if pool is None:
            share_the_interpreter()  # a thread that runs Python beside the GUI thread
            pool = QThreadPool(self)
            pool.setMaxThreadCount(1)
            pool.setExpiryTimeout(-1)
            self._lanes[name] = pool
        return pool

    def submit(
        self,
        work: Callable[[TaskContext], T],
        *,
        name: str,
        lane: str = "io",
        key: str | None = None,
        on_success: Callable[[T], None] | None = None,
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
        task.on_failure(lambda exc, details: self._failed(exc, details, on_failure))
        if on_progress:
            task.on_progress(on_progress)
        if on_partial:
            task.on_partial(on_partial)
        task.signals.finished.connect(lambda: self._forget(task, key))
        self._live.add(task)
        if key is not None:
            self._keyed[key] = task
        if self._held is not None:
            self._held.append((lane, task))
        else:
            self._start(lane, task)
        return task

    def hold(self) -> None:
        """Queue new tasks instead of starting them until `release()` (at start-up, so
        the window paints before background work competes with it for the CPU)."""
        if self._held is None:
            self._held = []

    @property
    def held(self) -> bool:
        """Whether new tasks are being queued (see `hold`)."""
        return self._held is not None

    def release(self) -> None:
        """Start the tasks queued since `hold()`, in order; later ones start at once."""
        held, self._held = self._held or [], None
        for lane, task in held:
            self._start(lane, task)

    def _start(self, lane: str, task: Task) -> None:
        self._lane(lane).start(_Runnable(task, low_priority=lane in LOW_PRIORITY_LANES))

    def _failed(self, exc: BaseException, details: str, on_failure: FailureHandler | None) -> None:
        """Route a failure: the task's own handler first, then problem or bug."""
        if on_failure is not None:
            on_failure(exc, details)
        if is_expected(exc):
            if on_failure is None and self._on_problem is not None:
                self._on_problem(exc, details)
        elif self._on_bug is not None:
            self._on_bug(exc, details)
        else:
            log.error("bug in a background task: %s\n%s", exc, details)

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
        held, self._held = self._held or [], None
        for _lane, task in held:  # cancelled before they started: they only finish
            task.signals.finished.emit()
        for pool in self._lanes.values():
            pool.clear()
            pool.waitForDone(wait_ms)
