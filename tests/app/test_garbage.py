"""An open document is frozen out of Python's full collections (`app.garbage`), and
given back to the collector when it closes, so nothing of it is kept for good."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from app import garbage


class _Cycle:
    """Cyclic garbage only a collection frees."""

    def __init__(self) -> None:
        self.me = self
        self.document: object = None


def test_an_open_document_is_left_out_of_full_collections_until_it_closes(
    writing_room, tmp_path: Path, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(garbage, "FREEZE_CHARS", 10)  # these two count as long
    session = writing_room.session
    first, second = tmp_path / "first.md", tmp_path / "second.md"
    first.write_text("The keeper\u2019s first draft.\n", encoding="utf-8")
    second.write_text("Another story.\n", encoding="utf-8")
    gc.unfreeze()
    assert session.open_path(first)
    qtbot.wait_until(lambda: session.bridge is not None)
    assert gc.get_freeze_count() > 0  # the document and the window, frozen
    probe = _Cycle()
    probe.document = session.authored  # the document in a cycle: only a collection frees it
    session.authored.probe = probe  # type: ignore[attr-defined]
    document = weakref.ref(session.authored)
    del probe
    lost = _Cycle()
    kept = weakref.ref(lost)
    del lost  # garbage made after the freeze: collected as ever
    gc.collect()
    assert kept() is None
    assert document() is not None
    assert session.open_path(second)  # the first one closes: thawed
    qtbot.wait_until(lambda: session.bridge is not None)
    assert session.authored is not document()
    gc.collect()
    assert document() is None  # nothing of the closed document kept frozen


def test_a_short_document_freezes_nothing(writing_room, tmp_path: Path, qtbot) -> None:
    gc.unfreeze()
    short = tmp_path / "short.md"
    short.write_text("A few words.\n", encoding="utf-8")
    assert writing_room.session.open_path(short)
    qtbot.wait_until(lambda: writing_room.session.bridge is not None)
    assert gc.get_freeze_count() == 0


def test_long_work_pauses_collections_until_the_last_block_on_any_thread_ends() -> None:
    import threading

    assert gc.isenabled()
    inside = threading.Event()
    leave = threading.Event()

    def lane() -> None:
        with garbage.paused():
            inside.set()
            leave.wait(10)

    worker = threading.Thread(target=lane)
    with garbage.paused():
        assert not gc.isenabled()
        worker.start()
        assert inside.wait(10)
    assert not gc.isenabled(), "the lane's block is still running"
    leave.set()
    worker.join(10)
    assert gc.isenabled()


def test_a_pause_leaves_collections_off_when_they_were_off_already() -> None:
    gc.disable()
    try:
        with garbage.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
