"""Ghost text: a suggestion shown in grey after the cursor, not part of the document.

`GhostText` is the state (where it is anchored, what it says, whether it is still
streaming); `paint_ghost` draws it so that it wraps like the text around it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex
from PySide6.QtCore import QPointF, QRect
from PySide6.QtGui import QColor, QFont, QPainter, QTextLayout, QTextOption

_FIRST_WORD = regex.compile(r"\s*\S+")


@dataclass
class GhostText:
    """The suggestion on show: anchored at a document position (UTF-16 units)."""

    anchor: int = -1
    text: str = ""
    streaming: bool = False
    alternatives: list[str] = field(default_factory=list)

    @property
    def visible(self) -> bool:
        return self.anchor >= 0 and bool(self.text)

    def clear(self) -> None:
        self.anchor = -1
        self.text = ""
        self.streaming = False
        self.alternatives = []

    def next_word(self) -> str:
        """The next word of the suggestion with the spaces before it (Ctrl+Right)."""
        match = _FIRST_WORD.match(self.text)
        return match.group(0) if match else self.text

    def consume(self, typed: str) -> bool:
        """The writer typed `typed`: keep the rest if it matches the ghost's start."""
        if self.text.startswith(typed) and typed:
            self.text = self.text[len(typed) :]
            self.anchor += len(typed.encode("utf-16-le")) // 2
            return True
        return False


def paint_ghost(
    painter: QPainter,
    ghost: str,
    font: QFont,
    cursor_rect: QRect,
    left: float,
    right: float,
    color: QColor,
) -> None:
    """Draw `ghost` starting at the cursor, wrapping between `left` and `right`."""
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
    painter.restore()
