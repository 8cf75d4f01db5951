"""The writing surface: a plain-text Markdown editor with inline ghost suggestions.

The editor knows nothing about models or storage. It shows ghost text it is given,
and reports what the writer does: a pause worth a suggestion, an accepted
suggestion, a dismissal. Every programmatic edit runs inside an `EditIntent`, so the
authorship bridge can tell typing from pasting, undoing or accepting model text.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, cast

from PySide6.QtCore import QEvent, QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QFont,
    QFontDatabase,
    QHelpEvent,
    QInputMethodEvent,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextBlock,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QToolTip, QWidget

from memory.events import Author, How
from ui import writing_aids
from ui.focus import FocusMode, paint_veil
from ui.ghost_text import GhostText, paint_ghost
from ui.markdown_style import HangingIndentLayout, TextStyler
from ui.theme import ghost_color_for

AUTHORSHIP_MIME = "application/x-draftsmith-authorship"
# Made once: PySide builds a new enum object for each `|` of flags (a keystroke's cost).
_COMMAND_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)
_NOT_SHIFT = ~Qt.KeyboardModifier.ShiftModifier
_NO_MODIFIER = Qt.KeyboardModifier.NoModifier  # plain typing: no `&` of flags (2 us each)
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_SERIF_FAMILIES = ("Charter", "Iowan Old Style", "Georgia", "Noto Serif", "DejaVu Serif")


@dataclass(frozen=True)
class EditIntent:
    """What the next document change is: who makes it and how (None: the writer)."""

    how: How
    author: Author | None = None
    payload: object = None  # e.g. authorship segments for text moved inside the document


TYPING = EditIntent(How.TYPED)


class SuggestionKey(StrEnum):
    """The keys that act on a suggestion on show; the suggestion's owner decides."""

    ACCEPT = "accept"  # Tab
    ACCEPT_WORD = "accept-word"  # Ctrl+Right
    ACCEPT_SENTENCE = "accept-sentence"  # Ctrl+Down: the rest of the sentence or line
    DISMISS = "dismiss"  # Esc
    NEXT = "next"  # Alt+]
    PREVIOUS = "previous"  # Alt+[


class SuggestionKeys(Protocol):
    """Whoever owns the suggestion (the app's controller) handles its keys."""

    def suggestion_key(self, key: SuggestionKey) -> bool:
        """Act on `key`; False when it means nothing now (the key then does what it
        normally does in the editor)."""
        ...


#: (selection start, end) in UTF-16 units -> authorship bytes to carry with copied text.
MimeAuthorship = Callable[[int, int], bytes | None]
#: a document position (UTF-16 units) -> the hover text for it ("" for none).
TooltipSource = Callable[[int], str]
#: a document position (UTF-16 units) -> context menu items to show first there:
#: (label, action); no action: a greyed note, or a separator when the label is "".
ContextItems = Callable[[int], list[tuple[str, Callable[[], object] | None]]]


def writing_font(point_size: int, family: str = "") -> QFont:
    """The writer's typeface (`family`), else a readable serif, else the system's."""
    families = set(QFontDatabase.families())
    for name in (family, *_SERIF_FAMILIES) if family else _SERIF_FAMILIES:
        if name in families:
            font = QFont(name, point_size)
            break
    else:
        font = QFont()
        font.setStyleHint(QFont.StyleHint.Serif)
        font.setPointSize(point_size)
    return font


