"""The co-writer's tools with the real bundled model, through the real window:
alternatives, partial accept by sentence, rewrite as an inline diff, brainstorm."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.model_service import ModelState
from assistant.alternatives import Outcome
from assistant.word_diff import apply_hunks
from memory.events import How
from tests.app.test_authorship_editor import kinds
from tests.app.test_suggestions import wait_for_suggestion
from tests.conftest import type_text
from ui.editor import SuggestionKey

pytestmark = pytest.mark.model

PROMPT = "The old lighthouse keeper climbed the stairs every night, and"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "coauthor"
GRAMMAR = "the old man walk to the sea every morning and he dont like the cold wind."


@pytest.fixture()
def room(writing_room, qtbot, default_model: Path):
    writing_room.model.load(default_model)
    qtbot.waitUntil(lambda: writing_room.model.state is ModelState.READY, timeout=180_000)
    return writing_room


def hows(room) -> set[How]:
    document = room.session.authored
    return {document.events[seq].how for _n, seq in document.segments(0, len(document.text))}


# --- alternatives ------------------------------------------------------------------------
def test_cycle_alternatives_and_accept_the_second(room, qtbot) -> None:
    editor, controller = room.editor, room.suggestions
    outcomes = []
    controller.outcome.connect(outcomes.append)
    type_text(editor, PROMPT)
    first = wait_for_suggestion(qtbot, editor)
    assert controller.position == (1, 1)
    qtbot.keyClick(editor, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(
        lambda: controller.position[1] >= 2 and not editor.ghost.streaming, timeout=120_000
    )
    assert controller.position == (2, 2)
    second = editor.ghost.text
    assert second and second != first
    assert editor.ghost.indicator == "2/2"
    qtbot.keyClick(editor, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.AltModifier)
    assert controller.position == (1, 2) and editor.ghost.text == first
    qtbot.keyClick(editor, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.AltModifier)
    assert editor.ghost.text == second, "the second is kept, not generated again"
    assert editor.toPlainText() == PROMPT, "switching alternatives never changes the text"
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == PROMPT + second
    assert kinds(room) == "h" * len(PROMPT) + "m" * len(second)
    (record,) = outcomes
    assert record.outcome is Outcome.ACCEPTED and record.rank == 2 and record.shown == 2
    assert record.text == second and record.accepted_chars == len(second)
    assert record.model.startswith("model:")


def test_previous_with_one_alternative_lets_the_key_through(room, qtbot) -> None:
    editor = room.editor
    type_text(editor, PROMPT)
    wait_for_suggestion(qtbot, editor)
    assert not room.suggestions.suggestion_key(SuggestionKey.PREVIOUS)


def test_escape_records_a_refusal(room, qtbot) -> None:
    editor, controller = room.editor, room.suggestions
    outcomes = []
    controller.outcome.connect(outcomes.append)
    type_text(editor, PROMPT)
    wait_for_suggestion(qtbot, editor)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert [o.outcome for o in outcomes] == [Outcome.REFUSED]
    assert controller.history[-1].rank == 1


def test_partial_accept_by_sentence(room, qtbot) -> None:
    editor, controller = room.editor, room.suggestions
    room.settings._values["suggestion_max_sentences"] = 2
    room.settings._values["suggestion_max_tokens"] = 64
    for prompt in (
        "It was raining again. She closed the window",
        "The meeting ended late. Everyone went home",
        "He opened the old box",
    ):
        editor.clear()
        type_text(editor, prompt)
        ghost = wait_for_suggestion(qtbot, editor)
        sentence = editor.ghost.next_sentence()
        if sentence != ghost:
            break
    else:
        pytest.fail("the model never suggested two sentences")
    qtbot.keyClick(editor, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() == prompt + sentence
    assert editor.ghost.visible and editor.ghost.text == ghost[len(sentence) :]
    assert kinds(room) == "h" * len(prompt) + "m" * len(sentence)
    assert How.PARTIAL in hows(room)
    assert controller.showing == ghost[len(sentence) :]


# --- rewrite -----------------------------------------------------------------------------
def start_rewrite(room, qtbot, text: str = GRAMMAR, instruction: str = "Fix grammar and spelling"):
    from assistant.rewrite import CHOICES

    editor = room.editor
    editor.insertPlainText(text)
    assert kinds(room) == "h" * len(text)
    ready = []
    room.rewrite.ready.connect(ready.append)
    assert room.rewrite.start(CHOICES[instruction], 0, len(text))
    assert room.rewrite.view.isVisible()
    qtbot.waitUntil(lambda: bool(ready), timeout=180_000)
    review = room.rewrite.review
    assert review is not None and review.hunks
    assert editor.toPlainText() == text, "nothing changes until the writer decides"
    shown = room.rewrite.view.toPlainText()
    for hunk in review.hunks:
        assert hunk.old in shown and hunk.new in shown, "removed and added words both show"
    return review


def expected_kinds(original: str, kept) -> str:
    out, position = [], 0
    for hunk in sorted(kept, key=lambda h: h.start):
        out.append("h" * (hunk.start - position))
        out.append("m" * len(hunk.new))
        position = hunk.end
    out.append("h" * (len(original) - position))
    return "".join(out)


def test_rewrite_keep_one_hunk_refuse_another(room, qtbot) -> None:
    review = start_rewrite(room, qtbot)
    hunks = list(review.hunks)
    if len(hunks) < 2:
        pytest.fail(f"the rewrite changed only one stretch: {hunks}")
    view = room.rewrite.view
    qtbot.keyClick(view, Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)  # keep the first
    qtbot.keyClick(view, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # refuse the second
    if room.rewrite.review is not None:
        qtbot.keyClick(view, Qt.Key.Key_Escape)  # refuse the rest
    assert not view.isVisible()
    text = room.editor.toPlainText()
    assert text == apply_hunks(GRAMMAR, [hunks[0]])
    assert kinds(room) == expected_kinds(GRAMMAR, [hunks[0]])
    assert How.REWRITE in hows(room)


def test_rewrite_keep_all_with_the_mouse_and_keys(room, qtbot) -> None:
    review = start_rewrite(room, qtbot)
    hunks = list(review.hunks)
    view = room.rewrite.view
    keep, refuse = view.buttons(0)
    assert keep.isVisible() and refuse.isVisible()
    qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)  # the first by mouse
    if room.rewrite.review is not None:
        qtbot.keyClick(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    new_text = apply_hunks(GRAMMAR, hunks)
    assert room.editor.toPlainText() == new_text
    assert kinds(room) == expected_kinds(GRAMMAR, hunks)


def test_rewrite_refuse_all_changes_nothing(room, qtbot) -> None:
    start_rewrite(room, qtbot)
    qtbot.keyClick(room.rewrite.view, Qt.Key.Key_Escape)
    assert room.editor.toPlainText() == GRAMMAR
    assert kinds(room) == "h" * len(GRAMMAR)
    assert How.REWRITE not in hows(room)


def test_one_undo_takes_a_kept_rewrite_back(room, qtbot) -> None:
    review = start_rewrite(room, qtbot)
    hunks = list(review.hunks)
    qtbot.keyClick(room.rewrite.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert room.editor.toPlainText() == apply_hunks(GRAMMAR, hunks)
    room.editor.setFocus()
    qtbot.keyClick(room.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert room.editor.toPlainText() == GRAMMAR
    assert kinds(room) == "h" * len(GRAMMAR), "the original words come back with their author"


def test_rewrite_bar_runs_a_choice_on_the_paragraph(room, qtbot) -> None:
    editor = room.editor
    editor.insertPlainText("First paragraph stays.\n" + GRAMMAR)
    assert room.rewrite.open_bar()
    bar = room.rewrite.bar
    assert bar.isVisible() and "paragraph" in bar.title.text()
    started = []
    room.rewrite.started.connect(lambda: started.append(True))
    type_text(bar.field, "grammar")
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert started and not bar.isVisible()
    review = room.rewrite.review
    assert review is not None and review.original == GRAMMAR
    room.rewrite.refuse_all()
    assert editor.toPlainText() == "First paragraph stays.\n" + GRAMMAR


# --- brainstorm ----------------------------------------------------------------------------
STORY = (
    "The old lighthouse keeper climbed the stairs every night. One night the light would "
    "not turn on, and a ship was coming towards the rocks.\n"
)


def test_brainstorm_insert_is_the_models(room, qtbot) -> None:
    editor = room.editor
    editor.insertPlainText(STORY)
    brainstorm = room.brainstorm
    brainstorm.toggle()
    assert room.brainstorm_panel.isVisible()
    done = []
    brainstorm.finished.connect(done.append)
    assert brainstorm.ask("titles")
    qtbot.waitUntil(lambda: bool(done), timeout=180_000)
    ideas = done[0]
    assert ideas and all(i.strip() for i in ideas)
    assert room.brainstorm_panel.shown_ideas() == ideas
    card = room.brainstorm_panel.card(ideas[0])
    assert card is not None
    qtbot.mouseClick(card.insert_button, Qt.MouseButton.LeftButton)
    assert editor.toPlainText() == STORY + ideas[0]
    assert kinds(room) == "h" * len(STORY) + "m" * len(ideas[0])
    assert How.BRAINSTORM in hows(room)
    # The history is in the store: a new panel for the same document lists it.
    brainstorm._load_history()
    assert room.brainstorm_panel.history.count() >= 1


def test_a_running_brainstorm_does_not_delay_a_suggestion(room, qtbot) -> None:
    editor, brainstorm, controller = room.editor, room.brainstorm, room.suggestions
    editor.insertPlainText(STORY)
    done = []
    brainstorm.finished.connect(done.append)
    assert brainstorm.ask("next")
    qtbot.waitUntil(lambda: brainstorm.tokens >= 3, timeout=120_000)
    at_start: list[int] = []
    controller.on_generation_start = lambda: at_start.append(brainstorm.tokens)
    requested_at = brainstorm.tokens
    editor.setFocus()
    type_text(editor, "The keeper")
    assert controller.request()
    qtbot.waitUntil(lambda: bool(at_start), timeout=120_000)
    assert at_start[0] - requested_at <= 2, "the suggestion waited more than a generation step"
    wait_for_suggestion(qtbot, editor)
    qtbot.waitUntil(lambda: bool(done), timeout=240_000)  # and the brainstorm carries on
    assert done[0]


def test_brainstorm_command_gives_three_distinct_ideas(capsys, tmp_path: Path) -> None:
    from app.cli import main
    from memory.coauthor import replay_session

    session = sorted((CORPUS / "sessions").glob("*.jsonl.gz"))[0]
    path = tmp_path / "story.md"
    path.write_text(replay_session(session).final_text, encoding="utf-8")
    status = main(["brainstorm", str(path), "--kind", "titles", "--json"])
    ideas = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert status == 0
    assert isinstance(ideas, list) and all(isinstance(i, str) and i.strip() for i in ideas)
    assert len({i.lower() for i in ideas}) >= 3
