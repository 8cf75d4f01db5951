"""The message bridge: early messages wait for the window, several show at once, an id
replaces only its own message, and a decision is never pushed out by a notice."""

from __future__ import annotations

import threading

import pytest

from app import messages
from app.messages import Level, MessageHub
from ui.messages import MAX_VISIBLE, MessageStack


def test_messages_before_a_display_wait_for_it() -> None:
    hub = MessageHub()
    hub.warning("The database is damaged.")
    hub.info("Welcome.")
    shown: list[str] = []
    hub.attach(lambda m: shown.append(m.text), lambda _id: None)
    assert shown == ["The database is damaged.", "Welcome."]
    hub.error("Later.")
    assert shown[-1] == "Later."


def test_an_id_replaces_only_its_own_waiting_message() -> None:
    hub = MessageHub()
    hub.error("Model A failed.", id="model")
    hub.warning("Settings not saved.")
    hub.error("Model B failed.", id="model")
    assert [m.text for m in hub.pending()] == ["Settings not saved.", "Model B failed."]
    hub.retract("model")
    assert [m.text for m in hub.pending()] == ["Settings not saved."]


def test_many_early_notices_never_drop_a_decision() -> None:
    hub = MessageHub()
    hub.warning("Choose.", actions=[("Yes", lambda: None)])
    for n in range(200):
        hub.info(f"notice {n}")
    assert any(m.is_decision for m in hub.pending())


def test_a_message_from_another_thread_reaches_the_window(writing_room, qtbot) -> None:
    worker = threading.Thread(target=lambda: messages.warning("From a worker thread."))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: writing_room.window.messages.find_text("From a worker") is not None)


def test_a_damaged_database_warning_survives_the_welcome(qtbot, draftsmith_home) -> None:
    from app import paths
    from app.settings import Settings
    from app.writing_room import WritingRoom

    draftsmith_home.mkdir(parents=True, exist_ok=True)
    paths.database_path().write_bytes(b"this is not a database" * 100)
    room = WritingRoom(Settings(paths.settings_path()), load_model=False)
    qtbot.addWidget(room.window)
    room.window.set_close_guard(lambda: True)
    try:
        stack = room.window.messages
        assert stack.find_text("Welcome") is not None, "first run greets the writer"
        assert stack.find_text("database") is not None, "and the damaged database is still said"
    finally:
        room.shutdown()


@pytest.fixture()
def stack(qtbot) -> MessageStack:
    widget = MessageStack()
    qtbot.addWidget(widget)
    return widget


def test_several_messages_show_at_once_newest_first(stack) -> None:
    stack.show()
    stack.show_message("info", "first")
    stack.show_message("error", "second")
    assert [bar.text for bar in stack.bars] == ["second", "first"]
    assert all(bar.isVisible() for bar in stack.bars)
    assert stack.newest is not None and stack.newest.level == "error"


def test_an_id_replaces_only_its_own_bar(stack) -> None:
    stack.show_message("error", "Model A failed.", message_id="model")
    stack.show_message("info", "Saved.")
    stack.show_message("info", "Model B ready.", message_id="model")
    assert [bar.text for bar in stack.bars] == ["Model B ready.", "Saved."]


def test_notices_never_push_out_a_decision(stack) -> None:
    chosen: list[str] = []
    stack.show_message(
        "warning", "Apply its authorship?", [("Apply Anyway", lambda: chosen.append("apply"))]
    )
    for n in range(MAX_VISIBLE * 3):
        stack.show_message("info", f"notice {n}")
    decision = stack.find_text("Apply its authorship?")
    assert decision is not None, "the decision is still on show"
    assert len(stack.bars) == MAX_VISIBLE
    decision.buttons[0].click()
    assert chosen == ["apply"]
    assert stack.find_text("Apply its authorship?") is None, "choosing closes it"


def test_dismissing_the_last_bar_hides_the_stack(stack) -> None:
    stack.show_message(Level.INFO, "only one")
    assert stack.isVisibleTo(stack.parentWidget() or stack) or stack.bars
    stack.bars[0].dismiss()
    assert not stack.bars and stack.isHidden()


def test_a_long_message_in_a_narrow_window_shows_all_its_lines(writing_room, qtbot) -> None:
    window = writing_room.window
    messages.warning(
        "Draftsmith kept unsaved changes to “a file with a long name.md” from before it "
        "last closed. They are shown now; save to keep them.",
        actions=[("Keep Recovered Text", lambda: None), ("Go Back to the Saved File", print)],
    )
    bar = window.messages.newest
    assert bar is not None
    window.resize(560, 600)
    qtbot.waitUntil(lambda: bar._label.width() < 400)
    qtbot.wait(50)
    needed = bar._label.heightForWidth(bar._label.width())
    assert needed > bar._label.fontMetrics().height() * 1.5, "the text wraps to several lines"
    assert bar._label.height() >= needed, "no line is cut off"
