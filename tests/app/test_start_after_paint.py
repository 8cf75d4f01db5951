"""Start-up order: the window paints first, then the background work starts (the memory,
the spelling dictionaries, the model). `TaskRunner.hold` queues tasks until `release`;
`draftsmith FILE` (`app.main.open_window`) holds the room's runner until the editor's
first paint. Real runner, real window, real library file."""

from __future__ import annotations

import threading
from pathlib import Path

from app.tasks import TaskContext, TaskRunner


def test_held_tasks_wait_for_release_and_then_run_in_order(qtbot) -> None:
    runner = TaskRunner()
    ran: list[str] = []
    lock = threading.Lock()

    def work(name: str):
        def run(_ctx: TaskContext) -> str:
            with lock:
                ran.append(name)
            return name

        return run

    runner.hold()
    assert runner.held
    tasks = [runner.submit(work(f"\u201cjob\u201d {i} \U0001f4dd"), name=str(i)) for i in range(3)]
    qtbot.wait(50)
    assert ran == [] and not any(t.done for t in tasks)
    runner.release()
    assert not runner.held
    qtbot.waitUntil(lambda: all(t.done for t in tasks), timeout=5000)
    assert ran == [f"\u201cjob\u201d {i} \U0001f4dd" for i in range(3)]
    later = runner.submit(work("later"), name="later")  # not held any more: starts at once
    qtbot.waitUntil(lambda: later.done, timeout=5000)
    runner.shutdown()


def test_shutting_down_while_held_finishes_the_held_tasks_without_running_them(qtbot) -> None:
    runner = TaskRunner()
    ran: list[int] = []
    runner.hold()
    task = runner.submit(lambda _ctx: ran.append(1), name="never")
    runner.shutdown()
    assert task.done and task.cancelled and not runner.busy()
    assert ran == []


def test_open_window_starts_the_background_after_the_first_paint(qtbot, tmp_path: Path) -> None:
    from app.main import open_window

    draft = tmp_path / "draft.md"
    draft.write_text("The keeper climbed \u201cslowly\u201d \U0001f56f.\n", encoding="utf-8")
    _app, room = open_window(draft, model_path=None, load_model=False)
    try:
        room.window.set_close_guard(lambda: True)
        assert room.editor.toPlainText() == draft.read_text(encoding="utf-8")
        assert room.runner.held  # nothing in the background before the first paint
        assert room.learning.store is None  # the memory opens behind the window
        qtbot.waitUntil(lambda: not room.runner.held, timeout=5000)  # painted, released
        qtbot.waitUntil(lambda: room.learning.store is not None, timeout=20000)
    finally:
        room.shutdown()
