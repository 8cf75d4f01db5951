"""A rewrite shown as an inline diff over the text, and applying the writer's decision.

`InlineDiffView` is a read-only twin of the editor laid exactly over it: the same text,
font and column, with the passage under review replaced by the merged diff (removed
words struck through in red, added words in green, the current hunk highlighted, small
keep/refuse buttons after each hunk). The real document is not touched while the writer
decides. Keys: Ctrl+Enter keeps all, Esc refuses all, Alt+Down / Alt+Up move between
hunks, Alt+Y keeps the current hunk, Alt+N refuses it.

`apply_word_hunks` then makes the kept hunks one undoable edit: right to left, every
insertion, then every removal, each reported on its own (so inserted words are wholly
the model's, untouched words keep their authors, and undo gives each removed word back
its author), grouped into one undo step (`DraftEditor.undo_group`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QToolButton

from memory.positions import utf16_length
from ui.editor import DraftEditor, EditIntent


class HunkState(StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class ShownHunk:
    """A hunk as the view needs it: original[start:end] (code points) becomes `new`."""

    start: int
    end: int
    old: str
    new: str
    state: HunkState = HunkState.PENDING


REMOVED = QColor("#c62828")
ADDED = QColor("#2e7d32")
ADDED_BACKGROUND = QColor(46, 125, 50, 28)
REMOVED_BACKGROUND = QColor(198, 40, 40, 22)
CURRENT_BACKGROUND = QColor(255, 193, 7, 70)


class InlineDiffView(QPlainTextEdit):
    """The merged diff laid over the editor; it reports decisions, it decides nothing."""

    keep_all = Signal()
    refuse_all = Signal()
    keep = Signal(int)
    refuse = Signal(int)
    moved = Signal(int)  # +1 / -1
    current_changed = Signal(int)

    def __init__(self, editor: DraftEditor) -> None:
        super().__init__(editor)
        self.editor = editor
        self.setReadOnly(True)
        self.setFont(editor.font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.document().setDocumentMargin(editor.document().documentMargin())
        self.setFrameShape(editor.frameShape())
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._region_start = 0  # UTF-16, in the view's document
        self._region_length = 0
        self._hunk_spans: list[tuple[int, int]] = []  # UTF-16 spans in the view, per hunk
        self._buttons: list[tuple[QToolButton, QToolButton]] = []
        self.current = -1
        self.decidable = False
        self.status = ""
        self.verticalScrollBar().valueChanged.connect(self._place_buttons)
        self.hide()

    # --- showing ---------------------------------------------------------------------
    def begin(self, text: str, region_start16: int, region_length16: int) -> None:
        """Lay the view over the editor showing `text`, with the region to be diffed."""
        self.setGeometry(self.editor.rect())
        margins = self.editor.viewportMargins()
        self.setViewportMargins(margins.left(), margins.top(), margins.right(), margins.bottom())
        self.setPlainText(text)
        self._region_start = region_start16
        self._region_length = region_length16
        self.current = -1
        self.decidable = False
        # Follows the editor's size while shown only: a filter sees every event of the
        # editor (7 a keystroke), each a call into Python.
        self.editor.installEventFilter(self)
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.verticalScrollBar().setValue(self.editor.verticalScrollBar().value())

    def end(self) -> None:
        """Take the view away; the editor shows the (real) text again."""
        self._clear_buttons()
        self.editor.removeEventFilter(self)
        self.hide()
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_diff(
        self,
        original: str,
        hunks: Sequence[ShownHunk],
        current: int,
        *,
        decidable: bool,
        pending_tail: str = "",
    ) -> None:
        """Show `original` with `hunks` merged in; `pending_tail` is original text the
        rewrite has not reached yet (shown plain while it streams)."""
        self.current = current
        self.decidable = decidable
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._region_start)
        cursor.setPosition(
            self._region_start + self._region_length, QTextCursor.MoveMode.KeepAnchor
        )
        cursor.beginEditBlock()
        cursor.removeSelectedText()
        plain = QTextCharFormat()
        spans: list[tuple[int, int]] = []
        position = 0
        for index, hunk in enumerate(hunks):
            cursor.insertText(original[position : hunk.start], plain)
            begin = cursor.position()
            highlight = index == current and decidable
            if hunk.state is HunkState.PENDING:
                if hunk.old:
                    cursor.insertText(hunk.old, self._format("removed", highlight))
                if hunk.new:
                    cursor.insertText(hunk.new, self._format("added", highlight))
            elif hunk.state is HunkState.KEPT:
                cursor.insertText(hunk.new, self._format("kept", highlight))
            else:
                cursor.insertText(hunk.old, self._format("refused", highlight))
            spans.append((begin, cursor.position()))
            position = hunk.end
        cursor.insertText(original[position : len(original) - len(pending_tail)], plain)
        if pending_tail:
            waiting = QTextCharFormat()
            waiting.setForeground(QColor(self.palette().text().color()).lighter(130))
            cursor.insertText(pending_tail, waiting)
        self._region_length = cursor.position() - self._region_start
        cursor.endEditBlock()
        self._hunk_spans = spans
        self._make_buttons(hunks)
        if 0 <= current < len(spans):
            show = QTextCursor(self.document())
            show.setPosition(spans[current][1])
            self.setTextCursor(show)
            self.ensureCursorVisible()
        QTimer.singleShot(0, self._place_buttons)

    def _format(self, kind: str, current: bool) -> QTextCharFormat:
        fmt = QTextCharFormat()
        if kind == "removed":
            fmt.setForeground(REMOVED)
            fmt.setFontStrikeOut(True)
            fmt.setBackground(REMOVED_BACKGROUND)
        elif kind in ("added", "kept"):
            fmt.setForeground(ADDED)
            fmt.setBackground(ADDED_BACKGROUND)
            if kind == "added":
                fmt.setFontUnderline(True)
        if current:
            fmt.setBackground(CURRENT_BACKGROUND)
        return fmt

    # --- the mouse: small keep / refuse buttons after each pending hunk ----------------
    def _clear_buttons(self) -> None:
        for keep, refuse in self._buttons:
            keep.deleteLater()
            refuse.deleteLater()
        self._buttons = []

    def _make_buttons(self, hunks: Sequence[ShownHunk]) -> None:
        self._clear_buttons()
        if not self.decidable:
            return
        for index, hunk in enumerate(hunks):
            keep = self._button("✓", "Keep this change (Alt+Y)", ADDED)
            refuse = self._button("✗", "Refuse this change (Alt+N)", REMOVED)
            keep.clicked.connect(lambda _c=False, i=index: self.keep.emit(i))
            refuse.clicked.connect(lambda _c=False, i=index: self.refuse.emit(i))
            visible = hunk.state is HunkState.PENDING
            keep.setVisible(visible)
            refuse.setVisible(visible)
            self._buttons.append((keep, refuse))

    def _button(self, label: str, tip: str, color: QColor) -> QToolButton:
        button = QToolButton(self.viewport())
        button.setText(label)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setStyleSheet(
            f"QToolButton {{ color: {color.name()}; font-weight: bold; font-size: 9px; padding: 0;"
            f" border: 1px solid {color.name()}; border-radius: 3px; background: white; }}"
        )
        button.setFixedSize(16, 13)
        return button

    def _place_buttons(self) -> None:
        for (keep, refuse), (_begin, end) in zip(self._buttons, self._hunk_spans, strict=False):
            cursor = QTextCursor(self.document())
            cursor.setPosition(end)
            rect = self.cursorRect(cursor)
            top = rect.top() - keep.height() + 3  # above the line, just after the hunk
            keep.move(rect.right() - 1, top)
            refuse.move(rect.right() + keep.width(), top)

    def hunk_rect_center(self, index: int) -> tuple[int, int]:
        """Where hunk `index`'s keep button is (viewport coordinates), for tests."""
        keep, _refuse = self._buttons[index]
        return keep.x() + keep.width() // 2, keep.y() + keep.height() // 2

    def buttons(self, index: int) -> tuple[QToolButton, QToolButton]:
        return self._buttons[index]

    # --- keys ------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key, mods = event.key(), event.modifiers()
        alt = mods == Qt.KeyboardModifier.AltModifier
        if key == Qt.Key.Key_Escape:
            self.refuse_all.emit()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            mods & Qt.KeyboardModifier.ControlModifier
        ):
            self.keep_all.emit()
        elif alt and key == Qt.Key.Key_Down:
            self.moved.emit(1)
        elif alt and key == Qt.Key.Key_Up:
            self.moved.emit(-1)
        elif alt and key == Qt.Key.Key_Y:
            self.keep.emit(self.current)
        elif alt and key == Qt.Key.Key_N:
            self.refuse.emit(self.current)
        else:
            event.accept()  # nothing else edits while a rewrite is under review

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # Installed while the view is shown (see `begin`).
        if watched is self.editor and self.isVisible() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.editor.rect())
            margins = self.editor.viewportMargins()
            self.setViewportMargins(
                margins.left(), margins.top(), margins.right(), margins.bottom()
            )
            QTimer.singleShot(0, self._place_buttons)
        return False


