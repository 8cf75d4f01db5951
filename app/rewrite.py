"""Rewrite a selection (Ctrl+K): ask, stream the rewrite as an inline diff, apply what
the writer keeps.

`RewriteController` owns one rewrite at a time: the passage (the selection, or the
paragraph at the cursor), its paragraphs rewritten one model job each (`task=REWRITE`),
the word hunks and the writer's decision on each. Nothing in the document changes until
the decision; then the kept hunks go in as one undo step, as the model's text (How.REWRITE),
while every untouched word keeps its author.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Signal
from PySide6.QtGui import QTextCursor

from app import messages
from app.long_jobs import Waiting, made_way, make_way, shares_lane
from app.model_service import REWRITE, ModelService
from app.tasks import Cancelled, Task, TaskContext
from assistant.rewrite import CHOICES, Unit, paragraph_units, rewrite_paragraph
from assistant.word_diff import word_hunks
from memory.events import Author, How
from memory.positions import utf16_length
from ui.editor import DraftEditor, EditIntent
from ui.inline_diff import HunkState, InlineDiffView, ShownHunk, apply_word_hunks
from ui.rewrite_bar import RewriteBar

if TYPE_CHECKING:
    from assistant.model import LanguageModel

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class UnitResult:
    index: int
    text: str
    author: Author | None
    made_way: bool = False


@dataclass
class Review:
    """The rewrite in play: the passage, where it starts, its paragraphs and hunks."""

    label: str
    instruction: str
    original: str
    start16: int
    units: list[Unit]
    rewritten: dict[int, str]
    hunks: list[ShownHunk]
    current: int = -1
    in_flight: int = 0  # the paragraph being rewritten now
    streamed: str = ""  # its text so far
    done: bool = False
    author: Author | None = None


class RewriteController(QObject):
    """The one owner of a rewrite under way or under review."""

    started = Signal()
    ready = Signal(int)  # the rewrite is complete: how many hunks to decide
    decided = Signal(int, int)  # hunks kept, hunks in all
    updated = Signal()

    def __init__(
        self, editor: DraftEditor, model: ModelService, suggestions: Waiting | None = None
    ) -> None:
        super().__init__()
        self.editor = editor
        self.model = model
        self.suggestions = suggestions
        self.bar = RewriteBar(CHOICES, editor)
        self.view = InlineDiffView(editor)
        self.review: Review | None = None
        self._task: Task | None = None
        self._range: tuple[int, int] | None = None
        self.bar.chosen.connect(self._chosen)
        self.bar.closed.connect(lambda: self.editor.setFocus())
        self.view.keep_all.connect(self.keep_all)
        self.view.refuse_all.connect(self.refuse_all)
        self.view.keep.connect(lambda i: self.decide(i, HunkState.KEPT))
        self.view.refuse.connect(lambda i: self.decide(i, HunkState.REFUSED))
        self.view.moved.connect(self.move)

    @property
    def active(self) -> bool:
        return self.review is not None

    # --- asking ------------------------------------------------------------------------
    def passage(self) -> tuple[int, int] | None:
        """The selection, or the paragraph at the cursor (UTF-16 range); None if blank."""
        cursor = self.editor.textCursor()
        if cursor.hasSelection():
            return cursor.selectionStart(), cursor.selectionEnd()
        block = cursor.block()
        if not block.text().strip():
            return None
        return block.position(), block.position() + block.length() - 1

    def open_bar(self) -> bool:
        """Ctrl+K: show the command bar over the passage; False when there is none."""
        if self.review is not None:
            return False
        found = self.passage()
        if found is None:
            messages.info("Select some text, or put the cursor in a paragraph, to rewrite it.")
            return False
        self._range = found
        scope = "the selection" if self.editor.textCursor().hasSelection() else "this paragraph"
        cursor = QTextCursor(self.editor.document())
        cursor.setPosition(found[1])  # below the passage, so the bar never hides it
        rect = self.editor.cursorRect(cursor)
        cursor.setPosition(found[0])
        rect.setLeft(self.editor.cursorRect(cursor).left())
        margins = self.editor.viewportMargins()
        self.bar.open_at(QPoint(rect.left() + margins.left(), rect.bottom() + 12), scope)
        return True

    def _chosen(self, label: str, instruction: str) -> None:
        if self._range is not None:
            self.start(instruction, *self._range, label=label)

    def start(self, instruction: str, start16: int, end16: int, *, label: str = "") -> bool:
        """Rewrite document[start16:end16] following `instruction`."""
        if self.review is not None or not self.model.ready:
            if not self.model.ready:
                messages.warning("The model is not ready yet, so nothing can be rewritten.")
            return False
        cursor = QTextCursor(self.editor.document())
        cursor.setPosition(start16)
        cursor.setPosition(end16, QTextCursor.MoveMode.KeepAnchor)
        original = cursor.selectedText().replace("\u2029", "\n")
        units = paragraph_units(original)
        if not units:
            return False
        dismiss = getattr(self.suggestions, "dismiss", None)
        if callable(dismiss):
            dismiss(notify=False)
        self.review = Review(label or "Custom", instruction, original, start16, units, {}, [])
        self.view.begin(self.editor.toPlainText(), start16, utf16_length(original))
        self.started.emit()
        self._render()
        self._rewrite_unit(0)
        return True

    def _author(self, fallback: Author | None) -> Author | None:
        author_for = getattr(self.model, "author_for", None)
        if callable(author_for):
            found = author_for(REWRITE)
            if isinstance(found, Author):
                return found
        return fallback or self.model.author

    def _rewrite_unit(self, index: int) -> None:
        review = self.review
        assert review is not None
        review.in_flight = index
        review.streamed = ""
        unit = review.units[index]
        instruction = review.instruction
        suggestions = self.suggestions
        shared = shares_lane(self.model, REWRITE)

        def work(model: LanguageModel, ctx: TaskContext) -> UnitResult:
            stop = make_way(ctx, suggestions, shared)
            text = rewrite_paragraph(
                model, instruction, unit.text, should_stop=stop, on_text=ctx.partial
            )
            if ctx.cancelled:
                raise Cancelled
            if made_way(ctx, suggestions, shared):
                return UnitResult(index, "", None, made_way=True)
            return UnitResult(index, text, model.identity.author())

        self._task = self.model.run(
            work,
            name="rewrite",
            key="rewrite",
            task=REWRITE,
            on_success=self._unit_done,
            on_partial=self._partial,
            on_failure=self._failed,
        )
        if self._task is None:
            messages.warning("The model is not ready, so the rewrite stopped.")
            self._close()

    def _partial(self, value: object) -> None:
        if self.review is not None and isinstance(value, str):
            self.review.streamed = value
            self._render()

    def _unit_done(self, result: UnitResult) -> None:
        review = self.review
        self._task = None
        if review is None:
            return
        if result.made_way:
            self._rewrite_unit(result.index)  # queued behind the suggestion that waited
            return
        review.author = self._author(result.author)
        review.rewritten[result.index] = result.text
        review.streamed = ""
        if result.index + 1 < len(review.units):
            self._rewrite_unit(result.index + 1)
            self._render()
            return
        review.done = True
        review.hunks = self._hunks(review, final=True)
        if not review.hunks:
            messages.info("The model suggested no changes to this passage.")
            self._close()
            return
        review.current = 0
        self._render()
        self.ready.emit(len(review.hunks))

    def _failed(self, exc: BaseException, details: str) -> None:
        self._task = None
        log.warning("rewrite failed: %s\n%s", exc, details)
        messages.error(f"The rewrite failed: {exc}")
        self._close()

    # --- the diff ------------------------------------------------------------------------
    def _hunks(self, review: Review, *, final: bool) -> list[ShownHunk]:
        out: list[ShownHunk] = []
        for index, unit in enumerate(review.units):
            new = review.rewritten.get(index)
            streaming = False
            if new is None and not final and index == review.in_flight and review.streamed:
                new, streaming = review.streamed, True
            if not new or new == unit.text:
                continue
            hunks = word_hunks(unit.text, new)
            if streaming and hunks and hunks[-1].end == len(unit.text) and hunks[-1].is_delete:
                hunks = hunks[:-1]  # the rest of the paragraph is not reached yet
            out += [
                ShownHunk(unit.start + h.start, unit.start + h.end, h.old, h.new) for h in hunks
            ]
        return out

    def _render(self) -> None:
        review = self.review
        if review is None:
            return
        hunks = review.hunks if review.done else self._hunks(review, final=False)
        self.view.show_diff(review.original, hunks, review.current, decidable=review.done)
        self.updated.emit()

    # --- deciding ----------------------------------------------------------------------
    def decide(self, index: int, state: HunkState) -> None:
        """Alt+Y / Alt+N or a hunk's button: keep or refuse one hunk."""
        review = self.review
        if review is None or not review.done or not 0 <= index < len(review.hunks):
            return
        review.hunks[index] = replace(review.hunks[index], state=state)
        pending = [i for i, h in enumerate(review.hunks) if h.state is HunkState.PENDING]
        if not pending:
            self._apply()
            return
        later = [i for i in pending if i > index]
        review.current = later[0] if later else pending[0]
        self._render()

    def move(self, step: int) -> None:
        """Alt+Down / Alt+Up: the next or previous hunk."""
        review = self.review
        if review is None or not review.done or not review.hunks:
            return
        review.current = (review.current + step) % len(review.hunks)
        self._render()

    def keep_all(self) -> None:
        """Ctrl+Enter: keep every hunk not refused, and apply."""
        self._finish(HunkState.KEPT)

    def refuse_all(self) -> None:
        """Esc: refuse every hunk not kept (stopping the model if it is still writing)."""
        self._finish(HunkState.REFUSED)

    def _finish(self, rest: HunkState) -> None:
        review = self.review
        if review is None:
            return
        if not review.done:
            if rest is HunkState.REFUSED:
                self._close()
            return
        review.hunks = [
            replace(h, state=rest) if h.state is HunkState.PENDING else h for h in review.hunks
        ]
        self._apply()

    def _apply(self) -> None:
        review = self.review
        if review is None:
            return
        kept = [h for h in review.hunks if h.state is HunkState.KEPT]
        total = len(review.hunks)
        self._close()
        if kept:
            intent = EditIntent(How.REWRITE, author=review.author or self.model.author)
            apply_word_hunks(self.editor, review.start16, review.original, kept, intent)
        self.decided.emit(len(kept), total)

    def cancel(self) -> None:
        """Stop and forget the rewrite without changing anything (window closing)."""
        self._close()

    def _close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.review = None
        self.view.end()
