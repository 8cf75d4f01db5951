"""Background lanes run at a lower CPU priority, and so do the threads llama.cpp starts
there; the model lanes and the GUI thread keep theirs."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from app import tasks
from app.tasks import LOW_PRIORITY_LANES, LOW_PRIORITY_NICE, lower_thread_priority

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice: Linux")


def _nice(tid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, tid)


def _threads() -> dict[int, int]:
    """Every thread of this process: id -> nice value."""
    out = {}
    for name in os.listdir("/proc/self/task"):
        try:
            out[int(name)] = _nice(int(name))
        except OSError:  # ended meanwhile
            pass
    return out


@linux
def test_a_thread_is_lowered_once_and_its_children_inherit_it() -> None:
    base = _nice(threading.get_native_id())
    wanted = min(19, base + LOW_PRIORITY_NICE)
    seen: dict[str, int | None] = {}

    def child() -> None:
        seen["child"] = _nice(threading.get_native_id())

    def worker() -> None:
        seen["first"] = lower_thread_priority()
        seen["second"] = lower_thread_priority()  # again: no further step
        seen["own"] = _nice(threading.get_native_id())
        spawned = threading.Thread(target=child)
        spawned.start()
        spawned.join()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == {"first": wanted, "second": wanted, "own": wanted, "child": wanted}
    assert _nice(threading.get_native_id()) == base  # the calling (GUI) thread is untouched


def test_elsewhere_it_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks.sys, "platform", "darwin")
    result: list[int | None] = []
    before = os.getpriority(os.PRIO_PROCESS, 0) if hasattr(os, "getpriority") else None
    thread = threading.Thread(target=lambda: result.append(lower_thread_priority()))
    thread.start()
    thread.join()
    assert result == [None]
    if before is not None:
        assert os.getpriority(os.PRIO_PROCESS, 0) == before


def test_only_the_background_lanes_are_lowered() -> None:
    from app.learning import EMBED_LANE
    from app.model_service import LANES

    assert EMBED_LANE in LOW_PRIORITY_LANES
    # The model lanes stay: lowered, llama.cpp's two threads shared one core with the
    # GUI thread's idle work (see app.tasks.LOW_PRIORITY_LANES).
    assert not set(LANES.values()) & LOW_PRIORITY_LANES
    assert "io" not in LOW_PRIORITY_LANES and "words" not in LOW_PRIORITY_LANES


@linux
def test_llama_cpp_threads_started_on_a_lowered_lane_inherit_it(qtbot, default_model: Path) -> None:
    """The OpenMP workers llama.cpp starts for its first decode are created from the
    lane's thread (libgomp keeps a pool per calling thread), so they inherit its
    priority; the GUI thread's and the model lane's stay as they were."""
    from app.tasks import TaskRunner
    from assistant.backend import LlamaBackend

    main = threading.get_native_id()
    base = _nice(main)
    wanted = min(19, base + LOW_PRIORITY_NICE)
    before = set(_threads())
    runner = TaskRunner()
    during: dict[int, int] = {}
    lane: list[int] = []
    backend = LlamaBackend()

    def work(_ctx) -> str:
        lane.append(threading.get_native_id())
        backend.load(default_model, n_ctx=512, n_threads=2)

        def look(_piece: str) -> None:
            if not during:  # while llama.cpp's workers are alive: after the first decode
                during.update(_threads())

        return backend.complete(
            "The lighthouse keeper “climbed” the stairs 🌊 and", max_tokens=4, on_token=look
        ).text

    lane_name = sorted(LOW_PRIORITY_LANES)[0]
    results: list[str] = []
    runner.submit(work, name="generate", lane=lane_name, on_success=results.append)
    normal: list[int] = []
    runner.submit(
        lambda _ctx: normal.append(_nice(threading.get_native_id())),
        name="look",
        lane="model",
    )
    try:
        qtbot.waitUntil(lambda: bool(results) and bool(normal), timeout=120_000)
        new = {tid: nice for tid, nice in during.items() if tid not in before}
        lowered = [tid for tid, nice in new.items() if nice == wanted]
        assert lane and lane[0] in lowered, new
        # llama.cpp's second thread (an OpenMP worker) is a thread of its own, lowered too.
        assert len(lowered) >= 2, new
        assert _nice(main) == base
        assert normal == [base]
    finally:
        runner.shutdown()
        backend.close()