def region_utf16(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, length) in UTF-16 units of text[start:end] (code points)."""
    return utf16_length(text[:start]), utf16_length(text[start:end])


def apply_word_hunks(
    editor: DraftEditor,
    region_start16: int,
    original: str,
    hunks: Sequence[ShownHunk],
    intent: EditIntent,
) -> None:
    """Apply `hunks` (over `original`, which starts at `region_start16`) as one undo step."""
    ordered = sorted(hunks, key=lambda h: (h.start, h.end), reverse=True)
    if not ordered:
        return
    spans = [
        (
            region_start16 + utf16_length(original[: hunk.start]),
            region_start16 + utf16_length(original[: hunk.end]),
        )
        for hunk in ordered
    ]
    # All insertions first (each just after the words it replaces), then all removals:
    # undo then puts every removed stretch back before any model text is taken away,
    # so each gets its own authors back.
    cursor = QTextCursor(editor.document())
    with editor.undo_group(), editor.intent(intent):
        for hunk, (_start16, end16) in zip(ordered, spans, strict=True):
            if hunk.new:
                cursor.beginEditBlock()
                cursor.setPosition(end16)
                cursor.insertText(hunk.new)
                cursor.endEditBlock()
        for index, (start16, end16) in enumerate(spans):
            if end16 == start16:
                continue
            shift = sum(utf16_length(h.new) for h in ordered[index + 1 :])  # those to the left
            cursor.beginEditBlock()
            cursor.setPosition(start16 + shift)
            cursor.setPosition(end16 + shift, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            cursor.endEditBlock()
    end = QTextCursor(editor.document())
    last = ordered[-1]
    end.setPosition(region_start16 + utf16_length(original[: last.start]))
    editor.setTextCursor(end)
