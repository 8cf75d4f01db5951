"""Inline suggestions: when the writer pauses, ask the model to continue the text.

`SuggestionController` is the one owner of the suggestion's state: where it was asked
for, the alternatives written so far for that place, which one is on show, what the
writer has typed or taken through. The editor only paints the ghost text (and its "2/3"
indicator) and forwards the suggestion keys (Tab, Ctrl+Right, Ctrl+Down, Esc, Alt+[ ]);
every decision is made here, on every change of the text or the cursor.

Alternatives are lazy: Alt+] asks for the next one only when the writer wants it.
Newest input wins: every request cancels the one before it (between tokens). Accepting
inserts the text as the model's, through the authorship bridge; what became of each
suggestion (accepted, partly taken, refused, ignored, and which alternative) is
announced as a `SuggestionOutcome` on `outcome`, for the memory that learns from it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QTextCursor

from app.model_service import SUGGEST, ModelService
from app.settings import Settings
from app.tasks import Cancelled, Task, TaskContext
from assistant.alternatives import (
    MAX_ALTERNATIVES,
    RETRIES_FIRST,
    RETRIES_NEXT,
    Outcome,
    SuggestionOutcome,
    context_hash,
    rest_is_closing,
)
from memory.events import Author, How
from ui.editor import DraftEditor, EditIntent, SuggestionKey

if TYPE_CHECKING:
    from assistant.alternatives import Screened
    from assistant.model import LanguageModel

log = logging.getLogger(__name__)

MIN_CONTEXT_CHARS = 2
#: How many outcomes the controller keeps for whoever reads them later.
HISTORY_SIZE = 500
#: Idle time after a document opens, the cursor moves to another paragraph or a
#: suggestion arrives, before the model's prompt cache is warmed for the cursor's place.
WARM_IDLE_MS = 120
#: Idle time after a suggestion before its prompt grows to the full budget (a warm-up of
#: the full prompt): longer, since a warm-up that a request interrupts leaves the cache
#: with part of the full prompt and without the short one the writer was growing.
GROW_IDLE_MS = 2000
#: Streamed text reaches the ghost at most once a frame (60 Hz): the first piece at once,
#: later ones that arrive within a frame of the last update wait for the frame's end,
#: so a fast model never repaints the editor more often than the screen can show it.
FRAME_MS = 16
#: While the writer types on at the end of a line with no suggestion on show, the prompt
#: is brought up to date this long after a word ends (a space typed), so that at the
#: pause only the last word is left to evaluate.
TYPING_WARM_MS = 30
#: ... and, whatever the last key was, this long before the pause delay ends, so the
#: request at the pause finds its whole prompt evaluated and samples its first token at
#: once. Short, since every gap between keys longer than the delay less this sets one
#: off (1-2 tokens, about 25 ms of CPU on two idle cores): 100 ms made one a key for a
#: writer at 200 ms a key.
PAUSE_WARM_LEAD_MS = 50
#: A prompt reads at most the last ~4,100 characters before the cursor (and the checks
#: on a suggestion the last 4,000), so only this much is taken from the editor, from a
#: start on a grid of `TAIL_GRID` (the prompt's window starts stay where they were while
#: the writer types): taking the whole text before the cursor cost 20-80 ms of the GUI
#: thread per request in a 1 MB document.
TAIL_CHARS = 8192
TAIL_GRID = 1024


@dataclass
class ActiveSuggestion:
    """The suggestion in play: asked for at `anchor` (UTF-16) after `before`; its
    alternatives so far (each the whole text from the anchor), the one on show, and how
    much of it the writer took with the accept keys."""

    anchor: int
    before: str
    after: str = ""
    offset: int = 0  # where `before` starts in the document (UTF-16), see TAIL_CHARS
    alternatives: list[str] = field(default_factory=list)
    ranks: list[int] = field(default_factory=list)
    index: int = 0
    streaming: bool = True
    next_rank: int = 0
    seen: int = 0  # how many alternatives the writer has had on show
    seen_texts: list[str] = field(default_factory=list)  # which, in the order seen
    taken: int = 0  # characters taken with Tab, Ctrl+Right or Ctrl+Down
    exhausted: bool = False  # no further alternative could be found
    failures: int = 0  # refused tries in a row

    @property
    def text(self) -> str:
        return self.alternatives[self.index] if self.alternatives else ""

    def put(self, rank: int, text: str) -> None:
        """Set the text of alternative `rank` (adding it if new) and show it."""
        if rank in self.ranks:
            self.alternatives[self.ranks.index(rank)] = text
        else:
            self.alternatives.append(text)
            self.ranks.append(rank)
        self.index = self.ranks.index(rank)


def _order_by(current: ActiveSuggestion, scores: dict[str, float]) -> None:
    """Put the alternatives best first by `scores` (when every one has a score), keeping
    the one on show on show; equal scores keep the order they were written in."""
    if len(current.alternatives) < 2 or any(a not in scores for a in current.alternatives):
        return
    on_show = current.text
    pairs = sorted(
        zip(current.ranks, current.alternatives, strict=True),
        key=lambda pair: (-scores[pair[1]], pair[0]),
    )
    current.ranks = [rank for rank, _ in pairs]
    current.alternatives = [text for _, text in pairs]
    current.index = current.alternatives.index(on_show)


class SuggestionController(QObject):
    """Connects the editor's pauses to the model and owns the suggestion on show."""

    speed_measured = Signal(float)
    suggestion_shown = Signal(str)
    accepted = Signal(str, bool)  # text inserted, whether it was only part
    dismissed = Signal()
    outcome = Signal(object)  # SuggestionOutcome, when a suggestion's fate is known

    def __init__(self, editor: DraftEditor, model: ModelService, settings: Settings) -> None:
        super().__init__()
        self.editor = editor
        self.model = model
        self.settings = settings
        self.enabled = bool(settings["suggestions_enabled"])
        self.history: list[SuggestionOutcome] = []
        #: Called on the model lane when a suggestion's generation starts (tests, metrics).
        self.on_generation_start: Callable[[], None] | None = None
        #: Called on the model lane with the model and the text before the cursor; returns
        #: the model to write with (the long-term memory's, see app.learning).
        #: (backend, text before the cursor, shown=...) -> the backend with memory recalled
        self.personalize: Callable[..., LanguageModel] | None = None
        #: Called on the model lane with the text before the cursor and the alternatives
        #: for that place in the order they were written; returns one score each (higher:
        #: likelier to be kept). The alternatives are then cycled best first (the
        #: long-term memory's per-writer ranker, see app.learning).
        self.score_alternatives: Callable[[str, list[str]], list[float]] | None = None
        self._task: Task | None = None
        self._current: ActiveSuggestion | None = None
        self._inserting = False
        self._waiting = threading.Event()  # a request is queued but has not started
        self._waiting_since = 0.0
        # Warming the prompt cache (see `warm`): where the cursor was, the task, and the
        # window start of the last prompt, kept while its cache is the better one.
        self._warm_timer = QTimer(self)
        self._warm_timer.setSingleShot(True)
        self._warm_timer.setInterval(WARM_IDLE_MS)
        self._warm_timer.timeout.connect(self.warm)
        self._warm_task: Task | None = None
        # Streamed text waiting for the next frame (see FRAME_MS): (suggestion, value).
        self._frame = QTimer(self)
        self._frame.setSingleShot(True)
        self._frame.timeout.connect(self._show_pending)
        self._pending: tuple[ActiveSuggestion, object] | None = None
        self._shown_at = 0.0  # `clock()` of the last streamed update shown
        #: The clock the frames are timed by (seconds; tests replace it).
        self.clock: Callable[[], float] = time.monotonic
        self._place: tuple[int, int] = (-1, -1)  # (document id, paragraph number)
        self._window_start: int | None = None
        #: Warm-ups, the short cold prompt and its kept start (off: always the full
        #: prompt, nothing warmed; the benchmark's "before").
        self.prompt_cache = True
        #: Warm-ups started and the prompt tokens they evaluated (tests, metrics).
        self.warm_ups = 0
        self.warmed_tokens = 0
        editor.set_pause_interval(int(settings["suggestion_delay_ms"]))
        editor.set_suggestion_keys(self)
        editor.paused.connect(self._paused)
        # One slot a signal (each is a call into Python at every key).
        editor.cursorPositionChanged.connect(self._cursor_changed)
        editor.textChanged.connect(self._text_changed)

    # --- state -----------------------------------------------------------------
    @property
    def showing(self) -> str:
        """The part of the suggestion on show now ("" for none)."""
        return self.editor.ghost.text if self._current is not None else ""

    @property
    def generating(self) -> bool:
        """Whether the model is generating a suggestion now. Work that can wait (the word
        count, spelling's checks) waits for it: Python on a lane, or a slice of the GUI
        thread, shares the interpreter's lock with the streaming ghost text."""
        return self._task is not None and not self._task.done

    @property
    def alternatives(self) -> list[str]:
        """The alternatives found for the place on show (whole texts from the anchor)."""
        return list(self._current.alternatives) if self._current is not None else []

    @property
    def position(self) -> tuple[int, int]:
        """(which alternative is on show, 1-based; how many exist); (0, 0) for none."""
        current = self._current
        if current is None or not current.alternatives:
            return (0, 0)
        return (current.index + 1, len(current.alternatives))

    def waiting_for(self) -> float:
        """Seconds a suggestion has waited for the model to start it (0: none waits).
        Long jobs on a shared lane read this to make way."""
        return time.monotonic() - self._waiting_since if self._waiting.is_set() else 0.0

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        if not enabled:
            self.dismiss()

    def _cursor_changed(self) -> None:
        self._refresh()
        self._moved()

    def _text_changed(self) -> None:
        self._refresh()
        self._typed()

    # --- warming the model's prompt cache -------------------------------------------
    def _moved(self) -> None:
        """The cursor moved: in another paragraph (or a newly opened document), warm
        the prompt cache there after a short idle."""
        place = (id(self.editor.document()), self.editor.textCursor().blockNumber())
        if place != self._place:
            self._place = place
            self._warm_soon(WARM_IDLE_MS)

    def _typed(self) -> None:
        """The text changed: a pending growth of the prompt waits for a longer idle; a
        word just ended (typing at the end of a line, nothing on show) brings the prompt
        up to date soon, so the request at the pause has only the last word to evaluate,
        and any other key brings it up to date just before the pause (`_pause_warm_ms`)."""
        timer = self._warm_timer
        if timer.isActive() and timer.interval() == GROW_IDLE_MS:
            timer.start()
            return
        if (
            self._current is None
            and self._task is None
            and self.prompt_cache
            and not (timer.isActive() and timer.interval() == WARM_IDLE_MS)
        ):
            cursor = self.editor.textCursor()
            block = cursor.block().text()
            column = cursor.positionInBlock()
            if not 0 < column == len(block):
                return
            if block[column - 1] == " ":
                self._warm_soon(TYPING_WARM_MS)
            elif not (timer.isActive() and timer.interval() == TYPING_WARM_MS):
                pause_warm = self._pause_warm_ms()
                if pause_warm is not None:
                    self._warm_soon(pause_warm)

    def _pause_warm_ms(self) -> int | None:
        """When to bring the prompt up to date after a key: `PAUSE_WARM_LEAD_MS` before
        the pause delay ends (None when the delay is too short to gain anything). Never
        one of the other warm-ups' intervals, which say what kind a pending one is."""
        ms = int(self.settings["suggestion_delay_ms"]) - PAUSE_WARM_LEAD_MS
        if ms <= TYPING_WARM_MS:
            return None
        if ms in (WARM_IDLE_MS, GROW_IDLE_MS):
            ms += 1
        return ms

    def _warm_soon(self, ms: int) -> None:
        self._warm_timer.setInterval(ms)
        self._warm_timer.start()

    def warm(self) -> bool:
        """Evaluate the prompt for the cursor's place into the model's cache in the
        background (the model lane, newest wins), so the next suggestion there starts
        from the cache. A real request cancels a warm-up between its chunks of tokens
        and reuses what it evaluated; none starts while a suggestion generates.
        False when there is nothing to warm."""
        self._warm_timer.stop()
        editor = self.editor
        if (
            not self.enabled
            or not self.prompt_cache
            or self._task is not None
            or not self.model.ready
            or editor.isReadOnly()
            or editor.textCursor().hasSelection()
        ):
            return False
        before, offset = self._text_before_cursor()
        if len(before.strip()) < MIN_CONTEXT_CHARS:
            return False
        from assistant.continuation import ContinuationSettings

        grow = self._warm_timer.interval() == GROW_IDLE_MS
        self._warm_timer.setInterval(WARM_IDLE_MS)  # a typing warm-up's interval is once
        settings = ContinuationSettings(
            max_tokens=int(self.settings["suggestion_max_tokens"]),
            window_start=self._hint(offset),
        )
        personalize = self.personalize

        def work(backend: LanguageModel, ctx: TaskContext) -> int:
            from assistant.continuation import warm_up

            model = (
                personalize(backend, before, shown=False) if personalize is not None else backend
            )
            return warm_up(
                model, before, settings, lambda: ctx.cancelled, grow=grow, on_prompt=ctx.partial
            )

        def done(tokens: int) -> None:
            self.warmed_tokens += tokens

        def warming(start: object) -> None:
            # Where the warmed prompt starts: the next request keeps it while its cache
            # beats the full prompt's (a cold place warms the short prompt first).
            if isinstance(start, int) and self._task is None:
                self._window_start = offset + start

        def failed(exc: BaseException, details: str) -> None:
            log.info("warm-up failed: %s\n%s", exc, details)

        self._warm_task = self.model.run(
            work,
            name="suggestion warm-up",
            key="suggestion",
            task=SUGGEST,
            on_success=done,
            on_partial=warming,
            on_failure=failed,
            background=True,
        )
        if self._warm_task is None:
            return False
        self.warm_ups += 1
        return True

    def _text_before_cursor(self) -> tuple[str, int]:
        """The text before the cursor a prompt can use (its last `TAIL_CHARS` or more,
        from a start on the `TAIL_GRID`), and where it starts (UTF-16)."""
        editor = self.editor
        position = editor.textCursor().position()
        start = max(0, (position - TAIL_CHARS) // TAIL_GRID * TAIL_GRID)
        if start == 0:
            return editor.text_before_cursor(), 0
        cursor = QTextCursor(editor.document())
        cursor.setPosition(start)
        cursor.setPosition(position, QTextCursor.MoveMode.KeepAnchor)
        return cursor.selectedText().replace("\u2029", "\n"), start

    def _hint(self, offset: int) -> int | None:
        """The last prompt's window start, in the text taken from `offset`."""
        if self._window_start is None or self._window_start < offset:
            return None
        return self._window_start - offset

    def _author(self) -> Author | None:
        author_for = getattr(self.model, "author_for", None)
        if callable(author_for):
            found = author_for(SUGGEST)
            if isinstance(found, Author):
                return found
        return self.model.author

    def _paused(self) -> None:
        if self._current is not None:
            return  # a suggestion is on show: the writer is reading or typing through it
        if self.enabled and rest_is_closing(self.editor.text_after_cursor_in_line()):
            self.request()

    def request(self) -> bool:
        """Ask for a continuation at the cursor; False when there is nothing to ask."""
        editor = self.editor
        if editor.textCursor().hasSelection() or not self.model.ready or editor.isReadOnly():
            return False
        before, offset = self._text_before_cursor()
        if len(before.strip()) < MIN_CONTEXT_CHARS:
            return False
        self.dismiss(notify=False)
        anchor = editor.textCursor().position()
        after = editor.text_after_cursor_in_line()
        self._current = ActiveSuggestion(anchor, before, after, offset=offset)
        editor.show_ghost("", streaming=True, anchor=anchor)
        if not self._generate(self._current):
            self.dismiss(notify=False)
            return False
        return True

    def _generate(self, current: ActiveSuggestion) -> bool:
        """Start generating the next alternative for `current`."""
        from assistant.continuation import ContinuationSettings
        from assistant.prompts import COLD_PROMPT_TOKENS

        self._warm_timer.stop()  # the request warms the cache itself
        settings = ContinuationSettings(
            max_tokens=int(self.settings["suggestion_max_tokens"]),
            temperature=float(self.settings["temperature"]),
            max_sentences=int(self.settings["suggestion_max_sentences"]),
            window_start=self._hint(current.offset) if self.prompt_cache else None,
            cold_prompt_tokens=COLD_PROMPT_TOKENS if self.prompt_cache else 0,
        )
        typed = self._typed_since_anchor(current.anchor) or ""
        before = current.before + typed
        after = current.after
        avoid = [a[len(typed) :] for a in current.alternatives if a.startswith(typed)]
        pairs = sorted(zip(current.ranks, current.alternatives, strict=True))
        written = [text for _, text in pairs]
        score = self.score_alternatives if written else None
        rank = current.next_rank
        current.next_rank += 1
        current.streaming = True
        on_start = self.on_generation_start
        personalize = self.personalize
        waiting = self._waiting

        def work(
            backend: LanguageModel, ctx: TaskContext
        ) -> tuple[Screened, int, dict[str, float]]:
            from assistant.alternatives import suggest

            waiting.clear()
            if on_start is not None:
                on_start()
            screened = suggest(
                personalize(backend, before) if personalize is not None else backend,
                before,
                settings,
                rank=rank,
                after=after,
                avoid=avoid,
                should_stop=lambda: ctx.cancelled,
                on_partial=lambda text: ctx.partial((rank, typed + text)),
            )
            if ctx.cancelled:
                raise Cancelled
            scores: dict[str, float] = {}
            if score is not None and screened.text:
                texts = [*written, typed + screened.text]
                scores = dict(zip(texts, score(before, texts), strict=True))
            return screened, rank, scores

        self._waiting_since = time.monotonic()
        waiting.set()
        self._task = self.model.run(
            work,
            name="suggestion",
            key="suggestion",
            task=SUGGEST,
            on_success=lambda result: self._finished(current, typed, result),
            on_partial=lambda value: self._partial(current, value),
            on_failure=self._failed,
        )
        if self._task is None:
            waiting.clear()
            current.streaming = False
            return False
        return True

    def cancel(self) -> None:
        """Stop generating (what is on show stays), and any warm-up not yet started."""
        self._warm_timer.stop()
        self._frame.stop()
        self._pending = None
        if self._task is not None:
            self._task.cancel()
            self._task = None
            self._waiting.clear()
        if self._current is not None:
            self._current.streaming = False

    def dismiss(self, *, notify: bool = True, outcome: Outcome | None = None) -> None:
        """Drop the suggestion: stop generating and hide the ghost text."""
        current = self._current
        self.cancel()
        self._current = None
        self.editor.clear_ghost()
        if current is not None:
            if current.alternatives and current.seen:
                if outcome is None:
                    outcome = Outcome.REFUSED if notify else Outcome.IGNORED
                if current.taken and outcome is not Outcome.ACCEPTED:
                    outcome = Outcome.PARTIAL
                self._record(current, outcome)
            if notify:
                self.dismissed.emit()

    def _record(self, current: ActiveSuggestion, outcome: Outcome) -> None:
        author = self._author()
        passed_over = tuple(
            (rank + 1, text)
            for rank, text in zip(current.ranks, current.alternatives, strict=True)
            if text in current.seen_texts and text != current.text
        )
        record = SuggestionOutcome(
            context_hash=context_hash(current.before),
            model=author.key if author is not None else "",
            text=current.text,
            rank=current.ranks[current.index] + 1 if current.ranks else 1,
            shown=current.seen,
            outcome=outcome,
            accepted_chars=current.taken,
            passed_over=passed_over,
        )
        self.history.append(record)
        del self.history[:-HISTORY_SIZE]
        self.outcome.emit(record)

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
        if typed is None:
            self.dismiss(notify=False)
            return
        if current.alternatives and not current.text.startswith(typed):
            # Another alternative may still match what the writer typed.
            for index, alternative in enumerate(current.alternatives):
                if alternative.startswith(typed) and len(alternative) > len(typed):
                    current.index = index
                    break
            else:
                self.dismiss(notify=False)
                return
        elif not current.alternatives and typed:
            self.dismiss(notify=False)  # typed before anything arrived: ask again later
            return
        rest = current.text[len(typed) :]
        if rest or current.streaming:
            self.editor.show_ghost(
                rest, streaming=current.streaming, anchor=self.editor.textCursor().position()
            )
            self.editor.set_ghost_indicator(self._indicator(current))
            if rest:
                current.seen = max(current.seen, current.index + 1)
                if not current.streaming and current.text not in current.seen_texts:
                    current.seen_texts.append(current.text)
            self.editor.hold_pause()
        else:
            outcome = Outcome.ACCEPTED if current.taken else Outcome.IGNORED
            self.dismiss(notify=False, outcome=outcome)  # the writer typed all of it

    def _indicator(self, current: ActiveSuggestion) -> str:
        count = len(current.alternatives)
        if count == 0 or (count == 1 and not current.streaming and current.next_rank <= 1):
            return ""  # one suggestion and none asked beyond it: nothing to count
        more = "…" if current.streaming else ""
        return f"{current.index + 1}/{count}{more}"

    # --- the model's text ----------------------------------------------------------
    def _partial(self, current: ActiveSuggestion, value: object) -> None:
        """Streamed text: shown at once when the last update is a frame old, otherwise
        at the end of that frame (only the newest text is kept meanwhile)."""
        if current is not self._current:
            return
        self._pending = (current, value)
        if self._frame.isActive():
            return
        wait_ms = FRAME_MS - (self.clock() - self._shown_at) * 1000
        if wait_ms <= 0 or not current.alternatives:  # a suggestion's first text: at once
            self._show_pending()
        else:
            self._frame.start(max(1, int(wait_ms)))

    def _show_pending(self) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        current, value = pending
        if current is not self._current or not isinstance(value, tuple):
            return
        rank, text = value
        if not isinstance(text, str) or not isinstance(rank, int):
            return
        self._shown_at = self.clock()
        current.put(rank, text)
        self._refresh()

    def _finished(
        self,
        current: ActiveSuggestion,
        typed: str,
        result: tuple[Screened, int, dict[str, float]],
    ) -> None:
        screened, rank, scores = result
        suggestion, refused = screened.suggestion, screened.refused
        self._frame.stop()  # the whole text replaces any streamed text still waiting
        self._pending = None
        self._task = None
        self._window_start = current.offset + suggestion.window_start
        self._warm_soon(GROW_IDLE_MS)  # the writer pauses on: grow the prompt to full size
        if suggestion.tokens_per_s:
            self.speed_measured.emit(float(suggestion.tokens_per_s))
        if current is not self._current:
            return
        current.streaming = False
        if refused or not suggestion.text:
            log.debug("suggestion refused (%s)", refused or "empty")
            if rank in current.ranks:  # its streamed text was shown: take it back
                index = current.ranks.index(rank)
                del current.alternatives[index], current.ranks[index]
                current.index = min(current.index, max(len(current.alternatives) - 1, 0))
            current.failures += 1
            limit = RETRIES_NEXT if current.alternatives else RETRIES_FIRST
            if current.failures <= limit and self._generate(current):
                return
            current.exhausted = True
            if not current.alternatives:
                self.dismiss(notify=False)
                return
            self._refresh()
            return
        current.failures = 0
        text = typed + suggestion.text
        current.put(rank, text)
        _order_by(current, scores)
        self._refresh()
        if self._current is not None and self.showing:
            self.suggestion_shown.emit(self.showing)

    def _failed(self, exc: BaseException, details: str) -> None:
        self._task = None
        self._waiting.clear()
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
        if key is SuggestionKey.ACCEPT_SENTENCE:
            return self.accept(part=self.editor.ghost.next_sentence())
        if key is SuggestionKey.NEXT:
            return self.next_alternative()
        if key is SuggestionKey.PREVIOUS:
            return self.previous_alternative()
        return False

    def _matching(self, current: ActiveSuggestion) -> list[int]:
        """Indexes of the alternatives that still fit what was typed since the anchor."""
        typed = self._typed_since_anchor(current.anchor) or ""
        return [
            i
            for i, a in enumerate(current.alternatives)
            if a.startswith(typed) and len(a) > len(typed)
        ]

    def next_alternative(self) -> bool:
        """Alt+]: show the next alternative, generating it if none is waiting."""
        current = self._current
        if current is None or not current.alternatives:
            return False
        later = [i for i in self._matching(current) if i > current.index]
        if later:
            current.index = later[0]
            self._refresh()
            return True
        if current.streaming:
            return True  # the next one is on its way
        if current.exhausted or len(current.alternatives) >= MAX_ALTERNATIVES:
            matching = self._matching(current)
            if len(matching) > 1:  # wrap around to the first
                current.index = matching[0]
                self._refresh()
                return True
            return False
        if not self._generate(current):
            return False
        self._refresh()
        return True

    def previous_alternative(self) -> bool:
        """Alt+[: show the previous alternative (from the first, wrap to the last)."""
        current = self._current
        if current is None:
            return False
        matching = self._matching(current)
        earlier = [i for i in matching if i < current.index]
        if earlier:
            current.index = earlier[-1]
        elif len(matching) > 1:
            current.index = matching[-1]
        else:
            return False
        self._refresh()
        return True

    def accept(self, part: str | None = None) -> bool:
        """Insert the suggestion on show (or its first `part`) as the model's text."""
        current = self._current
        shown = self.showing
        if (
            current is None
            or not shown
            or self.editor.textCursor().position() != self.editor.ghost.anchor
        ):
            return False
        text = shown if part is None else part
        partial = text != shown
        if not partial:
            self.cancel()
        how = How.PARTIAL if partial else How.SUGGESTION
        self._inserting = True
        try:
            self.editor.insert_as(text, EditIntent(how, author=self._author()))
        finally:
            self._inserting = False
        current.taken += len(text)
        self.accepted.emit(text, partial)
        if not partial:
            self.dismiss(notify=False, outcome=Outcome.ACCEPTED)
            return True
        # Other alternatives that no longer fit what was taken drop out.
        self._refresh()  # the rest stays a suggestion
        return True
