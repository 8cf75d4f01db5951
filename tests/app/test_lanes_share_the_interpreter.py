"""A lane's thread lets the GUI thread have the interpreter's lock back within
`SWITCH_INTERVAL_S` (PySide6 gives the lock up around every call into Qt, so with
Python's default 5 ms a GUI slice waited that long per call while a lane ran Python).
Real runner, real lane thread."""

from __future__ import annotations

import sys

import pytest

from app.tasks import SWITCH_INTERVAL_S, TaskRunner, share_the_interpreter


@pytest.fixture
def default_interval():
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)  # Python's default, as in a fresh process
    yield
    sys.setswitchinterval(before)


def test_the_first_lane_shortens_the_switch_interval(qtbot, default_interval) -> None:
    runner = TaskRunner()
    assert sys.getswitchinterval() == pytest.approx(0.005)
    task = runner.submit(lambda _ctx: "“done” 📝", name="first", lane="io")
    qtbot.waitUntil(lambda: task.done, timeout=5000)
    assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S)
    runner.shutdown()


def test_a_shorter_interval_set_elsewhere_is_kept(default_interval) -> None:
    sys.setswitchinterval(SWITCH_INTERVAL_S / 4)
    share_the_interpreter()
    assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S / 4)
