"""Inline suggestions: when the writer pauses, ask the model to continue the text.

`SuggestionController` is the one owner of the suggestion's state: where it was asked
for, what the model has written so far, what the writer has typed through. The editor
only paints the ghost text and forwards the suggestion keys (Tab, Ctrl+Right, Esc,
Alt+[ ]); every decision (accept, dismiss, keep the rest after the writer typed the
ghost's own start) is made here, on every change of the text or the cursor.

Newest input wins: every request cancels the one before it (between tokens).
Accepting inserts the text as the model's, through the authorship bridge.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.model_service import ModelService
from app.settings import Settings
from app.tasks import Cancelled, Task, TaskContext
from memory.events import How
from ui.editor import DraftEditor, EditIntent, SuggestionKey

if TYPE_CHECKING:
    from assistant.continuation import Suggestion
    from assistant.model import LanguageModel

log = logging.getLogger(__name__)

MIN_CONTEXT_CHARS = 2


@dataclass
class ActiveSuggestion:
    """The suggestion in play: asked for at `anchor` (UTF-16), `text` written so far."""

    anchor: int
    text: str = ""
    streaming: bool = True


class SuggestionController(QObject):
    """Connects the editor's pauses to the model and owns the suggestion on show."""

    speed_measured = Signal(float)
    suggestion_shown = Signal(str)
    accepted = Signal(str, bool)  # text inserted, whether it was only part
    dismissed = Signal()

    def __init__(self, editor: DraftEditor, model: ModelService, settings: Settings) -> None:
        super().__init__()
        self.editor = editor
        self.model = model
        self.settings = settings
        self.enabled = bool(settings["suggestions_enabled"])
        self._task: Task | None = None
        self._current: ActiveSuggestion | None = None
        self._inserting = False
        editor.set_pause_interval(int(settings["suggestion_delay_ms"]))
        editor.set_suggestion_keys(self)
        editor.paused.connect(self._paused)
        editor.cursorPositionChanged.connect(self._refresh)
        editor.textChanged.connect(self._refresh)

    # --- state -----------------------------------------------------------------
    @property
    def showing(self) -> str:
        """The part of the suggestion on show now ("" for none)."""
        return self.editor.ghost.text if self._current is not None else ""

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        if not enabled:
            self.dismiss()

    def _paused(self) -> None:
        if self._current is not None:
            return  # a suggestion is on show: the writer is reading or typing through it
        if self.enabled and self.editor.cursor_at_line_end():
            self.request()

    def request(self) -> bool:
        """Ask for a continuation at the cursor; False when there is nothing to ask."""
        editor = self.editor
        if editor.textCursor().hasSelection() or not self.model.ready:
            return False
        before = editor.text_before_cursor()
        if len(before.strip()) < MIN_CONTEXT_CHARS:
            return False
        self.dismiss(notify=False)
        anchor = editor.textCursor().position()
        self._current = ActiveSuggestion(anchor)
        editor.show_ghost("", streaming=True, anchor=anchor)
        max_tokens = int(self.settings["suggestion_max_tokens"])
        temperature = float(self.settings["temperature"])

        def work(backend: LanguageModel, ctx: TaskContext) -> Suggestion:
            from assistant.continuation import ContinuationSettings, continue_text

            result = continue_text(
                backend,
                before,
                ContinuationSettings(max_tokens=max_tokens, temperature=temperature),
                should_stop=lambda: ctx.cancelled,
                on_partial=ctx.partial,
            )
            if ctx.cancelled:
                raise Cancelled
            return result

        self._task = self.model.run(
            work,
            name="suggestion",
            key="suggestion",
            on_success=self._finished,
            on_partial=self._partial,
            on_failure=self._failed,
        )
        if self._task is None:
            self.dismiss(notify=False)
            return False
        return True

    def cancel(self) -> None:
        """Stop generating (what is on show stays)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def dismiss(self, *, notify: bool = True) -> None:
        """Drop the suggestion: stop generating and hide the ghost text."""
        had = self._current is not None
        self.cancel()
        self._current = None
        self.editor.clear_ghost()
        if had and notify:
            self.dismissed.emit()

    # --- what the writer did -------------------------------------------------------
    def _typed_since_anchor(self, anchor: int) -> str | None:
        """Text between the anchor and the cursor, or None if the cursor left it."""
        cursor = self.editor.textCursor()
        if cursor.hasSelection():
            return None
        position = cursor.position()
        if position < anchor:
            return None
        if position == anchor:
            return ""
        cursor.setPosition(anchor)
        cursor.setPosition(position, cursor.MoveMode.KeepAnchor)
        return cursor.selectedText().replace("\u2029", "\n")

    def _refresh(self) -> None:
        """After any change of text or cursor: keep what still matches, or drop it."""
        current = self._current
        if current is None or self._inserting:
            return
        typed = self._typed_since_anchor(current.anchor)
        if typed is None or not current.text.startswith(typed):
            self.dismiss()
            return
        rest = current.text[len(typed) :]
        if rest or current.streaming:
            self.editor.show_ghost(
                rest, streaming=current.streaming, anchor=self.editor.textCursor().position()
            )
            self.editor.hold_pause()
        else:
            self.dismiss()  # the writer typed all of it

    # --- the model's text ----------------------------------------------------------
    def _partial(self, text: object) -> None:
        if self._current is not None and isinstance(text, str):
            self._current.text = text
            self._refresh()

    def _finished(self, result: Suggestion) -> None:
        self._task = None
        if result.tokens_per_s:
            self.speed_measured.emit(float(result.tokens_per_s))
        current = self._current
        if current is None:
            return
        current.text = result.text
        current.streaming = False
        if not result.text:
            self.dismiss(notify=False)
            return
        self._refresh()
        if self._current is not None and self.showing:
            self.suggestion_shown.emit(self.showing)

    def _failed(self, exc: BaseException, details: str) -> None:
        self._task = None
        self.dismiss(notify=False)
        log.warning("suggestion failed: %s\n%s", exc, details)

    # --- keys (the editor forwards them while ghost text shows) -------------------
    def suggestion_key(self, key: SuggestionKey) -> bool:
        if self._current is None:
            return False
        if key is SuggestionKey.DISMISS:
            self.dismiss()
            return True
        if key is SuggestionKey.ACCEPT:
            return self.accept()
        if key is SuggestionKey.ACCEPT_WORD:
            return self.accept(part=self.editor.ghost.next_word())
        return False  # alternatives (Alt+[ ]) are not offered yet: the key is the editor's

    def accept(self, part: str | None = None) -> bool:
        """Insert the suggestion on show (or its first `part`) as the model's text."""
        shown = self.showing
        if not shown or self.editor.textCursor().position() != self.editor.ghost.anchor:
            return False
        text = shown if part is None else part
        partial = text != shown
        if not partial:
            self.cancel()
        how = How.PARTIAL if partial else How.SUGGESTION
        self._inserting = True
        try:
            self.editor.insert_as(text, EditIntent(how, author=self.model.author))
        finally:
            self._inserting = False
        self.accepted.emit(text, partial)
        self._refresh()  # the rest stays a suggestion; all of it accepted: none left
        return True
