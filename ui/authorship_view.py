"""The authorship view: text tinted by who wrote it, with a legend and hover details.

The highlighter asks a provider for the origin labels of one paragraph at a time
(Qt re-highlights only the paragraphs that change), so it stays cheap on long
documents. Labels are the derived origins of `memory.origins` (human, model,
model_edited, pasted, imported, external); their words and colours come from the one
vocabulary in `resources/origins.json`, which the exports read too.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from memory.origins import LABELS, LinePattern, Origin, Theme, vocabulary

#: (offset, length, label) triples, offsets in UTF-16 units inside the paragraph.
BlockLabels = Callable[[int, int], list[tuple[int, int, str]]]

_UNDERLINES: dict[LinePattern, QTextCharFormat.UnderlineStyle] = {
    "none": QTextCharFormat.UnderlineStyle.NoUnderline,
    "solid": QTextCharFormat.UnderlineStyle.SingleUnderline,
    "dashed": QTextCharFormat.UnderlineStyle.DashUnderline,
    "dotted": QTextCharFormat.UnderlineStyle.DotLine,
    "wavy": QTextCharFormat.UnderlineStyle.WaveUnderline,
}

_BORDERS: dict[LinePattern, str] = {"dashed": "dashed", "dotted": "dotted"}


def current_theme() -> Theme:
    """ "dark" when the application's text fields are dark, else "light"."""
    base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
    return "dark" if base.lightness() < 128 else "light"


def origin_format(origin: Origin, theme: Theme) -> QTextCharFormat:
    """How text of `origin` is drawn: its tint (none for the writer's own text) and a
    line in the origin's pattern, so origins differ without colour too."""
    fmt = QTextCharFormat()
    colours = origin.colours(theme)
    if colours.background is not None:
        fmt.setBackground(QColor(colours.background))
    if origin.line_pattern != "none":
        fmt.setUnderlineStyle(_UNDERLINES[origin.line_pattern])
        fmt.setUnderlineColor(QColor(colours.line))
    return fmt


class AuthorshipHighlighter(QSyntaxHighlighter):
    """Tints each run of a paragraph by its origin while the view is on."""

    def __init__(
        self,
        document: QTextDocument,
        labels_for_block: BlockLabels,
        theme: Theme | None = None,
    ) -> None:
        super().__init__(document)
        self._labels_for_block = labels_for_block
        self.theme: Theme = theme or current_theme()
        words = vocabulary()
        self.formats: dict[str, QTextCharFormat] = {
            label: origin_format(words[label], self.theme) for label in LABELS
        }

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        if not text:
            return
        block = self.currentBlock()
        for offset, length, label in self._labels_for_block(block.position(), len(text)):
            fmt = self.formats.get(label)
            if fmt is not None and not fmt.isEmpty():
                self.setFormat(offset, length, fmt)


class AuthorshipLegend(QWidget):
    """A row of colour swatches explaining the tints, shown while the view is on."""

    def __init__(self, parent: QWidget | None = None, theme: Theme | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 3, 12, 3)
        layout.setSpacing(14)
        words = vocabulary()
        chosen: Theme = theme or current_theme()
        page = words.theme(chosen)
        for label in LABELS:
            origin = words[label]
            colours = origin.colours(chosen)
            swatch = QLabel(origin.label, self)
            swatch.setToolTip(origin.description)
            border = _BORDERS.get(origin.line_pattern, "solid")  # Qt draws no wavy borders
            swatch.setStyleSheet(
                f"background: {colours.background or page.page}; color: {page.text};"
                f"border: 1px {border} {colours.line}; border-radius: 3px; padding: 1px 6px;"
            )
            swatch.setObjectName(f"legend-{label}")
            layout.addWidget(swatch)
        layout.addStretch(1)
        self.hide()
