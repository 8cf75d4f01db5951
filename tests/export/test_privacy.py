"""Privacy: a whole session (open, type, a suggestion from the real bundled model, save,
export, learn) runs with the network blocked, and exports carry only the text and its
authorship: no prompts, memories, file paths or user names beyond the authors."""

from __future__ import annotations

import getpass
import re
import socket
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.model_service import ModelState
from resources import read_text
from tests.conftest import type_text

pytestmark = [pytest.mark.model]

CLOSING = (
    "The sea below was grey and patient, and the wind carried salt up the stairs. "
    "She did not look down, and she did not hurry, because the lamp would wait for her.\n"
)
MEMORY = "Captain of the Heron, afraid of deep water"
OPENING = (
    "Elin Hart climbed to the lantern room with Mara Voss. Elin Hart counted the steps, "
    "and Elin Hart"
)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open an internet socket fails, and is remembered."""
    attempts: list[str] = []
    real_socket = socket.socket

    class GuardedSocket(real_socket):  # type: ignore[misc, valid-type]
        def __init__(self, family=socket.AF_INET, *args, **kwargs):
            if family in (socket.AF_INET, socket.AF_INET6):
                attempts.append(f"socket({family!r})")
                raise OSError("network access is blocked in this test")
            super().__init__(family, *args, **kwargs)

    def refuse(name):
        def blocked(*args, **kwargs):
            attempts.append(f"{name}{args[:1]}")
            raise OSError("network access is blocked in this test")

        return blocked

    monkeypatch.setattr(socket, "socket", GuardedSocket)
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    return attempts


def exported_files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.is_file()}


def visible_and_data(content: str) -> str:
    """A page without its style sheet (whose `:root` is CSS, not a user name)."""
    return re.sub(r"<style>.*?</style>", "", content, flags=re.DOTALL)


def test_a_whole_session_runs_offline_and_exports_only_the_text(
    no_network, writing_room, qtbot, default_model, tmp_path, draftsmith_home
):
    room = writing_room
    learning = room.learning
    qtbot.waitUntil(lambda: learning.store is not None, timeout=30_000)
    learning.store.add(MEMORY, "character", name="Mara Voss")

    draft = tmp_path / "private folder" / "lighthouse.md"
    draft.parent.mkdir()
    draft.write_text("# The lighthouse\n\n", encoding="utf-8")
    assert room.session.open_path(draft)

    room.model.load(default_model)
    qtbot.waitUntil(lambda: room.model.state is ModelState.READY, timeout=120_000)
    editor = room.editor
    cursor = editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    type_text(editor, OPENING)
    qtbot.waitUntil(lambda: editor.ghost.visible and not editor.ghost.streaming, timeout=60_000)
    ghost = editor.ghost.text
    assert ghost.strip()
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    type_text(editor, " “Enough,” she said. 😀\n\n" + CLOSING)

    assert room.session.save()
    # Learning from the saved text keeps passages of the writer's own voice (offline too).
    qtbot.waitUntil(
        lambda: any(m.kind == "voice" for m in learning.store.memories(status=None)),
        timeout=60_000,
    )

    out = tmp_path / "exports"
    out.mkdir()
    for fmt, suffix in (
        ("markdown", ".md"),
        ("html", ".html"),
        ("report-html", ".report.html"),
        ("prov", ".prov.json"),
        ("pdf", ".pdf"),
    ):
        with qtbot.waitSignal(room.exported, timeout=60_000):
            assert room.export_document(fmt, suffix, out / f"lighthouse{suffix}") is not None
    assert not no_network, no_network

    (out / "lighthouse.pdf").unlink()  # binary; its text is the printable HTML's
    files = exported_files(out)
    assert set(files) == {
        "lighthouse.md",
        "lighthouse.md.manifest.json",
        "lighthouse.html",
        "lighthouse.report.html",
        "lighthouse.prov.json",
    }
    secrets = [
        MEMORY,
        "afraid of deep water",
        str(tmp_path),
        "private folder",
        str(draftsmith_home),
        str(Path.home()) + "/",
        read_text("prompts/brainstorm_system.txt").strip()[:40],
        read_text("prompts/rewrite_system.txt").strip()[:40],
    ]
    user = getpass.getuser()
    writer = room.settings.writer_name
    assert OPENING in files["lighthouse.md"] and OPENING in files["lighthouse.html"]
    assert "(a language model)" in files["lighthouse.html"]  # the suggestion is credited
    for name, content in files.items():
        shown = visible_and_data(content)
        for secret in secrets:
            assert secret not in shown, (name, secret)
        if user and user != writer and len(user) > 2:
            assert not re.search(rf"\b{re.escape(user)}\b", shown), (name, user)
