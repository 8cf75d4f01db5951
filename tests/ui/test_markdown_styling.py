"""Markdown styled in place: every construct gets its look, the text never changes, and
a keystroke restyles only its own line."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFont, QTextCharFormat, QTextCursor

from memory.events import Author, How, SourceKind
from tests.conftest import type_text
from ui.editor import DraftEditor, EditIntent
from ui.markdown_spans import START, Role, style_line
from ui.markdown_style import HEADING_SCALE, block_hang

SAMPLE = [
    "# Chapter One",
    "",
    "Some *emphasis*, **strong** words, ~~struck~~ and `code` in “curly” quotes 😀.",
    'A [link](https://example.org "title"), <https://auto.example> and www.bare.example/x.',
    "> A quoted line with _feeling_",
    "- a list item",
    "12. a numbered item",
    "---",
    "```python",
    "# not a heading *inside* code",
    "```",
    "## Closing ##",
    r"Escaped \*stars\* stay plain.",
]


def spans_of(line: str, state: int = START) -> list[tuple[str, str]]:
    return [(s.role.value, line[s.start : s.end]) for s in style_line(line, state).spans]


def test_every_construct_has_its_spans() -> None:
    assert spans_of(SAMPLE[0]) == [("marker", "#"), ("heading", "Chapter One")]
    assert style_line(SAMPLE[0]).spans[1].level == 1
    assert spans_of(SAMPLE[2]) == [
        ("marker", "*"),
        ("marker", "*"),
        ("emphasis", "emphasis"),
        ("marker", "**"),
        ("marker", "**"),
        ("strong", "strong"),
        ("marker", "~~"),
        ("marker", "~~"),
        ("strike", "struck"),
        ("code", "`code`"),
        ("marker", "`"),
        ("marker", "`"),
    ]
    assert spans_of(SAMPLE[3]) == [
        ("marker", "["),
        ("link", "link"),
        ("url", '](https://example.org "title")'),
        ("marker", "<"),
        ("link", "https://auto.example"),
        ("marker", ">"),
        ("link", "www.bare.example/x"),
    ]
    assert spans_of(SAMPLE[4]) == [
        ("marker", ">"),
        ("quote", "A quoted line with _feeling_"),
        ("marker", "_"),
        ("marker", "_"),
        ("emphasis", "feeling"),
    ]
    assert spans_of(SAMPLE[5]) == [("list-marker", "-")]
    assert style_line(SAMPLE[5]).hang == 2
    assert spans_of(SAMPLE[6]) == [("list-marker", "12.")]
    assert style_line(SAMPLE[6]).hang == 4
    assert spans_of(SAMPLE[7]) == [("rule", "---")]
    assert spans_of(SAMPLE[11]) == [("marker", "##"), ("heading", "Closing"), ("marker", "##")]
    assert spans_of(SAMPLE[12]) == [("marker", "\\"), ("marker", "\\")]


def test_a_fence_carries_from_line_to_line() -> None:
    opened = style_line("```python")
    assert [s.role for s in opened.spans] == [Role.MARKER, Role.CODE_BLOCK]
    inside = style_line("# not a heading *inside* code", opened.state)
    assert [(s.role, s.start, s.end) for s in inside.spans] == [(Role.CODE_BLOCK, 0, 29)]
    closed = style_line("```", inside.state)
    assert closed.state == START
    assert spans_of("# a heading again", closed.state)[1] == ("heading", "a heading again")
    # A shorter or different fence does not close it.
    assert style_line("~~~", opened.state).state == opened.state


def test_indented_lines_are_code_only_after_a_blank_line() -> None:
    assert spans_of("    code()") == [("code-block", "code()")]
    after_item = style_line("- item").state
    assert spans_of("    continued *text*", after_item)[-1] == ("emphasis", "text")


@pytest.fixture()
def editor(qtbot) -> DraftEditor:
    widget = DraftEditor(font_size=13)
    qtbot.addWidget(widget)
    widget.resize(520, 700)
    widget.show()
    return widget


def formats_at(editor: DraftEditor, line: int) -> list[tuple[str, QTextCharFormat]]:
    block = editor.document().findBlockByNumber(line)
    text = block.text()
    return [
        (text[r.start : r.start + r.length], QTextCharFormat(r.format))
        for r in block.layout().formats()
    ]


def format_of(editor: DraftEditor, line: int, piece: str) -> QTextCharFormat:
    for text, fmt in formats_at(editor, line):
        if text == piece:
            return fmt
    raise AssertionError(f"no format for {piece!r} in {formats_at(editor, line)}")


def test_the_editor_shows_the_sample_styled_without_changing_it(editor, qtbot) -> None:
    text = "\n".join(SAMPLE)
    editor.setPlainText(text)
    qtbot.wait_until(lambda: bool(formats_at(editor, 0)))
    assert editor.toPlainText() == text
    assert editor.document().availableUndoSteps() == 0  # styling is no edit
    body = editor.document().defaultFont().pointSizeF()
    heading = format_of(editor, 0, "Chapter One")
    assert heading.fontWeight() == QFont.Weight.Bold
    assert heading.fontPointSize() == pytest.approx(body * HEADING_SCALE[1], abs=0.1)
    hashes = format_of(editor, 0, "#")
    assert hashes.fontPointSize() == heading.fontPointSize()
    page = editor.palette().color(editor.palette().ColorRole.Text)
    assert hashes.foreground().color() != page  # dimmed, not body ink
    assert format_of(editor, 2, "emphasis").fontItalic()
    assert format_of(editor, 2, "strong").fontWeight() == QFont.Weight.Bold
    assert format_of(editor, 2, "struck").fontStrikeOut()
    assert format_of(editor, 2, "code").fontFixedPitch()
    assert format_of(editor, 3, "link").fontUnderline()
    assert format_of(editor, 4, "A quoted line with ").fontItalic()
    assert format_of(editor, 9, "# not a heading *inside* code").fontFixedPitch()
    closing = format_of(editor, 11, "Closing")
    assert closing.fontPointSize() == pytest.approx(body * HEADING_SCALE[2], abs=0.1)
    assert formats_at(editor, 12)[0][0] == "\\"


def test_wrapped_list_items_hang_under_their_words(editor, qtbot) -> None:
    editor.setPlainText("- " + "words that wrap " * 30 + "\nplain " + "text that wraps " * 30)
    editor.grab()  # paint: the layout asks for each paragraph's size
    item = editor.document().firstBlock()
    lines = [item.layout().lineAt(i) for i in range(item.layout().lineCount())]
    assert len(lines) > 2
    words_x = lines[0].cursorToX(block_hang(item))[0]
    assert all(line.x() == pytest.approx(words_x, abs=0.5) for line in lines[1:])
    plain = item.next().layout()
    assert {plain.lineAt(i).x() for i in range(plain.lineCount())} == {plain.lineAt(0).x()}
    editor.resize(380, 700)  # a narrower column wraps again, still hung
    editor.grab()
    assert item.layout().lineAt(1).x() == pytest.approx(words_x, abs=0.5)


def hung_under_words(editor: DraftEditor, number: int) -> bool:
    item = editor.document().findBlockByNumber(number)
    layout = item.layout()
    words_x = layout.lineAt(0).cursorToX(block_hang(item))[0]
    rest = [layout.lineAt(i).x() for i in range(1, layout.lineCount())]
    return bool(rest) and all(x == pytest.approx(words_x, abs=0.5) for x in rest)


def test_a_list_item_stays_hung_as_the_writer_types_into_it(editor, qtbot) -> None:
    # Qt lays the paragraph out again at each key (and Qt's layout knows no hang): the
    # view hangs it again before it paints. Curly quotes and emoji move the UTF-16 offsets.
    intro = "Plain words before the list.\n"
    editor.setPlainText(intro + "12. “Quoted” 😀 " + "words that wrap " * 30)
    editor.grab()
    assert hung_under_words(editor, 1)
    cursor = editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    type_text(editor, " and “more” 😀 words to the end")
    editor.grab()
    assert hung_under_words(editor, 1)
    assert editor.toPlainText().endswith("words to the end")
    cursor.setPosition(len(intro) + 4)  # inside the item's first words: they wrap anew
    editor.setTextCursor(cursor)
    type_text(editor, "so ")
    editor.grab()
    assert hung_under_words(editor, 1)
    first = editor.document().firstBlock().layout()
    assert first.lineCount() == 1 and first.lineAt(0).x() == editor.document().documentMargin()


def test_styling_in_idle_time_leaves_the_scroll_bar_right(editor, qtbot) -> None:
    """Paragraphs styled off screen are laid out by Qt; the view hears the document's new
    size once in a while, and always when the last of them is styled."""
    editor.setPlainText("\n".join(f"“Line” *{n}* of the draft, " * 12 for n in range(4_000)))
    assert editor.styler.pending()
    qtbot.wait_until(lambda: not editor.styler.pending(), timeout=120_000)
    qtbot.wait(20)
    told = editor.verticalScrollBar().maximum()
    layout = editor.document().documentLayout()
    layout.documentSizeChanged.emit(layout.documentSize())  # what the view would say now
    qtbot.wait(20)
    assert editor.verticalScrollBar().maximum() == told
    assert told > 4_000  # the wrapped lines counted, not one a paragraph


def test_styling_off_screen_waits_while_the_app_says_so(editor, qtbot) -> None:
    """While `wait_while` says True (the app: a save written, a suggestion generated),
    only the paragraphs on screen are styled; the rest once it says False."""
    waiting = [True]
    editor.styler.wait_while = lambda: waiting[0]
    editor.setPlainText("\n".join(f"Line *{n}* of the draft." for n in range(3_000)))
    qtbot.wait(400)
    assert editor.styler.pending()
    top = editor.document().firstBlock()
    assert any(r.format.fontItalic() for r in top.layout().formats())  # on screen: styled
    waiting[0] = False
    qtbot.wait_until(lambda: not editor.styler.pending(), timeout=60_000)


def test_a_keystroke_restyles_only_its_own_line(editor, qtbot) -> None:
    asked: list[int] = []
    editor.setPlainText("\n".join(f"Line *{n}* of the draft." for n in range(5_000)))

    def probe(position: int, _length: int, _dark: bool) -> list:
        asked.append(position)  # a layer that draws nothing, and tells who was restyled
        return []

    editor.styler.set_layer("probe", probe)
    qtbot.wait_until(lambda: not editor.styler.pending(), timeout=60_000)  # styled in idle time
    asked.clear()
    cursor = editor.textCursor()
    block = editor.document().findBlockByNumber(2_500)
    cursor.setPosition(block.position() + 4)
    editor.setTextCursor(cursor)
    type_text(editor, "s")
    assert asked == [block.position()]
    # Opening a fence restyles the lines after it (they became code), and only those.
    asked.clear()
    fence_at = editor.document().findBlockByNumber(4_990).position()
    cursor.setPosition(fence_at)
    editor.setTextCursor(cursor)
    type_text(editor, "```\n")
    assert min(asked) == fence_at
    assert len(asked) < 20  # three keys on one line, then the dozen lines from it on
    assert not editor.styler.pending()
    code = editor.document().findBlockByNumber(4_995).text()
    assert format_of(editor, 4_995, code).fontFixedPitch()


class _Paints(QObject):
    """The rectangles a widget is asked to paint."""

    def __init__(self) -> None:
        super().__init__()
        self.rects: list[tuple[int, int]] = []

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            rect = event.rect()  # type: ignore[attr-defined]
            self.rects.append((rect.width(), rect.height()))
        return False


def test_a_keystroke_in_a_styled_paragraph_repaints_that_paragraph(editor, qtbot) -> None:
    """A keystroke that changes its paragraph's formats (Markdown, tints) makes Qt lay out
    and repaint that paragraph only, as for a paragraph without formats, not the view."""
    lines = [f"Line *{n}* of the “draft” 😀, **styled** in place." for n in range(400)]
    editor.setPlainText("\n".join(lines))
    qtbot.wait_until(lambda: not editor.styler.pending(), timeout=60_000)
    cursor = editor.textCursor()
    cursor.setPosition(editor.document().findBlockByNumber(5).position() + 4)
    editor.setTextCursor(cursor)
    editor.grab()
    paints = _Paints()
    editor.viewport().installEventFilter(paints)
    for text in ("s", " *more*", "“x” 😀"):
        paints.rects.clear()
        type_text(editor, text)
        qtbot.wait(30)
        assert paints.rects, text  # the paragraph was repainted...
        height = editor.viewport().height()
        assert all(h < height / 3 for _w, h in paints.rects), (text, paints.rects, height)
    assert editor.document().findBlockByNumber(5).text().startswith("Lines *more*“x” 😀 *5*")
    assert format_of(editor, 5, "more").fontItalic()


def test_styling_in_idle_time_is_no_change_of_the_text(editor, qtbot) -> None:
    """Paragraphs styled off screen do not tell `textChanged` (which every listener for
    typing hears: the word count, the suggestions, the outline)."""
    editor.setPlainText("\n".join(f"“Line” *{n}* of the draft 😀." for n in range(3_000)))
    told: list[int] = []
    editor.textChanged.connect(lambda: told.append(1))
    assert editor.styler.pending()
    qtbot.wait_until(lambda: not editor.styler.pending(), timeout=120_000)
    assert told == []
    assert format_of(editor, 2_500, "2500").fontItalic()  # styled all the same


def test_a_layer_changing_on_screen_restyles_without_a_change_of_the_text(editor, qtbot) -> None:
    """A layer's new answer for a paragraph on screen (spelling marks found, say) is
    painted, and no listener for typing hears of it."""
    from PySide6.QtGui import QColor

    editor.setPlainText("A plain first line.\nA second line.")
    underline: dict[str, bool] = {"on": False}
    mark = QTextCharFormat()
    mark.setBackground(QColor("#ffd700"))

    def layer(position: int, length: int, dark: bool) -> list[tuple[int, int, QTextCharFormat]]:
        return [(2, 5, mark)] if underline["on"] and position == 0 else []

    editor.styler.set_layer("probe", layer)
    qtbot.wait_until(lambda: not editor.styler.pending())
    editor.viewport().repaint()
    block = editor.document().firstBlock()
    assert block.layout().lineCount() > 0  # laid out and on screen
    before = editor.viewport().grab().toImage()
    told: list[int] = []
    editor.textChanged.connect(lambda: told.append(1))
    underline["on"] = True
    editor.styler.layer_changed(block)
    qtbot.wait(50)
    assert told == []
    assert format_of(editor, 0, "plain").background().color() == QColor("#ffd700")
    assert editor.viewport().grab().toImage() != before  # repainted with the mark


def test_a_layer_set_on_a_long_document_sweeps_it_and_styles_what_is_scrolled_to(
    editor, qtbot
) -> None:
    """A new layer (spelling attaching as a book opens, colours turned on) marks no
    paragraph one by one: every one waits, those on screen are styled at once, one
    scrolled to is styled when shown, and paragraphs added or removed meanwhile
    (renumbering those styled ahead of the sweep) leave none with the old look."""
    from PySide6.QtGui import QColor

    lines = [f"Line {n} of the “draft”." for n in range(20_000)]
    editor.setPlainText("\n".join(lines))
    qtbot.wait_until(lambda: not editor.styler.pending(), timeout=120_000)
    document = editor.document()
    mark = QTextCharFormat()
    mark.setBackground(QColor("#ffd700"))

    def marked(number: int) -> bool:
        return any(
            fmt.background().color() == QColor("#ffd700") for _, fmt in formats_at(editor, number)
        )

    editor.styler.set_layer("probe", lambda position, length, dark: [(0, 4, mark)])
    assert editor.styler.pending()
    assert marked(0)  # on screen: at once
    assert not marked(19_900)  # far below: the sweep's
    editor.setTextCursor(QTextCursor(document.findBlockByNumber(15_000)))
    editor.ensureCursorVisible()
    qtbot.wait_until(lambda: marked(15_000), timeout=10_000)
    assert editor.styler.pending()  # styled when shown, before the sweep got there
    cursor = QTextCursor(document.findBlockByNumber(14_000))
    cursor.movePosition(QTextCursor.MoveOperation.NextBlock, QTextCursor.MoveMode.KeepAnchor)
    cursor.removeSelectedText()  # every paragraph after it renumbered, one up
    qtbot.wait_until(lambda: not editor.styler.pending(), timeout=120_000)
    unmarked = [n for n in range(document.blockCount()) if not marked(n)]
    assert unmarked == []
    assert document.blockCount() == 19_999


def test_a_long_document_opens_at_once_and_is_styled_in_idle_time(editor, qtbot) -> None:
    lines = [f"## Part {n}" if n % 50 == 0 else f"Line *{n}* of the draft." for n in range(6_000)]
    editor.setPlainText("\n".join(lines))
    document = editor.document()
    assert editor.styler.pending()  # the first lines are styled, the rest wait
    last = document.lastBlock()
    editor.setTextCursor(QTextCursor(last))
    editor.ensureCursorVisible()
    qtbot.wait_until(lambda: bool(formats_at(editor, 5_999)), timeout=10_000)  # on screen first
    qtbot.wait_until(lambda: not editor.styler.pending(), timeout=120_000)
    for number in (1, 3_000, 4_500, 5_950):
        assert formats_at(editor, number), number
    heading = format_of(editor, 3_000, "Part 3000")
    assert heading.fontWeight() == QFont.Weight.Bold
    assert editor.toPlainText() == "\n".join(lines)


def test_markdown_styling_and_authorship_tints_work_together(writing_room, qtbot) -> None:
    editor = writing_room.editor
    type_text(editor, "# The ")
    model = Author(SourceKind.MODEL, "TestModel", "ab" * 32)
    editor.insert_as("Lighthouse", EditIntent(How.SUGGESTION, author=model))
    writing_room.show_authorship(True)
    tinted = format_of(editor, 0, "Lighthouse")
    own = format_of(editor, 0, "The ")
    body = editor.document().defaultFont().pointSizeF()
    assert tinted.fontPointSize() == own.fontPointSize() == pytest.approx(body * 1.6, abs=0.1)
    assert tinted.fontWeight() == QFont.Weight.Bold
    assert tinted.background().style().name != "NoBrush"  # the model's tint
    assert own.background().style().name == "NoBrush"
    writing_room.show_authorship(False)
    after = format_of(editor, 0, "The Lighthouse")  # one look again: the heading's
    assert after.background().style().name == "NoBrush"
    assert after.fontPointSize() == tinted.fontPointSize()


def test_turning_colours_on_in_a_long_document_tints_the_screen_at_once_and_the_rest_soon(
    writing_room, qtbot
) -> None:
    """A layer changes no paragraph's state: the paragraphs on screen are restyled at
    once, the rest wait for idle time (not all of them through Python at the toggle)."""
    editor = writing_room.editor
    model = Author(SourceKind.MODEL, "TestModel", "ab" * 32)
    editor.insert_as("Model’s opening", EditIntent(How.SUGGESTION, author=model))
    body = "\n".join(f"Line {n} of the “draft”." for n in range(1, 1_500))
    type_text(editor, "\n")
    editor.insert_as(body + "\n", EditIntent(How.PASTE))
    editor.insert_as("Model’s ending", EditIntent(How.SUGGESTION, author=model))
    qtbot.wait_until(lambda: not editor.styler.pending(), timeout=60_000)
    last = editor.document().blockCount() - 1
    editor.setTextCursor(QTextCursor(editor.document().lastBlock()))
    editor.ensureCursorVisible()
    writing_room.show_authorship(True)
    assert format_of(editor, last, "Model’s ending").background().style().name != "NoBrush"
    qtbot.wait_until(lambda: not editor.styler.pending(), timeout=60_000)
    assert format_of(editor, 0, "Model’s opening").background().style().name != "NoBrush"
    writing_room.show_authorship(False)
    qtbot.wait_until(lambda: not editor.styler.pending(), timeout=60_000)
    assert all(
        fmt.background().style().name == "NoBrush"
        for number in (0, last)
        for _piece, fmt in formats_at(editor, number)
    )
    assert editor.toPlainText().endswith("Line 1499 of the “draft”.\nModel’s ending")


def test_the_tints_follow_each_keystroke(writing_room, qtbot) -> None:
    """The authorship records a change before the styler restyles its paragraph, so the
    colours on screen are the change's own, not the keystroke before's."""
    editor = writing_room.editor
    type_text(editor, "“Mine” café ")  # (BMP only: `formats_at` indexes the text in UTF-16)
    model = Author(SourceKind.MODEL, "TestModel", "ab" * 32)
    editor.insert_as("model words here", EditIntent(How.SUGGESTION, author=model))
    writing_room.show_authorship(True)
    model_tint = format_of(editor, 0, "model words here").background().color().name()
    start16 = len("“Mine” café ")
    cursor = editor.textCursor()
    cursor.setPosition(start16 + 4)  # inside "model": the writer edits the model's words
    editor.setTextCursor(cursor)
    type_text(editor, "X")
    assert editor.toPlainText() == "“Mine” café modeXl words here"
    edited = format_of(editor, 0, "mode")
    assert format_of(editor, 0, "l words here") == edited  # the whole rest: model, edited
    assert edited.background().color().name() != model_tint
    pieces = [piece for piece, _fmt in formats_at(editor, 0)]
    assert "X" not in "".join(pieces)  # the writer's own letter: no tint at all
    labels = writing_room.session.bridge.block_labels(
        0, editor.document().firstBlock().length() - 1
    )
    assert [label for _at, _n, label in labels] == [
        "human",
        "model_edited",
        "human",
        "model_edited",
    ]


MARKDOWNISH = st.text(
    alphabet=st.sampled_from([*"ab #*_`[]()<>!~-+=.1\\:/ \t\n", "“", "”", "😀", "é", "\u0301"]),
    max_size=120,
)


@given(MARKDOWNISH)
@settings(max_examples=300, deadline=None)
def test_spans_stay_inside_their_line(text: str) -> None:
    state = START
    for line in text.split("\n"):
        style = style_line(line, state)
        for span in style.spans:
            assert 0 <= span.start <= span.end <= len(line), (line, span)
        assert 0 <= style.hang <= len(line)
        state = style.state


@given(MARKDOWNISH)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_styling_never_alters_the_text(editor, text: str) -> None:
    editor.setPlainText(text)
    cursor = QTextCursor(editor.document())
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertText("\n# *more* `text` 😀")
    editor.grab()
    assert editor.toPlainText() == text + "\n# *more* `text` 😀"
    for number in range(editor.document().blockCount()):
        block = editor.document().findBlockByNumber(number)
        for r in block.layout().formats():
            assert 0 <= r.start and r.start + r.length <= block.length() - 1


def test_styling_that_waits_stops_when_its_editor_is_deleted(qtbot) -> None:
    """The styler lives with the document, which can outlive the editor's C++ side (the
    wrapper holds it): its idle timers must never reach into a deleted editor."""
    import shiboken6
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    editor = DraftEditor(window, font_size=13)
    window.resize(520, 700)
    window.show()
    editor.setPlainText("\n".join(f"“Line” *{n}* of the draft 😀." for n in range(3_000)))
    styler = editor.styler
    assert styler.pending()  # idle styling is under way
    shiboken6.delete(window)  # the window and its editor go, the Python wrappers stay
    assert not shiboken6.isValid(editor)
    qtbot.wait(100)  # the 0 ms and idle timers would fire here
    assert shiboken6.isValid(styler)  # still the document's, and quiet
    assert not styler.pending() or not styler._idle.isActive()
