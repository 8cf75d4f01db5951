"""The right model per task: remote suggestions attributed to their server, long tasks on
their own lane and model, choices kept across restarts, `draftsmith models`, and the
model manager window."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app import messages, paths
from app.model_service import BRAINSTORM, REWRITE, SUGGEST, ModelState
from app.settings import Settings
from assistant.remote import ServerSpec
from tests.assistant.gguf_samples import write_gguf
from tests.conftest import type_text
from tests.model_servers import MODEL_ALIAS, llama_server

pytestmark = pytest.mark.model

PROMPT = "The old lighthouse keeper climbed the stairs every night, and"


@pytest.fixture(scope="module")
def server_url(default_model: Path) -> Iterator[str]:
    with llama_server(default_model) as url:
        yield url


def _room(qtbot):
    from app.writing_room import WritingRoom

    room = WritingRoom(Settings(paths.settings_path()), load_model=False)
    qtbot.addWidget(room.window)
    room.window.set_close_guard(lambda: True)
    room.show()
    return room


def test_a_suggestion_from_a_server_is_attributed_to_it_in_the_saved_file(
    writing_room, qtbot, server_url: str, tmp_path: Path
) -> None:
    spec = ServerSpec(server_url, MODEL_ALIAS)
    writing_room.model.use(SUGGEST, spec.ref)
    qtbot.waitUntil(lambda: writing_room.model.state is ModelState.READY, timeout=60_000)
    assert writing_room.model.author_for(SUGGEST) == writing_room.model.author
    assert "Suggestions: smollm2" in writing_room.window.status.roles_label.toolTip()
    editor = writing_room.editor
    type_text(editor, PROMPT)
    qtbot.waitUntil(lambda: editor.ghost.visible and not editor.ghost.streaming, timeout=60_000)
    ghost = editor.ghost.text
    assert ghost.strip()
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == PROMPT + ghost
    path = tmp_path / "remote.md"
    writing_room.window.ask_save_path = lambda _suggested: str(path)
    assert writing_room.session.save()
    saved = path.read_text(encoding="utf-8").replace("\\:", ":")  # the block escapes colons
    author_line = f"&{MODEL_ALIAS} @ {server_url}"
    assert author_line in saved, "the server and its model are the author"
    line = next(x for x in saved.splitlines() if x.startswith(author_line))
    assert line.split(": ")[-1].strip() == f"{len(PROMPT)},{len(ghost)}"


def test_a_rewrite_in_flight_does_not_hold_up_a_suggestion(
    writing_room, qtbot, default_model: Path
) -> None:
    model = writing_room.model
    model.load(default_model)
    qtbot.waitUntil(lambda: model.state is ModelState.READY, timeout=120_000)
    assert model.lane_for(REWRITE) != model.lane_for(SUGGEST)
    long_tokens: list[float] = []
    long_started = threading.Event()
    outcome: dict[str, object] = {}

    def long_work(m, ctx):
        def token(_piece: str) -> None:
            long_tokens.append(time.perf_counter())
            long_started.set()

        return m.chat(
            [{"role": "user", "content": "Write a long story about a lighthouse."}],
            max_tokens=400,
            on_token=token,
            should_stop=lambda: ctx.cancelled,
        )

    def suggest_work(m, ctx):
        started = time.perf_counter()
        generation = m.complete(PROMPT, max_tokens=8, seed=1)
        return started, time.perf_counter(), generation

    brainstorm = model.run(
        long_work,
        name="brainstorm",
        key="brainstorm",
        task=BRAINSTORM,
        on_success=lambda g: outcome.setdefault("long", (time.perf_counter(), g)),
    )
    assert brainstorm is not None
    qtbot.waitUntil(long_started.is_set, timeout=120_000)
    asked = model.run(
        suggest_work,
        name="suggestion",
        key="suggestion",
        on_success=lambda r: outcome.setdefault("suggest", r),
    )
    assert asked is not None
    qtbot.waitUntil(lambda: "suggest" in outcome, timeout=60_000)
    suggest_started, suggest_ended, _ = outcome["suggest"]  # type: ignore[misc]
    assert "long" not in outcome, "the suggestion did not wait for the brainstorm to end"
    during = [t for t in long_tokens if suggest_started < t < suggest_ended]
    assert len(during) <= 1, "the brainstorm paused between tokens while the suggestion ran"
    assert model.author_for(BRAINSTORM) == model.author, "a second copy of the same file"
    writing_room.runner.cancel("brainstorm")
    qtbot.waitUntil(lambda: brainstorm.done, timeout=60_000)


def test_a_bad_file_for_rewrite_keeps_the_model_that_worked(
    writing_room, qtbot, default_model: Path, tmp_path: Path
) -> None:
    model = writing_room.model
    model.load(default_model)
    qtbot.waitUntil(lambda: model.state is ModelState.READY, timeout=120_000)
    used: list[str] = []

    def work(m, _ctx):
        used.append(m.identity.name)
        return m.identity

    def run_rewrite() -> None:
        done: list[object] = []
        model.run(work, name="rewrite", key="rewrite", task=REWRITE, on_success=done.append)
        qtbot.waitUntil(lambda: bool(done), timeout=120_000)

    run_rewrite()
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"GGUF" + b"\0" * 64)
    model.use(REWRITE, str(bogus))
    run_rewrite()
    assert used == [default_model.stem, default_model.stem]
    shown = [label.text() for label in writing_room.window.messages.findChildren(QLabel)]
    notes = [m.text for m in messages.hub.pending()] + shown
    assert any("Rewrite still uses" in text for text in notes)


def test_each_task_s_choice_survives_a_restart(qtbot, tmp_path: Path, server_url: str) -> None:
    other = write_gguf(tmp_path / "larger.gguf")
    spec = ServerSpec(server_url, MODEL_ALIAS)
    first = _room(qtbot)
    first.model.use(REWRITE, str(other))
    first.model.use(BRAINSTORM, spec.ref)
    first.model.use(SUGGEST, spec.ref)
    qtbot.waitUntil(lambda: first.model.state is ModelState.READY, timeout=60_000)
    first.shutdown()

    second = _room(qtbot)
    try:
        assert second.model.choice(REWRITE) == str(other)
        assert second.model.choice(BRAINSTORM) == spec.ref
        assert second.model.saved_suggestion_ref() == spec.ref
        second.model.start()
        qtbot.waitUntil(lambda: second.model.state is ModelState.READY, timeout=60_000)
        assert second.model.author is not None and server_url in second.model.author.name
    finally:
        second.shutdown()


def test_models_json_lists_every_model_with_its_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from app.cli import main

    home = tmp_path / "account"
    write_gguf(home / ".lmstudio" / "models" / "pub" / "Repo" / "story-Q4_K_M.gguf", context=8192)
    monkeypatch.setenv("HOME", str(home))
    for variable in ("HF_HOME", "HF_HUB_CACHE", "OLLAMA_MODELS", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(variable, raising=False)
    settings = Settings(paths.settings_path())
    settings.set("model_servers", [{"url": "http://10.0.0.2:8080", "model": "big-model"}])

    assert main(["models", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert isinstance(listed, list)
    sources = [entry["source"] for entry in listed]
    assert sources[0] == "bundled" and "lmstudio" in sources and sources[-1] == "remote"
    for entry in listed:
        assert {"name", "source"} <= set(entry)
        assert ("path" in entry) != ("url" in entry)
    lmstudio = next(e for e in listed if e["source"] == "lmstudio")
    assert lmstudio["context_length"] == 8192
    assert lmstudio["quantization"] == "Q4_K_M"
    assert lmstudio["size_bytes"] > 0
    assert lmstudio["path"].endswith("story-Q4_K_M.gguf")
    remote = listed[-1]
    assert remote["url"] == "http://10.0.0.2:8080" and remote["name"] == "big-model"

    assert main(["models"]) == 0
    assert "[lmstudio]" in capsys.readouterr().out


def test_doctor_checks_a_server(server_url: str, capsys) -> None:
    from app.cli import main

    assert main(["doctor", "--server", server_url, "--server-model", MODEL_ALIAS]) == 0
    out = capsys.readouterr().out
    assert "tokens/s" in out and "the server is ready" in out
    assert main(["doctor", "--server", "http://127.0.0.1:9", "--server-model", "x"]) == 1
    assert "Could not reach the server" in capsys.readouterr().out


def test_the_model_manager_lists_checks_and_chooses(writing_room, qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    write_gguf(folder / "helper.gguf", name="Helper")
    writing_room.settings.set("model_folders", [str(folder)])
    window = writing_room.models_window.open(writing_room.window)
    qtbot.waitUntil(lambda: any(r.source == "folder" for r in window.rows), timeout=30_000)
    refs = [r.ref for r in window.rows]
    assert refs[0] == "bundled"
    helper = window.row_for(str(folder / "helper.gguf"))
    assert helper is not None and helper.context and helper.quantization == "Q4_K_M"

    window.check("bundled")
    qtbot.waitUntil(lambda: window.result_text("bundled").startswith(("✓", "✗")), timeout=120_000)
    assert window.result_text("bundled").startswith("✓ wrote")

    assert window.add_server("http://127.0.0.1:9", "far-model", "") == ""
    ref = ServerSpec("http://127.0.0.1:9", "far-model").ref
    qtbot.waitUntil(lambda: window.row_for(ref) is not None, timeout=30_000)
    window.check(ref)
    qtbot.waitUntil(lambda: window.result_text(ref).startswith("✗"), timeout=30_000)
    assert "Could not reach" in window.result_text(ref)

    window.choose(REWRITE, str(folder / "helper.gguf"))
    assert writing_room.model.choice(REWRITE) == str(folder / "helper.gguf")
    assert writing_room.settings["task_models"][REWRITE] == str(folder / "helper.gguf")
    assert "Rewrite: helper" in writing_room.window.status.roles_label.toolTip()

    writing_room.models_window.remove_server(ref)
    qtbot.waitUntil(lambda: window.row_for(ref) is None, timeout=30_000)
    assert writing_room.settings["model_servers"] == []
    window.close()


def test_api_keys_stay_out_of_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    from app import credentials, model_catalog

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    settings = Settings(paths.settings_path())
    note = model_catalog.add_server(settings, "http://host:8080", "m", "sk-secret-123")
    assert "only until Draftsmith quits" in note
    assert credentials.api_key("http://host:8080", "m") == "sk-secret-123"
    assert "sk-secret-123" not in paths.settings_path().read_text(encoding="utf-8")
    model_catalog.remove_server(settings, ServerSpec("http://host:8080", "m").ref)
    assert credentials.api_key("http://host:8080", "m") is None
