"""Light and dark themes: switching keeps every origin's tint readable and distinct, and
the Markdown look readable, by WCAG 2 contrast ratios against the page actually shown."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from memory.origins import LABELS, Theme, vocabulary
from ui.editor import DraftEditor
from ui.markdown_spans import Role
from ui.markdown_style import role_formats
from ui.theme import apply_theme, contrast_ratio, is_dark


@pytest.fixture()
def editor(qtbot):
    widget = DraftEditor()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def page_and_ink(editor: DraftEditor) -> tuple[QColor, QColor]:
    palette = editor.palette()
    return palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)


@pytest.mark.parametrize("dark", [False, True])
def test_origin_tints_stay_readable_and_distinct_in_both_themes(editor, qtbot, dark) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, not dark)  # switch from the other theme, as a writer would
    apply_theme(app, dark)
    qtbot.wait_until(lambda: editor.styler.dark == dark)
    assert is_dark(app) == dark
    page, ink = page_and_ink(editor)
    assert (page.lightness() < 128) == dark
    assert contrast_ratio(ink, page) >= 7.0
    theme: Theme = "dark" if dark else "light"
    words = vocabulary()
    tints = {}
    for label in LABELS:
        colours = words[label].colours(theme)
        tint = QColor(colours.background) if colours.background else page
        tints[label] = tint
        assert contrast_ratio(ink, tint) >= 4.5, (theme, label)  # WCAG AA for text
        if words[label].line_pattern != "none":
            assert contrast_ratio(QColor(colours.line), page) >= 3.0, (theme, label)  # 1.4.11
    for (a, first), (b, second) in itertools.combinations(tints.items(), 2):
        one = (first.red(), first.green(), first.blue())
        other = (second.red(), second.green(), second.blue())
        distance = sum((x - y) ** 2 for x, y in zip(one, other, strict=True)) ** 0.5
        assert distance >= 20, (theme, a, b)  # no two origins share a tint


@pytest.mark.parametrize("dark", [False, True])
def test_the_markdown_look_is_readable_over_every_tint(editor, qtbot, dark) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, dark)
    qtbot.wait_until(lambda: editor.styler.dark == dark)
    page, ink = page_and_ink(editor)
    formats = role_formats(dark, editor.font())
    theme: Theme = "dark" if dark else "light"
    backgrounds = [page] + [
        QColor(c.background)
        for c in (vocabulary()[label].colours(theme) for label in LABELS)
        if c.background
    ]
    for role in (Role.LINK, Role.URL, Role.QUOTE):
        colour = formats[role].foreground().color()
        for background in backgrounds:
            assert contrast_ratio(colour, background) >= 4.5, (theme, role, background.name())
    code = formats[Role.CODE].background().color()
    assert contrast_ratio(ink, code) >= 7.0
    marker = formats[Role.MARKER].foreground().color()
    assert 2.0 <= contrast_ratio(marker, page) < contrast_ratio(ink, page)  # dim, yet seen


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast_ratio(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert contrast_ratio(QColor("#777777"), QColor("#ffffff")) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio(QColor("#123456"), QColor("#123456")) == pytest.approx(1.0)
