"""The writer's views: the outline (click jumps), word count without Markdown's marks,
reading time and a goal, focus mode, typewriter scrolling, full screen and
distraction-free, and Find with a match count, every match highlighted, whole words
and case."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor

from tests.conftest import type_text
from ui.focus import FocusMode, focus_rects
from ui.markdown_spans import Heading, outline, outline_of_text
from ui.text_stats import count_words, reading_minutes, sentence_bounds

CHAPTERS = "\n".join(
    [
        "# Part One: “Arrival” 😀",
        "The keeper came. He stayed! Nobody asked why.",
        "## The Lamp",
        "```",
        "# not a heading, code",
        "```",
        "Body text " * 30,
        "### Élodie's letter ###",
        "#no-space is not a heading",
        "## Back",
    ]
)


def test_the_outline_lists_headings_but_not_code() -> None:
    assert outline(CHAPTERS.split("\n")) == [
        Heading(0, 1, "Part One: “Arrival” 😀"),
        Heading(2, 2, "The Lamp"),
        Heading(7, 3, "Élodie's letter"),
        Heading(9, 2, "Back"),
    ]


_LINE = st.lists(
    st.sampled_from(["#", "##", " ", "   ", "\t", "`", "```", "~~~", "~", "a", "é", "\u2028", "-"]),
    max_size=8,
).map("".join)


@given(st.lists(_LINE, max_size=30))
def test_the_outline_of_the_text_is_the_outline_of_its_lines(lines: list[str]) -> None:
    """Reading only the lines that can be headings or fences finds what reading every
    line finds: the same headings, on the same lines, none inside a fence."""
    assert outline_of_text("\n".join(lines)) == outline(lines)
    assert outline_of_text("\u2029".join(lines), "\u2029") == outline(lines)  # Qt's raw text


def test_the_panel_reads_paragraphs_with_soft_line_breaks_as_one(writing_room, qtbot) -> None:
    """Shift+Enter's line break (U+2028) stays inside its paragraph: the headings' line
    numbers are the paragraphs' (Qt blocks), as the panel jumps by them."""
    editor = writing_room.editor
    editor.setPlainText("# One\nText\u2028# not a paragraph start\n```\n# code\n```\n## Two")
    writing_room.window.outline_action.trigger()
    panel = writing_room.window.outline
    assert panel.headings == [Heading(0, 1, "One"), Heading(5, 2, "Two")]
    assert editor.document().findBlockByNumber(5).text() == "## Two"


def test_clicking_a_heading_in_the_outline_jumps_there(writing_room, qtbot) -> None:
    window = writing_room.window
    editor = writing_room.editor
    editor.setPlainText(CHAPTERS + "\n" + "More lines.\n" * 200 + "# The End")
    window.outline_action.trigger()
    panel = window.outline
    assert panel.isVisible()
    titles = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert titles == [
        "Part One: “Arrival” 😀",
        "    The Lamp",
        "        Élodie's letter",
        "    Back",
        "The End",
    ]
    last = panel.list.item(4)
    rect = panel.list.visualItemRect(last)
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert editor.textCursor().block().text() == "# The End"
    assert editor.textCursor().positionInBlock() == 0
    assert editor.cursorRect().top() >= 0  # on screen
    assert editor.cursorRect().bottom() <= editor.viewport().height()
    cursor = editor.textCursor()
    cursor.setPosition(editor.document().findBlockByNumber(8).position())
    editor.setTextCursor(cursor)
    assert panel.list.currentRow() == 2  # the heading the cursor is under


def test_markdown_marks_are_not_words() -> None:
    text = "# Title\n\n- one two\n1. three\n---\n> four — five\n* * *\n12 o’clock, “six” 😀"
    assert count_words(text) == 9  # Title one two three four five 12 o’clock six
    assert count_words("") == 0
    assert reading_minutes(0) == 0
    assert reading_minutes(1) == 1
    assert reading_minutes(2_380) == 10


def test_the_status_bar_shows_reading_time_and_the_goal(writing_room, qtbot) -> None:
    status = writing_room.window.status
    editor = writing_room.editor
    type_text(editor, "# A start\n\n- " + "word " * 50)
    writing_room._count_words()
    assert "52 words" in status.words_label.text()
    assert "1 min read" in status.words_label.text()
    status.set_goal(100, per_session=False)
    assert "52 / 100 of the goal (52%)" in status.words_label.text()
    status.set_goal(10, per_session=True)
    status.start_session()
    writing_room._count_words()
    type_text(editor, "three more words")
    writing_room._count_words()
    assert "3 / 10 today (30%)" in status.words_label.text()


def test_sentence_bounds() -> None:
    text = "First one. Second “quoted” here? Third…"
    assert text[slice(*sentence_bounds(text, 3))] == "First one."
    assert text[slice(*sentence_bounds(text, 15))] == "Second “quoted” here?"
    assert text[slice(*sentence_bounds(text, len(text)))] == "Third…"


def darkest(image, rect) -> int:
    return min(
        QColor(image.pixel(x, y)).lightness()
        for x in range(rect.left(), rect.right())
        for y in range(rect.top(), rect.bottom())
    )