class DraftEditor(QPlainTextEdit):
    """Plain-text editing with soft wrap, a centred column and ghost suggestions."""

    paused = Signal()  # the writer stopped typing for the suggestion delay
    #: The document's `contentsChange` (position, removed, added; UTF-16 units), told
    #: before the styler restyles the changed paragraphs, so that whoever keeps the text's
    #: authorship (the bridge) has recorded the change when the styler's layers ask it.
    contents_changed = Signal(int, int, int)

    def __init__(self, parent: QWidget | None = None, *, font_size: int = 13) -> None:
        super().__init__(parent)
        # The editor's document, with a layout that hangs list items. Held (and deleted)
        # by this wrapper, not parented to the widget: one owner, never deleted twice.
        document = QTextDocument()
        document.setDocumentLayout(HangingIndentLayout(document))
        document.contentsChange.connect(self.contents_changed)  # first: before the styler
        self._document = document
        self.setDocument(document)
        #: the one highlighter: Markdown styled in place, with layers (tints) over it
        self.styler = TextStyler(document, dark=self._page_is_dark())
        self.styler.set_visible_blocks(self.visible_blocks)
        self.verticalScrollBar().valueChanged.connect(self.styler.wake)
        self.ghost = GhostText()
        self.max_text_width = 760
        self._intents: list[EditIntent] = []
        self._mime_authorship: MimeAuthorship | None = None
        self._tooltip_at: TooltipSource | None = None
        self._context_items: ContextItems | None = None
        self._suggestion_keys: SuggestionKeys | None = None
        self._continue_lists = True
        self._smart_punctuation = False
        self._last_key_at = 0.0
        self._last_key_revision = -1
        self._undo_groups: list[tuple[int, int]] = []  # (undo steps before, after) a group
        self._redo_groups: list[tuple[int, int]] = []
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(250)
        self._pause.timeout.connect(self._pause_elapsed)
        self.setFont(writing_font(font_size))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTabChangesFocus(False)
        self.setMouseTracking(True)
        self.setCenterOnScroll(False)
        self.document().setDocumentMargin(12)
        self.focus_mode = FocusMode.OFF
        self.typewriter = False
        self._following_cursor = False  # `_cursor_moved` connected (focus or typewriter on)
        self.document().setModified(False)  # setting the margin marks a new document modified

    # --- intents -------------------------------------------------------------
    @contextlib.contextmanager
    def intent(self, intent: EditIntent) -> Iterator[None]:
        """Mark the edits made inside this block as `intent` for the authorship bridge."""
        self._intents.append(intent)
        try:
            yield
        finally:
            self._intents.pop()

    def current_intent(self) -> EditIntent:
        return self._intents[-1] if self._intents else TYPING

    # --- what others provide ----------------------------------------------------
    def set_mime_authorship(self, source: MimeAuthorship | None) -> None:
        """Who provides the authorship carried with cut, copied and dragged text."""
        self._mime_authorship = source

    def set_suggestion_keys(self, owner: SuggestionKeys | None) -> None:
        """Who decides what Tab, Ctrl+Right, Esc and Alt+[ ] do while a suggestion shows."""
        self._suggestion_keys = owner

    def set_tooltip_source(self, source: TooltipSource | None) -> None:
        """Who says what the hover tooltip shows (None: no tooltip)."""
        self._tooltip_at = source

    def set_context_items(self, source: ContextItems | None) -> None:
        """Who adds items at the top of the context menu for the clicked position."""
        self._context_items = source

    # --- suggestion timing ------------------------------------------------------
    def set_pause_interval(self, ms: int) -> None:
        self._pause.setInterval(max(0, ms))

    def _typed(self) -> None:
        """The writer changed the text from the keyboard: a pause after this may suggest.
        Opening a file, Replace All or a paste never starts one."""
        self._pause.start()

    def _pause_elapsed(self) -> None:
        if (
            self.hasFocus()
            or self.isActiveWindow()
            or self.testAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        ):
            self.paused.emit()

    def cursor_at_line_end(self) -> bool:
        """True when nothing but spaces follows the cursor in its paragraph."""
        cursor = self.textCursor()
        if cursor.hasSelection():
            return False
        block = cursor.block()
        rest = block.text()[cursor.positionInBlock() :]
        return not rest.strip()

    def text_after_cursor_in_line(self) -> str:
        """What follows the cursor in its paragraph."""
        cursor = self.textCursor()
        return cursor.block().text()[cursor.positionInBlock() :]

    def text_after_cursor(self, limit: int = 200) -> str:
        """Up to `limit` characters after the cursor."""
        cursor = QTextCursor(self.document())
        start = self.textCursor().position()
        end = min(start + limit, self.document().characterCount() - 1)
        cursor.setPosition(start)
        cursor.setPosition(max(start, end), QTextCursor.MoveMode.KeepAnchor)
        return cursor.selectedText().replace("\u2029", "\n")

    def text_before_cursor(self) -> str:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.textCursor().position(), QTextCursor.MoveMode.KeepAnchor)
        return cursor.selectedText().replace("\u2029", "\n")

    # --- ghost text (painted here; owned by the suggestion controller) ------------
    def show_ghost(self, text: str, *, streaming: bool, anchor: int | None = None) -> None:
        """Paint `text` in grey at `anchor` (default: the cursor); empty text paints none."""
        self.ghost.anchor = self.textCursor().position() if anchor is None else anchor
        self.ghost.text = text
        self.ghost.streaming = streaming
        self.viewport().update()

    def set_ghost_indicator(self, text: str) -> None:
        """A small note painted after the ghost text, such as "2/3" for alternatives."""
        if self.ghost.indicator != text:
            self.ghost.indicator = text
            self.viewport().update()

    def clear_ghost(self) -> None:
        """Stop painting ghost text."""
        if self.ghost.anchor >= 0 or self.ghost.text:
            self.ghost.clear()
            self.viewport().update()

    def insert_as(self, text: str, intent: EditIntent) -> None:
        """Insert `text` at the cursor as one undoable edit attributed by `intent`."""
        cursor = self.textCursor()
        with self.intent(intent):  # Qt reports an edit block's change when the block ends
            cursor.beginEditBlock()  # its own undo step, not merged with the typing before it
            cursor.insertText(text)
            cursor.endEditBlock()
        self.setTextCursor(cursor)
        self._pause.stop()

    def hold_pause(self) -> None:
        """Forget the pending pause (a suggestion is still on show: don't ask again)."""
        self._pause.stop()

    # --- undo/redo and clipboard go through intents ------------------------------------
    @contextlib.contextmanager
    def undo_group(self) -> Iterator[None]:
        """Make the undo steps recorded inside this block one step for the writer: Ctrl+Z
        takes them all back (and Ctrl+Shift+Z brings them all back). Each step is still
        reported to the authorship bridge on its own."""
        before = self.document().availableUndoSteps()
        try:
            yield
        finally:
            after = self.document().availableUndoSteps()
            if after - before > 1:
                self._undo_groups.append((before, after))
                self._redo_groups.clear()

    def undo(self) -> None:
        available = self.document().availableUndoSteps()
        while self._undo_groups and self._undo_groups[-1][1] > available:
            self._undo_groups.pop()  # taken back step by step already
        doc = self.document()
        with self.intent(EditIntent(How.UNDO)):
            if self._undo_groups and self._undo_groups[-1][1] == available:
                group = self._undo_groups.pop()
                self._redo_groups.append(group)
                # Qt counts commands, not steps: undo until the group's start is reached.
                while doc.availableUndoSteps() > group[0] and doc.isUndoAvailable():
                    super().undo()
            else:
                super().undo()

    def redo(self) -> None:
        doc = self.document()
        group = self._redo_groups[-1] if self._redo_groups else None
        if group is not None and group[0] != doc.availableUndoSteps():
            self._redo_groups.clear()  # the writer edited since: Qt dropped those redos
            group = None
        with self.intent(EditIntent(How.REDO)):
            if group is not None:
                self._redo_groups.pop()
                self._undo_groups.append(group)
                while doc.availableUndoSteps() < group[1] and doc.isRedoAvailable():
                    super().redo()
            else:
                super().redo()

    def createMimeDataFromSelection(self) -> QMimeData:  # noqa: N802 - Qt override
        # Qt's mime object must stay Qt-made: the clipboard owns and deletes it. It lists
        # only its built-in formats, so the authorship is read back with data(), not formats().
        mime = super().createMimeDataFromSelection()
        cursor = self.textCursor()
        if self._mime_authorship is not None and cursor.hasSelection():
            payload = self._mime_authorship(cursor.selectionStart(), cursor.selectionEnd())
            if payload:
                mime.setData(AUTHORSHIP_MIME, payload)
        return mime

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 - Qt override
        authorship = bytes(source.data(AUTHORSHIP_MIME).data())
        if authorship:
            intent = EditIntent(How.MOVE, payload=authorship)
        else:
            intent = EditIntent(How.PASTE)
        plain = QMimeData()
        plain.setText(source.text())
        with self.intent(intent):
            super().insertFromMimeData(plain)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt override
        menu = QMenu(self)
        if self._context_items is not None:
            clicked = self.cursorForPosition(event.pos()).position()
            items = self._context_items(clicked)
            for words, run in items:
                if run is not None:
                    menu.addAction(words).triggered.connect(lambda _c=False, r=run: r())
                elif words:
                    menu.addAction(words).setEnabled(False)  # a note, such as "No suggestions"
                else:
                    menu.addSeparator()
            if items:
                menu.addSeparator()
        doc = self.document()
        has_selection = self.textCursor().hasSelection()
        for label, slot, enabled, keys in (
            ("Undo", self.undo, doc.isUndoAvailable(), QKeySequence.StandardKey.Undo),
            ("Redo", self.redo, doc.isRedoAvailable(), QKeySequence.StandardKey.Redo),
            (None, None, False, None),
            ("Cut", self.cut, has_selection, QKeySequence.StandardKey.Cut),
            ("Copy", self.copy, has_selection, QKeySequence.StandardKey.Copy),
            ("Paste", self.paste, self.canPaste(), QKeySequence.StandardKey.Paste),
            (None, None, False, None),
            ("Select All", self.selectAll, not doc.isEmpty(), QKeySequence.StandardKey.SelectAll),
        ):
            if label is None or slot is None or keys is None:
                menu.addSeparator()
                continue
            action = menu.addAction(label)
            action.setShortcut(QKeySequence(keys))
            action.setEnabled(enabled)
            action.triggered.connect(slot)
        menu.exec(event.globalPos())

    # --- keys ------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        text = event.text()
        mods = event.modifiers()
        # A printable character with no modifier but Shift is never Undo or Redo.
        if not (text and text.isprintable()) or (mods is not _NO_MODIFIER and mods & _NOT_SHIFT):
            if event.matches(QKeySequence.StandardKey.Undo):
                self.undo()
                return
            if event.matches(QKeySequence.StandardKey.Redo):
                self.redo()
                return
        key = self._suggestion_key(event)
        if key is not None and self._suggestion_keys is not None:
            if self._suggestion_keys.suggestion_key(key):
                return
        revision = self.document().revision()
        self._type(event)
        if self.document().revision() != revision and not self.isReadOnly():
            self._typed()

    # --- typing: undo in a writer's steps, lists that continue, smart punctuation ----
    def set_writing_aids(self, *, continue_lists: bool, smart_punctuation: bool) -> None:
        self._continue_lists = continue_lists
        self._smart_punctuation = smart_punctuation

    def _type(self, event: QKeyEvent) -> None:
        """Qt's typing, with the writing aids (see `ui.writing_aids`)."""
        text = event.text()
        mods = event.modifiers()
        modifiers = mods is not _NO_MODIFIER and bool(mods & _COMMAND_MODIFIERS)
        cursor = self.textCursor()
        enter = event.key() in _ENTER_KEYS
        if self.isReadOnly() or modifiers or not (enter or (text and text.isprintable())):
            super().keyPressEvent(event)
            return
        before = cursor.block().text()[: cursor.positionInBlock()]
        if enter and self._continue_lists and not cursor.hasSelection():
            plain_enter = not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            follow = writing_aids.list_continuation(cursor.block().text(), len(before))
            if plain_enter and follow is not None:
                cursor.beginEditBlock()
                if follow.end_list:  # Enter on an empty item ends the list
                    cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock)
                    cursor.movePosition(
                        QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor
                    )
                    cursor.removeSelectedText()
                else:
                    cursor.insertText("\n" + follow.insert)
                cursor.endEditBlock()
                self.setTextCursor(cursor)
                self._after_key()
                return
        if self._smart_punctuation and len(text) == 1 and not cursor.hasSelection():
            smart = writing_aids.smart_punctuation(before, text)
            if smart is not None:
                replace, replacement = smart
                cursor.beginEditBlock()
                if replace:
                    cursor.movePosition(
                        QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, replace
                    )
                cursor.insertText(replacement)
                cursor.endEditBlock()
                self.setTextCursor(cursor)
                self._after_key()
                return
        new_step = writing_aids.starts_undo_step(
            before[-1:],
            "\n" if enter else text,
            since_last_key=time.monotonic() - self._last_key_at,
            edited_elsewhere=self.document().revision() != self._last_key_revision,
        )
        if new_step:  # its own edit block: Qt never merges it with what came before
            cursor.beginEditBlock()
            try:
                super().keyPressEvent(event)
            finally:
                cursor.endEditBlock()
        else:
            super().keyPressEvent(event)
        self._after_key()

    def _after_key(self) -> None:
        self._last_key_at = time.monotonic()
        self._last_key_revision = self.document().revision()

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:  # noqa: N802 - Qt override
        revision = self.document().revision()
        super().inputMethodEvent(event)
        if self.document().revision() != revision:
            self._typed()

    def _suggestion_key(self, event: QKeyEvent) -> SuggestionKey | None:
        """The suggestion key `event` is, while ghost text shows (or streams)."""
        if not (self.ghost.visible or self.ghost.streaming):
            return None
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_Escape:
            return SuggestionKey.DISMISS
        if not self.ghost.visible:
            return None
        if key == Qt.Key.Key_Tab and mods == Qt.KeyboardModifier.NoModifier:
            return SuggestionKey.ACCEPT
        if key == Qt.Key.Key_Right and mods == Qt.KeyboardModifier.ControlModifier:
            return SuggestionKey.ACCEPT_WORD
        if key == Qt.Key.Key_Down and mods == Qt.KeyboardModifier.ControlModifier:
            return SuggestionKey.ACCEPT_SENTENCE
        if mods == Qt.KeyboardModifier.AltModifier and key == Qt.Key.Key_BracketRight:
            return SuggestionKey.NEXT
        if mods == Qt.KeyboardModifier.AltModifier and key == Qt.Key.Key_BracketLeft:
            return SuggestionKey.PREVIOUS
        return None

    # --- layout and painting -------------------------------------------------------
    def visible_blocks(self) -> Iterator[QTextBlock]:
        """The paragraphs on screen now, top to bottom."""
        block = self.firstVisibleBlock()
        top = self.blockBoundingGeometry(block).translated(self.contentOffset()).top()
        bottom = self.viewport().height()
        while block.isValid() and top <= bottom:
            yield block
            top += self.blockBoundingRect(block).height()
            block = block.next()

    def _page_is_dark(self) -> bool:
        return self.palette().color(self.palette().ColorRole.Base).lightness() < 128

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        kind = event.type()
        if kind == QEvent.Type.PaletteChange and hasattr(self, "styler"):
            self.styler.set_dark(self._page_is_dark())
        elif kind == QEvent.Type.FontChange and hasattr(self, "styler"):
            self.styler.font_changed()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        self._centre_column()  # margins first, so the relayout below wraps at the new width
        super().resizeEvent(event)

    # --- focus mode and typewriter scrolling (iA Writer's) ---------------------------------
    def set_focus_mode(self, mode: FocusMode | str) -> None:
        """Dim everything but the current sentence or paragraph ("off" for neither)."""
        self.focus_mode = FocusMode(mode)
        self._follow_cursor_if_needed()
        self.viewport().update()

    def set_typewriter(self, on: bool) -> None:
        """Keep the line being written in the middle of the window."""
        self.typewriter = on
        self._follow_cursor_if_needed()
        self.setCenterOnScroll(on)  # lets the last lines come up to the middle too
        if on:
            self.centerCursor()

    def _follow_cursor_if_needed(self) -> None:
        """Hear the cursor move only while a mode needs it: each slot connected to a
        signal of every keystroke is a call into Python."""
        wanted = self.typewriter or self.focus_mode != FocusMode.OFF
        if wanted and not self._following_cursor:
            self.cursorPositionChanged.connect(self._cursor_moved)
        elif self._following_cursor and not wanted:
            self.cursorPositionChanged.disconnect(self._cursor_moved)
        self._following_cursor = wanted

    def _cursor_moved(self) -> None:
        if self.typewriter:
            self.centerCursor()
        if self.focus_mode != FocusMode.OFF:
            self.viewport().update()

    def set_max_text_width(self, pixels: int) -> None:
        self.max_text_width = pixels
        self._centre_column()

    def _centre_column(self) -> None:
        width = self.width()
        if self.max_text_width <= 0 or width <= self.max_text_width + 40:
            side = 0
        else:
            side = (width - self.max_text_width) // 2
        if self.viewportMargins().left() != side:
            self.setViewportMargins(side, 8, side, 8)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        layout = self.document().documentLayout()
        if isinstance(layout, HangingIndentLayout):  # list items on screen hung first
            layout.hang_list_items(self.visible_blocks())
        super().paintEvent(event)
        if self.focus_mode != FocusMode.OFF:
            veil = QPainter(self.viewport())
            paint_veil(self, veil, self.focus_mode)
            veil.end()
        if not self.ghost.visible or self.textCursor().position() != self.ghost.anchor:
            return
        painter = QPainter(self.viewport())
        margin = self.document().documentMargin()
        left = self.contentOffset().x() + margin
        right = self.viewport().width() - margin
        paint_ghost(
            painter,
            self.ghost.text,
            self.font(),
            self.cursorRect(),
            left,
            right,
            ghost_color_for(self),
            indicator=self.ghost.indicator,
        )
        painter.end()

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.ToolTip and self._tooltip_at is not None:
            help_event = cast(QHelpEvent, event)
            cursor = self.cursorForPosition(help_event.pos())
            tip = self._tooltip_at(cursor.position())
            if tip:
                QToolTip.showText(help_event.globalPos(), tip, self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)
