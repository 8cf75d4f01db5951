"""The memory panel: what was learned, with its evidence, all of it the writer's to add,
edit, pin, forget, accept or dismiss, through the real window and a real database."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ui.memory_panel import MemoryDraft, describe_evidence


def _open_panel(room, qtbot):
    learning = room.learning
    qtbot.waitUntil(lambda: learning.store is not None, timeout=15_000)
    room.learning_actions["panel"].trigger()
    panel = room.memory_panel
    qtbot.waitUntil(panel.isVisible, timeout=5_000)
    return learning, panel


def _labels(panel) -> list[str]:
    return [panel.tree.topLevelItem(i).text(0) for i in range(panel.tree.topLevelItemCount())]


def test_add_edit_pin_and_forget_from_the_panel(writing_room, qtbot) -> None:
    learning, panel = _open_panel(writing_room, qtbot)
    assert "Nothing remembered yet" in panel.status.text()
    panel.add_requested.emit(
        MemoryDraft("character", "Captain of the Heron", "Mara Voss", "captain", "everywhere")
    )
    qtbot.waitUntil(lambda: _labels(panel) == ["Mara Voss: Captain of the Heron"], timeout=10_000)
    memory_id = panel.tree.topLevelItem(0).data(0, Qt.ItemDataRole.UserRole)
    assert describe_evidence(learning.store.get(memory_id)) == "you added it"

    panel.edit_requested.emit(
        memory_id, MemoryDraft("character", "Captain of the Kestrel", "Mara Voss", "", "everywhere")
    )
    qtbot.waitUntil(lambda: _labels(panel) == ["Mara Voss: Captain of the Kestrel"], timeout=10_000)
    history = learning.store.get(memory_id).history or learning.store.history(memory_id)
    assert [change.text for change in history] == ["Captain of the Heron"], "kept as history"

    panel.pin_requested.emit(memory_id, True)
    qtbot.waitUntil(lambda: _labels(panel)[0].startswith("📌"), timeout=10_000)
    assert learning.store.get(memory_id).pinned

    panel.delete_requested.emit(memory_id)
    qtbot.waitUntil(lambda: _labels(panel) == [], timeout=10_000)


def test_search_filters_and_proposals_are_accepted_or_dismissed(writing_room, qtbot) -> None:
    learning, panel = _open_panel(writing_room, qtbot)
    store = learning.store
    store.add("No exclamation marks", kind="style")
    store.add("A lighthouse on a cliff", kind="place", name="Skerry Light")
    keep = store.propose("Mara Voss", "character", name="Mara Voss")
    drop = store.propose("Old Tom", "character", name="Old Tom")
    assert keep is not None and drop is not None
    learning.changed.emit()
    qtbot.waitUntil(lambda: panel.proposals.count() == 2 and len(_labels(panel)) == 2)
    panel.search.setText("lighthouse")
    qtbot.waitUntil(lambda: _labels(panel) == ["Skerry Light: A lighthouse on a cliff"])
    panel.search.setText("")
    qtbot.waitUntil(lambda: len(_labels(panel)) == 2)

    panel.accept_requested.emit(keep.id)
    panel.dismiss_requested.emit(drop.id)
    qtbot.waitUntil(lambda: panel.proposals.count() == 0 and len(_labels(panel)) == 3)
    assert "Mara Voss: Mara Voss" in _labels(panel)
    assert not panel.proposals.isVisibleTo(panel)