@pytest.mark.parametrize("mode", [FocusMode.PARAGRAPH, FocusMode.SENTENCE])
def test_focus_mode_dims_all_but_the_current_text(writing_room, qtbot, mode) -> None:
    editor = writing_room.editor
    editor.setPlainText("Kept in focus. Dimmed sentence here.\n\nAnother paragraph, dimmed.")
    cursor = editor.textCursor()
    cursor.setPosition(3)
    editor.setTextCursor(cursor)
    other = editor.blockBoundingGeometry(editor.document().lastBlock())
    other = other.translated(editor.contentOffset()).toRect()
    current = editor.blockBoundingGeometry(editor.document().firstBlock())
    current = current.translated(editor.contentOffset()).toRect()
    plain = editor.viewport().grab().toImage()
    writing_room.window.set_focus_mode(mode)
    focused = editor.viewport().grab().toImage()
    assert darkest(focused, other) > darkest(plain, other) + 40  # dimmed
    (kept,) = focus_rects(editor, mode)
    if mode == FocusMode.SENTENCE:
        line = editor.document().firstBlock().layout().lineAt(0)
        assert kept.right() == pytest.approx(line.cursorToX(len("Kept in focus."))[0] + 2, abs=1)
        rest = current.adjusted(int(kept.right()) + 4, 0, 0, 0)
        assert darkest(focused, rest) > darkest(plain, rest) + 40
    first_word = current.adjusted(0, 0, -(current.width() - 30), 0)
    assert darkest(focused, first_word) == darkest(plain, first_word)  # untouched
    writing_room.window.set_focus_mode(FocusMode.OFF)
    assert writing_room.window.focus_actions[FocusMode.OFF].isChecked()


def test_typewriter_scrolling_keeps_the_line_mid_window(writing_room, qtbot) -> None:
    editor = writing_room.editor
    editor.setPlainText("\n".join(f"Line {n}" for n in range(300)))
    writing_room.window.typewriter_action.setChecked(True)
    for line in (150, 299):
        cursor = QTextCursor(editor.document().findBlockByNumber(line))
        editor.setTextCursor(cursor)
        middle = editor.viewport().height() / 2
        assert abs(editor.cursorRect().center().y() - middle) <= editor.fontMetrics().height()
    type_text(editor, " more")
    assert abs(editor.cursorRect().center().y() - middle) <= editor.fontMetrics().height()


def test_distraction_free_hides_everything_but_the_text_and_comes_back(writing_room) -> None:
    window = writing_room.window
    window.outline_action.trigger()
    assert window.menuBar().isVisible() and window.status.isVisible() and window.outline.isVisible()
    window.distraction_free_action.trigger()
    assert not window.menuBar().isVisible()
    assert not window.status.isVisible()
    assert not window.outline.isVisible()
    assert writing_room.editor.isVisible()
    assert window.isFullScreen()
    window.distraction_free_action.trigger()
    assert window.menuBar().isVisible() and window.status.isVisible() and window.outline.isVisible()
    assert not window.isFullScreen()
    window.full_screen_action.trigger()
    assert window.isFullScreen()
    window.full_screen_action.trigger()
    assert not window.isFullScreen()


def highlighted(editor) -> list[str]:
    found = []
    block = editor.document().firstBlock()
    while block.isValid():
        units = block.text().encode("utf-16-le")  # Qt's offsets count UTF-16 units
        for r in block.layout().formats():
            if QTextCharFormat(r.format).background().color() == QColor("#f3df8a"):
                found.append(units[2 * r.start : 2 * (r.start + r.length)].decode("utf-16-le"))
        block = block.next()
    return found


def test_find_counts_highlights_and_minds_whole_words_and_case(writing_room, qtbot) -> None:
    editor = writing_room.editor
    editor.setPlainText("The cat 😀 saw a Cat.\n# Cats and cat\n`cat` catalogue")
    window = writing_room.window
    window.find_action.trigger()
    bar = window.find_bar
    bar.find_field.setText("cat")
    assert bar.update_matches() == 6
    assert bar.status.text() == "6 matches"
    assert len(highlighted(editor)) == 6
    bar.whole_box.setChecked(True)
    assert bar.update_matches() == 4  # not "Cats", not "catalogue"
    assert highlighted(editor) == ["cat", "Cat", "cat", "cat"]
    bar.case_box.setChecked(True)
    assert bar.update_matches() == 3
    assert bar.find_next()
    assert bar.status.text() == "1 of 3"
    assert bar.find_next()
    assert bar.status.text() == "2 of 3"
    assert editor.textCursor().selectedText() == "cat"
    assert editor.textCursor().block().blockNumber() == 1
    bar.replace_field.setText("dog")
    bar.replace_everything()
    assert editor.toPlainText() == "The dog 😀 saw a Cat.\n# Cats and dog\n`dog` catalogue"
    qtbot.keyClick(bar.find_field, Qt.Key.Key_Escape)
    assert highlighted(editor) == []
