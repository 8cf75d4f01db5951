"""Brainstorm (Ctrl+Shift+B): ideas from the model in a side panel, kept per document.

`BrainstormController` asks the model (`task=BRAINSTORM`, making way for suggestions on
a shared lane), streams each idea into the panel as its line completes, inserts a
chosen idea at the cursor as the model's text (How.BRAINSTORM), and keeps every request
and its ideas in the store, so the panel shows them again when the document reopens.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app import messages
from app.long_jobs import Waiting, made_way, make_way, shares_lane
from app.model_service import BRAINSTORM, ModelService
from app.tasks import Cancelled, Task, TaskContext
from assistant.brainstorm import KINDS, BrainstormRequest, BrainstormResult, brainstorm
from memory.events import Author, How
from ui.brainstorm_panel import BrainstormPanel
from ui.editor import DraftEditor, EditIntent

if TYPE_CHECKING:
    from assistant.model import LanguageModel
    from memory.store import Store

log = logging.getLogger(__name__)

#: (store, document id) of the open document, or None when there is no store.
StoreSource = Callable[[], "tuple[Store, str] | None"]


@dataclass
class Asking:
    """The brainstorm under way: the request, the ideas so far, where it is kept."""

    request: BrainstormRequest
    ideas: list[str] = field(default_factory=list)
    dismissed: list[str] = field(default_factory=list)
    entry: int = 0  # its history row (0: not stored)
    author: Author | None = None
    tokens: int = 0  # tokens generated so far (read by tests and the status line)


@dataclass(frozen=True, slots=True)
class Step:
    result: BrainstormResult
    author: Author | None
    made_way: bool


class BrainstormController(QObject):
    """The one owner of the brainstorm panel's requests and ideas."""

    idea_arrived = Signal(str)
    finished = Signal(list)  # the ideas of the request that finished
    inserted = Signal(str)

    def __init__(
        self,
        editor: DraftEditor,
        model: ModelService,
        panel: BrainstormPanel,
        store: StoreSource,
        suggestions: Waiting | None = None,
    ) -> None:
        super().__init__()
        self.editor = editor
        self.model = model
        self.panel = panel
        self.store = store
        self.suggestions = suggestions
        self.asking: Asking | None = None
        self.last: Asking | None = None
        self.steps = 0  # generation steps run (each ends, or makes way for a suggestion)
        self._task: Task | None = None
        self._history: list[tuple[str, list[str], int, list[str]]] = []
        panel.asked.connect(lambda kind, about: self.ask(kind, about))
        panel.stop_requested.connect(self.stop)
        panel.insert_requested.connect(self.insert)
        panel.more_requested.connect(self.more_like)
        panel.dismissed.connect(self._dismissed)
        panel.history_chosen.connect(self._show_history)

    @property
    def tokens(self) -> int:
        """Tokens the brainstorm in flight has generated so far."""
        return self.asking.tokens if self.asking is not None else 0

    # --- the panel ------------------------------------------------------------------------
    def toggle(self) -> None:
        """Ctrl+Shift+B: show the panel (about the selection, if any) or hide it."""
        if self.panel.isVisible() and self.panel.isAncestorOf(self.panel.focusWidget()):
            self.panel.hide()
            self.editor.setFocus()
            return
        selected = self.editor.textCursor().selectedText().replace("\u2029", " ").strip()
        if selected:
            self.panel.set_about(selected[:200])
        self.panel.show()
        self.panel.raise_()
        self.panel.kind.setFocus()

    def document_opened(self) -> None:
        """Show the open document's earlier brainstorms."""
        self.stop()
        self.panel.clear_ideas()
        self.panel.set_busy(False)
        self._load_history()

    def _load_history(self) -> None:
        from memory.brainstorm_history import history

        self._history = []
        found = self.store()
        if found is not None:
            store, doc_id = found
            try:
                for entry in history(store, doc_id):
                    label = KINDS.get(entry.kind, (entry.kind, ""))[0]
                    about = f" — {entry.about}" if entry.about else ""
                    when = time.strftime("%d %b %H:%M", time.localtime(entry.at))
                    self._history.append(
                        (
                            f"{when}: {label}{about}",
                            list(entry.ideas),
                            entry.id,
                            list(entry.dismissed),
                        )
                    )
            except Exception as exc:  # noqa: BLE001 - a damaged history never stops writing
                log.warning("brainstorm history unavailable: %s", exc)
        self.panel.set_history([title for title, *_ in self._history])

    def _show_history(self, index: int) -> None:
        if 0 <= index < len(self._history):
            _title, ideas, _entry, dismissed = self._history[index]
            gone = set(dismissed)
            self.panel.show_ideas([i for i in ideas if i not in gone])

    # --- asking ---------------------------------------------------------------------------
    def source_text(self) -> str:
        """The selection, or the whole document up to the cursor and a little after."""
        cursor = self.editor.textCursor()
        if cursor.hasSelection():
            return cursor.selectedText().replace("\u2029", "\n")
        return self.editor.toPlainText()

    def ask(self, kind: str, about: str = "", *, like: str = "") -> bool:
        """Ask for ideas of `kind`; False when no model is ready."""
        if not self.model.ready:
            messages.warning("The model is not ready yet, so there are no ideas to be had.")
            return False
        text = self.source_text()
        if not text.strip() and kind != "free":
            messages.info("Write something first: ideas come from your text.")
            return False
        self.stop()
        request = BrainstormRequest(kind, text, about, like=like)
        self.asking = Asking(request)
        self.last = self.asking
        self.panel.clear_ideas()
        label = KINDS[kind][0]
        self.panel.set_busy(True, f"{label}: thinking…" if not like else "More like this…")
        self.asking.entry = self._store_request(request)
        self._step(self.asking)
        return True

    def more_like(self, idea: str) -> bool:
        """ "More like this": variations of one idea, same kind and subject."""
        base = self.last.request if self.last is not None else None
        kind = base.kind if base is not None else "free"
        about = base.about if base is not None else ""
        return self.ask(kind, about, like=idea)

    def _step(self, asking: Asking) -> None:
        request = BrainstormRequest(
            asking.request.kind,
            asking.request.text,
            asking.request.about,
            asking.request.count - len(asking.ideas),
            like=asking.request.like,
            avoid=tuple(asking.ideas),
        )
        suggestions = self.suggestions
        shared = shares_lane(self.model, BRAINSTORM)
        seed = 11 + self.steps

        def counted(_piece: str) -> None:
            asking.tokens += 1

        def work(model: LanguageModel, ctx: TaskContext) -> Step:
            stop = make_way(ctx, suggestions, shared)
            result = brainstorm(
                model,
                request,
                seed=seed,
                should_stop=stop,
                on_idea=ctx.partial,
                on_token=counted,
                known=asking.ideas,
            )
            if ctx.cancelled:
                raise Cancelled
            return Step(result, model.identity.author(), made_way(ctx, suggestions, shared))

        self._task = self.model.run(
            work,
            name="brainstorm",
            key="brainstorm",
            task=BRAINSTORM,
            on_success=lambda step: self._stepped(asking, step),
            on_partial=lambda idea: self._idea(asking, idea),
            on_failure=self._failed,
        )
        if self._task is None:
            self.panel.set_busy(False, "The model is not ready.")
            self.asking = None

    def _idea(self, asking: Asking, idea: object) -> None:
        if asking is not self.asking or not isinstance(idea, str) or idea in asking.ideas:
            return
        asking.ideas.append(idea)
        self.panel.add_idea(idea)
        self.idea_arrived.emit(idea)
        self._store_ideas(asking)

    def _stepped(self, asking: Asking, step: Step) -> None:
        self.steps += 1
        self._task = None
        if asking is not self.asking:
            return
        asking.author = self._author(step.author)
        for idea in step.result.ideas:  # ideas from a step that made way arrive here too
            self._idea(asking, idea)
        if step.made_way and len(asking.ideas) < asking.request.count:
            self._step(asking)  # queued behind the suggestion that was waiting
            return
        self.asking = None
        count = len(asking.ideas)
        self.panel.set_busy(
            False,
            f"{count} idea{'s' if count != 1 else ''}."
            if count
            else "The model gave no usable ideas; try again or ask differently.",
        )
        self._store_ideas(asking)
        self._load_history()
        self.finished.emit(list(asking.ideas))

    def _failed(self, exc: BaseException, details: str) -> None:
        self._task = None
        self.asking = None
        log.warning("brainstorm failed: %s\n%s", exc, details)
        self.panel.set_busy(False, "")
        messages.error(f"Brainstorming failed: {exc}")

    def stop(self) -> None:
        """Stop asking (the ideas so far stay)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self.asking is not None:
            self._store_ideas(self.asking)
            self.asking = None
            self.panel.set_busy(False, "Stopped.")

    def _author(self, fallback: Author | None) -> Author | None:
        author_for = getattr(self.model, "author_for", None)
        if callable(author_for):
            found = author_for(BRAINSTORM)
            if isinstance(found, Author):
                return found
        return fallback or self.model.author

    # --- using an idea --------------------------------------------------------------------
    def insert(self, idea: str) -> None:
        """Insert `idea` at the cursor as the model's text (origin: brainstorm idea)."""
        editor = self.editor
        if editor.isReadOnly():
            return
        cursor = editor.textCursor()
        before = editor.text_before_cursor()[-1:]
        text = idea
        if before and not before.isspace() and not cursor.hasSelection():
            text = " " + idea
        author = self._author(self.last.author if self.last is not None else None)
        editor.insert_as(text, EditIntent(How.BRAINSTORM, author=author))
        editor.setFocus()
        self.inserted.emit(idea)

    def _dismissed(self, idea: str) -> None:
        for asking in (self.asking, self.last):
            if asking is not None and idea in asking.ideas and idea not in asking.dismissed:
                asking.dismissed.append(idea)
                self._store_ideas(asking)
                return

    # --- the store ------------------------------------------------------------------------
    def _store_request(self, request: BrainstormRequest) -> int:
        from memory.brainstorm_history import add_brainstorm

        found = self.store()
        if found is None:
            return 0
        store, doc_id = found
        author = self.model.author
        try:
            return add_brainstorm(
                store,
                doc_id,
                request.kind,
                request.about or request.like,
                author.key if author else "",
            )
        except Exception as exc:  # noqa: BLE001 - history is a convenience, never a blocker
            log.warning("brainstorm not kept: %s", exc)
            return 0

    def _store_ideas(self, asking: Asking) -> None:
        from memory.brainstorm_history import set_ideas

        found = self.store()
        if found is None or not asking.entry:
            return
        try:
            set_ideas(found[0], asking.entry, asking.ideas, asking.dismissed)
        except Exception as exc:  # noqa: BLE001
            log.warning("brainstorm ideas not kept: %s", exc)
