"""The memory in the app: the CLI tools, the Memory menu, feedback from suggestion outcomes."""

from __future__ import annotations

import json
from pathlib import Path

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
