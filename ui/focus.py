"""Focus mode: everything but the current sentence or paragraph is dimmed.

Drawn over the painted text as a veil of the page's colour (the text and its formats
are untouched, so it costs one fill per repaint however long the document is); the
sentence or paragraph under the cursor is left clear.
"""

from __future__ import annotations

import bisect
from enum import StrEnum
from typing import cast

from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QColor, QPainter, QRegion, QTextLine
from PySide6.QtWidgets import QPlainTextEdit

from ui.markdown_style import utf16_offsets
from ui.text_stats import sentence_bounds

VEIL_OPACITY = 0.65


class FocusMode(StrEnum):
    OFF = "off"
    SENTENCE = "sentence"
    PARAGRAPH = "paragraph"


def focus_rects(editor: QPlainTextEdit, mode: FocusMode) -> list[QRectF]:
    """Where the text in focus is drawn, in viewport coordinates."""
    cursor = editor.textCursor()
    block = cursor.block()
    top = editor.blockBoundingGeometry(block).translated(editor.contentOffset())
    if mode == FocusMode.PARAGRAPH:
        return [QRectF(0, top.top(), editor.viewport().width(), top.height())]
    text = block.text()
    offsets = utf16_offsets(text)
    inside = cursor.positionInBlock()
    at = inside if offsets is None else bisect.bisect_left(offsets, inside)
    start, end = sentence_bounds(text, at)
    if offsets is not None:
        start, end = offsets[start], offsets[end]
    layout = block.layout()
    rects = []
    for number in range(layout.lineCount()):
        line = layout.lineAt(number)
        first, last = line.textStart(), line.textStart() + line.textLength()
        a, b = max(start, first), min(end, last)
        if a >= b and not (start == end == a):
            continue
        x1 = _x(line, a)
        x2 = _x(line, b)
        rects.append(QRectF(min(x1, x2), top.top() + line.y(), abs(x2 - x1) + 2, line.height()))
    return rects or [QRectF(0, top.top(), editor.viewport().width(), top.height())]


def _x(line: QTextLine, position: int) -> float:
    """Where `position` is drawn on `line` (PySide returns cursorToX's in-out pair)."""
    return cast(tuple[float, int], line.cursorToX(position))[0]


def paint_veil(editor: QPlainTextEdit, painter: QPainter, mode: FocusMode) -> None:
    """Dim the viewport except the focused text."""
    if mode == FocusMode.OFF:
        return
    area = editor.viewport().rect()
    region = QRegion(area)
    for rect in focus_rects(editor, mode):
        region -= QRegion(rect.toAlignedRect().adjusted(-1, -1, 1, 1))
    veil = QColor(editor.palette().color(editor.palette().ColorRole.Base))
    veil.setAlphaF(VEIL_OPACITY)
    painter.save()
    painter.setClipRegion(region)
    painter.fillRect(QRect(area), veil)
    painter.restore()
