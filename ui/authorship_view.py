"""The authorship view: text tinted by who wrote it, with a legend and hover details.

The highlighter asks a provider for the origin labels of one paragraph at a time
(Qt re-highlights only the paragraphs that change), so it stays cheap on long
documents. Labels are the derived origins: human, model, model_edited, pasted,
imported, external.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

#: label -> (legend text, background colour); human text keeps the page colour.
ORIGINS: dict[str, tuple[str, str]] = {
    "human": ("Written by you", "#ffffff"),
    "model": ("Model", "#d6e8fb"),
    "model_edited": ("Model, edited by you", "#e6dcf7"),
    "pasted": ("Pasted", "#fbecc8"),
    "imported": ("Imported", "#dcefdc"),
    "external": ("Changed outside Draftsmith", "#f8d7d7"),
}

#: (offset, length, label) triples, offsets in UTF-16 units inside the paragraph.
BlockLabels = Callable[[int, int], list[tuple[int, int, str]]]


class AuthorshipHighlighter(QSyntaxHighlighter):
    """Tints each run of a paragraph by its origin while the view is on."""

    def __init__(self, document: QTextDocument, labels_for_block: BlockLabels) -> None:
        super().__init__(document)
        self._labels_for_block = labels_for_block
        self._formats: dict[str, QTextCharFormat] = {}
        for label, (_legend, colour) in ORIGINS.items():
            fmt = QTextCharFormat()
            if label != "human":
                fmt.setBackground(QColor(colour))
            self._formats[label] = fmt

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        if not text:
            return
        block = self.currentBlock()
        for offset, length, label in self._labels_for_block(block.position(), len(text)):
            fmt = self._formats.get(label)
            if fmt is not None and label != "human":
                self.setFormat(offset, length, fmt)


class AuthorshipLegend(QWidget):
    """A row of colour swatches explaining the tints, shown while the view is on."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 3, 12, 3)
        layout.setSpacing(14)
        for label, (legend, colour) in ORIGINS.items():
            swatch = QLabel(legend, self)
            border = "#c9c9c9" if label == "human" else colour
            swatch.setStyleSheet(
                f"background: {colour}; border: 1px solid {border}; border-radius: 3px;"
                "padding: 1px 6px;"
            )
            swatch.setObjectName(f"legend-{label}")
            layout.addWidget(swatch)
        layout.addStretch(1)
        self.hide()
