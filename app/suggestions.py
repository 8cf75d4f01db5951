"""Inline suggestions: when the writer pauses, ask the model to continue the text.

Newest input wins: every request cancels the one before it (between tokens), and
typing, moving the cursor or Esc drop the ghost text. Partial results stream into
the editor as ghost text; accepting inserts the text as the model's.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.model_service import ModelService
from app.tasks import Cancelled, Task, TaskContext
from memory.events import How
from ui.editor import DraftEditor, EditIntent

log = logging.getLogger(__name__)

MIN_CONTEXT_CHARS = 2


class SuggestionController(QObject):
    """Connects the editor's pauses to the model and the model's text to the ghost."""

    speed_measured = Signal(float)
    suggestion_shown = Signal(str)

    def __init__(self, editor: DraftEditor, model: ModelService, settings: Any) -> None:
        super().__init__()
        self.editor = editor
        self.model = model
        self.settings = settings
        self.enabled = bool(settings["suggestions_enabled"])
        self._task: Task | None = None
        self._anchor = -1
        editor.set_pause_interval(int(settings["suggestion_delay_ms"]))
        editor.paused.connect(self._paused)
        editor.ghost_dismissed.connect(self.cancel)
        editor.ghost_accepted.connect(self._accept)

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        if not enabled:
            self.cancel()
            self.editor.clear_ghost(notify=False)

    def _paused(self) -> None:
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
        self.cancel()
        self._anchor = editor.textCursor().position()
        editor.show_ghost("", streaming=True, anchor=self._anchor)
        max_tokens = int(self.settings["suggestion_max_tokens"])
        temperature = float(self.settings["temperature"])

        def work(backend: Any, ctx: TaskContext) -> Any:
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
        return self._task is not None

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def _typed_since_anchor(self) -> str | None:
        """Text the writer typed after the request's anchor, or None if they moved away."""
        position = self.editor.textCursor().position()
        if position < self._anchor:
            return None
        if position == self._anchor:
            return ""
        cursor = self.editor.textCursor()
        cursor.setPosition(self._anchor)
        cursor.setPosition(position, cursor.MoveMode.KeepAnchor)
        return cursor.selectedText().replace("\u2029", "\n")

    def _show(self, full_text: str, streaming: bool) -> None:
        typed = self._typed_since_anchor()
        if typed is None or not full_text.startswith(typed):
            self.cancel()
            self.editor.clear_ghost(notify=False)
            return
        rest = full_text[len(typed) :]
        if rest:
            self.editor.show_ghost(
                rest, streaming=streaming, anchor=self.editor.textCursor().position()
            )
            if not streaming:
                self.suggestion_shown.emit(rest)
        else:
            self.editor.clear_ghost(notify=False)

    def _partial(self, text: object) -> None:
        if self._task is not None and not self._task.cancelled and isinstance(text, str):
            self._show(text, streaming=True)

    def _finished(self, result: Any) -> None:
        self._task = None
        if getattr(result, "tokens_per_s", None):
            self.speed_measured.emit(float(result.tokens_per_s))
        text = getattr(result, "text", "") or ""
        if text:
            self._show(text, streaming=False)
        else:
            self.editor.clear_ghost(notify=False)

    def _failed(self, exc: BaseException, details: str) -> None:
        self._task = None
        self.editor.clear_ghost(notify=False)
        log.warning("suggestion failed: %s\n%s", exc, details)

    def _accept(self, text: str, partial: bool) -> None:
        if not partial:
            self.cancel()
        author = self.model.author
        how = How.PARTIAL if partial else How.SUGGESTION
        self.editor.insert_as(text, EditIntent(how, author=author))
