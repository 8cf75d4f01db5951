"""Ghost text: a suggestion shown in grey after the cursor, not part of the document.

`GhostText` is the state (where it is anchored, what it says, whether it is still
streaming); `paint_ghost` draws it so that it wraps like the text around it.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QTextLayout, QTextOption

_FIRST_WORD = regex.compile(r"\s*\S+")
_SENTENCE = regex.compile(r"[^\n]*?[.!?…]+[\"'”’)\]]*(?=\s|$)|[^\n]+")


def sentence_prefix(text: str) -> str:
    """`text` up to and including its first sentence end, or its first line."""
    match = _SENTENCE.match(text)
    return match.group(0) if match else text


@dataclass
class GhostText:
    """The suggestion on show: anchored at a document position (UTF-16 units)."""

    anchor: int = -1
    text: str = ""
    streaming: bool = False
    indicator: str = ""  # e.g. "2/3": which alternative this is, of how many

    @property
    def visible(self) -> bool:
        return self.anchor >= 0 and bool(self.text)

    def clear(self) -> None:
        self.anchor = -1
        self.text = ""
        self.streaming = False
        self.indicator = ""

    def next_word(self) -> str:
        """The next word of the suggestion with the spaces before it (Ctrl+Right)."""
        match = _FIRST_WORD.match(self.text)
        return match.group(0) if match else self.text

    def next_sentence(self) -> str:
        """The suggestion up to the end of its first sentence or line (Ctrl+Down)."""
        return sentence_prefix(self.text)


def paint_ghost(
    painter: QPainter,
    ghost: str,
    font: QFont,
    cursor_rect: QRect,
    left: float,
    right: float,
    color: QColor,
    *,
    indicator: str = "",
) -> None:
    """Draw `ghost` starting at the cursor, wrapping between `left` and `right`, and
    `indicator` (small, in a rounded box) just after its last line."""
    layout = QTextLayout(ghost, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    x = float(cursor_rect.left())
    y = float(cursor_rect.top())
    first = True
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        width = (right - x) if first else (right - left)
        line.setLineWidth(max(width, 10.0))
        line.setPosition(QPointF(x if first else left, y))
        y += line.height()
        first = False
    layout.endLayout()
    painter.save()
    painter.setPen(color)
    layout.draw(painter, QPointF(0, 0))
    if indicator and layout.lineCount():
        last = layout.lineAt(layout.lineCount() - 1)
        small = QFont(font)
        small.setPointSizeF(max(font.pointSizeF() * 0.72, 7.0))
        metrics = QFontMetricsF(small)
        width = metrics.horizontalAdvance(indicator) + 8
        height = metrics.height() + 2
        x = last.position().x() + last.naturalTextWidth() + 6
        if x + width > right:
            x, y_top = left, last.position().y() + last.height()
        else:
            y_top = last.position().y() + (last.height() - height) / 2
        box = QRectF(x, y_top, width, height)
        painter.setFont(small)
        frame = QColor(color)
        frame.setAlpha(110)
        painter.setPen(frame)
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(color)
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), indicator)
    painter.restore()
