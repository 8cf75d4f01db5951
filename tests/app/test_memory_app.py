"""The memory in the app: the CLI tools, the Memory menu, feedback from suggestion outcomes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main


def test_memory_cli_adds_lists_exports_and_forgets(
    draftsmith_home: Path, tmp_path: Path, capsys: object
) -> None:
    assert (
        main(
            ["memory", "add", "Captain of the Heron", "--kind", "character", "--name", "Mara Voss"]
        )
        == 0
    )
    assert main(["memory", "add", "British spelling", "--kind", "style"]) == 0
    assert main(["memory", "list", "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()[-1]  # type: ignore[attr-defined]
    listed = json.loads(out)
    assert [m["name"] for m in listed] == ["Mara Voss", ""]
    assert main(["memory", "export", str(tmp_path / "m.json")]) == 0
    assert len(json.loads((tmp_path / "m.json").read_text())["memories"]) == 2
    assert main(["memory", "forget", str(listed[0]["id"])]) == 0
    assert main(["memory", "forget", "999"]) == 1
    assert main(["memory", "forget", "--all"]) == 0
    assert main(["stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out.strip().splitlines()[-1])  # type: ignore[attr-defined]
    assert stats["suggestions"] == 0
    for path in draftsmith_home.iterdir():
        if path.is_file():
            assert b"Mara Voss" not in path.read_bytes()


def test_suggestion_outcomes_become_feedback_and_the_why_view_shows_the_prompt(
    writing_room: object, qtbot: object
) -> None:
    from assistant.alternatives import Outcome, SuggestionOutcome
    from memory.feedback import stats

    room = writing_room
    learning = room.learning  # type: ignore[attr-defined]
    qtbot.wait_until(lambda: learning.store is not None, timeout=10000)  # type: ignore[attr-defined]
    learning.store.add("Captain of the Heron", "character", name="Mara Voss")
    room.suggestions.outcome.emit(  # type: ignore[attr-defined]
        SuggestionOutcome("h", "model", "She sailed.", 1, 1, Outcome.REFUSED, 0)
    )
    qtbot.wait_until(lambda: stats(learning.store)["suggestions"] == 1, timeout=10000)  # type: ignore[attr-defined]

    class Echo:
        identity = __import__("assistant.model", fromlist=["ModelIdentity"]).ModelIdentity("echo")
        context_length = 2048
        has_chat_template = False

        def count_tokens(self, text: str) -> int:
            return len(text) // 4 + 1

    wrapped = room.suggestions.personalize(Echo(), "Mara Voss looked up.")  # type: ignore[attr-defined]
    wrapped.recording.prompt = wrapped.memory.preamble + "Mara Voss looked up."
    room.learning_actions["why"].trigger()  # type: ignore[attr-defined]
    text = room.why_dialog.text  # type: ignore[attr-defined]
    assert "In the prompt:\n  • Mara Voss: Captain of the Heron" in text
    assert text.endswith("Mara Voss looked up.")
    # a prompt only warmed while the writer types is not the suggestion they asked about
    room.suggestions.personalize(Echo(), "The harbour at dusk.", shown=False)  # type: ignore[attr-defined]
    room.learning_actions["why"].trigger()  # type: ignore[attr-defined]
    assert room.why_dialog.text == text  # type: ignore[attr-defined]


def _teach_longer_second(room: object, qtbot: object, places: int = 10) -> None:
    """Places where the writer passed over a short first alternative for a longer second."""
    from assistant.alternatives import Outcome, SuggestionOutcome

    learning = room.learning  # type: ignore[attr-defined]
    for i in range(places):
        short = ["Rain.", "Night fell.", "Quiet 🌙."][i % 3]
        long = f"The tide came in over the black rocks, “slow and grey”, for the {i}th time."
        room.suggestions.outcome.emit(  # type: ignore[attr-defined]
            SuggestionOutcome(
                f"place-{i}", "model", long, 2, 2, Outcome.ACCEPTED, len(long), ((1, short),)
            )
        )
    qtbot.wait_until(  # type: ignore[attr-defined]
        lambda: learning.store.query("SELECT COUNT(*) FROM feedback")[0][0] == 2 * places,
        timeout=10000,
    )


def test_alternatives_are_ranked_by_this_writers_feedback(
    writing_room: object, qtbot: object
) -> None:
    room = writing_room
    learning = room.learning  # type: ignore[attr-defined]
    qtbot.wait_until(lambda: learning.store is not None, timeout=10000)  # type: ignore[attr-defined]
    score = room.suggestions.score_alternatives  # type: ignore[attr-defined]
    texts = ["Dusk.", "The harbour lights came on one by one along the wet “quay” ⚓."]
    before = "She walked down to the harbour. "
    first, second = score(before, texts)
    assert first > second, "with no feedback, the first written comes first"
    _teach_longer_second(room, qtbot)
    shown = learning.store.query("SELECT outcome, rank, text FROM feedback WHERE rank = 1")
    assert {row[0] for row in shown} == {"shown"}, "the passed-over alternatives are kept"
    first, second = score(before, texts)
    assert second > first, "after the feedback, what this writer takes comes first"
    learning.store.set_private(learning.doc_key, True)
    assert score(before, texts) == [0.0, 0.0], "a private document receives nothing"


@pytest.mark.model
def test_the_controller_cycles_alternatives_best_first(
    writing_room: object, qtbot: object, default_model: Path
) -> None:
    from PySide6.QtCore import Qt

    from app.model_service import ModelState
    from tests.app.test_suggestions import PROMPT, wait_for_suggestion
    from tests.conftest import type_text

    room = writing_room
    learning, controller, editor = room.learning, room.suggestions, room.editor  # type: ignore[attr-defined]
    room.model.load(default_model)  # type: ignore[attr-defined]
    qtbot.wait_until(lambda: room.model.state is ModelState.READY, timeout=180_000)  # type: ignore[attr-defined]
    qtbot.wait_until(lambda: learning.store is not None, timeout=10000)  # type: ignore[attr-defined]
    _teach_longer_second(room, qtbot)
    calls: list[tuple[list[str], list[float]]] = []
    real = controller.score_alternatives

    def recorded(before: str, written: list[str]) -> list[float]:
        scores = real(before, written)
        calls.append((list(written), scores))
        return scores

    controller.score_alternatives = recorded
    outcomes: list[object] = []
    controller.outcome.connect(outcomes.append)
    type_text(editor, PROMPT)
    wait_for_suggestion(qtbot, editor)
    qtbot.keyClick(editor, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.AltModifier)
    qtbot.wait_until(
        lambda: len(controller.alternatives) >= 2 and not editor.ghost.streaming,
        timeout=120_000,
    )
    (written, scores), *_ = calls
    assert len(written) == 2 and written[0] != written[1]
    best_first = [t for _, t in sorted(zip(scores, written, strict=True), key=lambda p: -p[0])]
    assert controller.alternatives == best_first
    on_show = controller.alternatives[controller.position[0] - 1]
    assert on_show == written[1], "the one just written stays on show wherever it ranks"
    assert editor.ghost.indicator == f"{controller.position[0]}/2"
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    (record,) = outcomes
    assert record.passed_over == ((1, written[0]),)  # type: ignore[attr-defined]


@pytest.mark.model
def test_accepted_then_rewritten_is_measured_from_the_ledger_and_shown_in_stats(
    writing_room: object, qtbot: object, default_model: Path, tmp_path: Path, capsys: object
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor

    from app.model_service import ModelState
    from tests.app.test_suggestions import PROMPT, wait_for_suggestion
    from tests.conftest import type_text

    room = writing_room
    learning, editor = room.learning, room.editor  # type: ignore[attr-defined]
    path = tmp_path / "story.md"
    path.write_text("A “harbour” story ⚓\n\n", encoding="utf-8")
    assert room.session.open_path(path)  # type: ignore[attr-defined]
    room.model.load(default_model)  # type: ignore[attr-defined]
    qtbot.wait_until(lambda: room.model.state is ModelState.READY, timeout=180_000)  # type: ignore[attr-defined]
    qtbot.wait_until(lambda: learning.store is not None and bool(learning.doc_key), timeout=10000)  # type: ignore[attr-defined]
    editor.moveCursor(QTextCursor.MoveOperation.End)
    type_text(editor, PROMPT)
    ghost = wait_for_suggestion(qtbot, editor)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText().endswith(PROMPT + ghost)
    for _ in range(3):
        qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    assert room.session.save()  # type: ignore[attr-defined]

    def measured() -> bool:
        rows = learning.store.query("SELECT settings FROM feedback")
        return bool(rows) and all("rewritten_chars" in raw for (raw,) in rows)

    qtbot.wait_until(measured, timeout=10000)  # type: ignore[attr-defined]
    capsys.readouterr()  # type: ignore[attr-defined]
    assert main(["stats", "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()[-1]  # type: ignore[attr-defined]
    rewritten = json.loads(out)["rewritten"]
    assert rewritten["measured"] == 1 and rewritten["rewritten"] == 1
    assert rewritten["model_chars"] == len(ghost)
    assert 3 <= rewritten["changed_chars"] <= len(ghost)


def test_a_private_document_in_the_window_learns_nothing_and_receives_nothing(
    writing_room: object, qtbot: object, tmp_path: Path
) -> None:
    from assistant.alternatives import Outcome, SuggestionOutcome
    from memory.feedback import stats
    from memory.memories import VOICE

    room = writing_room
    learning = room.learning  # type: ignore[attr-defined]
    path = tmp_path / "diary.md"
    path.write_text("", encoding="utf-8")
    assert room.session.open_path(path)  # type: ignore[attr-defined]
    qtbot.wait_until(lambda: learning.store is not None and bool(learning.doc_key), timeout=10000)  # type: ignore[attr-defined]
    store = learning.store
    store.add("Captain of the Heron", "character", name="Mara Voss")
    store.replace_voice("another-doc", [("Words I typed in another “story” ✍️, long enough.", {})])
    room.learning_actions["private"].trigger()  # type: ignore[attr-defined]
    qtbot.wait_until(lambda: store.is_private(learning.doc_key), timeout=10000)  # type: ignore[attr-defined]

    class Echo:
        identity = __import__("assistant.model", fromlist=["ModelIdentity"]).ModelIdentity("echo")
        context_length = 2048
        has_chat_template = False

        def count_tokens(self, text: str) -> int:
            return len(text) // 4 + 1

    wrapped = room.suggestions.personalize(Echo(), "Mara Voss looked up at the sky.")  # type: ignore[attr-defined]
    assert "Captain of the Heron" not in wrapped.memory.preamble
    assert "another “story”" not in wrapped.memory.preamble
    room.suggestions.outcome.emit(  # type: ignore[attr-defined]
        SuggestionOutcome("h", "model", "She sailed.", 1, 1, Outcome.REFUSED, 0)
    )
    room.editor.setPlainText("Ivo Brandt waited. Ivo Brandt slept. Ivo Brandt left. " * 3)  # type: ignore[attr-defined]
    assert room.session.save()  # type: ignore[attr-defined]
    drained: list[object] = []  # the memory lane runs one job at a time, in order
    learning.runner.submit(lambda ctx: None, name="drain", lane="memory", on_success=drained.append)
    qtbot.wait_until(lambda: bool(drained), timeout=10000)  # type: ignore[attr-defined]
    assert stats(store)["suggestions"] == 0, "no feedback from a private document"
    assert store.proposals() == [], "no proposals from a private document"
    voice = store.query("SELECT scope_ref FROM memories WHERE kind = ?", [VOICE])
    assert voice == [("another-doc",)], "no voice passages from a private document"
