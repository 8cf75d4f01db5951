"""The long-term memory in the running app: what is learned, and what reaches the prompt.

`Learning` opens the memory on the "memory" lane (never on the start-up path), records
the fate of every suggestion (the controller's `outcome` signal) as feedback, takes
voice passages from the writer's own text when the document is saved, proposes story
bible entries for the writer to accept, computes embeddings in the background, and
gives the suggestion controller a `personalize` hook that recalls memories into the
prompt and a `score_alternatives` hook that orders a place's alternatives with this
writer's ranker (`memory.ranker`, trained from their feedback by
`memory.feedback.writer_profile`, the same ranker `bench personalization` measures);
both run on the model lane. The last prompt's contents are kept for "Why this
suggestion?".
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app import garbage, messages
from app.errors import DraftsmithError
from app.tasks import TaskContext, TaskRunner
from memory.text_pieces import PIECE_CHARS, line_pieces

if TYPE_CHECKING:
    from assistant.model import LanguageModel
    from assistant.personalize import PersonalizedModel
    from memory.embedder import Embedder
    from memory.memories import MemoryStore
    from memory.ranker import WriterProfile
    from ui.memory_panel import MemoryPanel

log = logging.getLogger(__name__)

LANE = "memory"
EMBED_LANE = "embedding"

#: A text as (offset, window, the window's labels) windows (`line_windows`).
Windows = Sequence[tuple[int, str, Sequence[tuple[int, int, str]]]]


def _learn_from_text(
    store: MemoryStore, doc_key: str, text: str, labels: list[tuple[int, int, str]]
) -> list[Any]:
    """On the memory lane: voice passages from the writer's own text, and up to three
    name proposals (the new memories)."""
    return _learn_from_windows(store, doc_key, [(0, text, labels)])


def _learn_from_windows(store: MemoryStore, doc_key: str, windows: Windows) -> list[Any]:
    """`_learn_from_text` of a text read as (offset, window, its labels) windows that
    end after newlines (`memory.text_pieces.line_windows`): the same passages and names
    as in the whole text, which is never joined."""
    from memory.voice import OWN_LABELS, choose_passages_in

    if store.learning_paused or store.is_private(doc_key):
        return []
    passages = choose_passages_in(windows)
    store.replace_voice(doc_key, [(p.text, p.evidence(doc_key)) for p in passages])
    # The writer's own stretches read in place: joined into one string they were a copy
    # of up to the whole manuscript, holding the interpreter's lock (0.1-0.3 s at 50 MB).
    own = [(offset, text, own_stretches(labels, OWN_LABELS)) for offset, text, labels in windows]
    known = {m.name.lower() for m in store.memories(status=None) if m.name}
    proposed = []
    for name in names_to_propose_in(own, known)[:3]:
        times = sum(occurrences(text, name, stretches) for _offset, text, stretches in own)
        found = store.propose(
            f"A name in your text ({times} times).",
            "character",
            name=name,
            evidence=[{"kind": "span", "doc": doc_key, "name": name}],
        )
        if found is not None:
            proposed.append(found)
    return proposed


@dataclass(frozen=True, slots=True)
class SavedAuthorship:
    """A saved document's text and runs as of the save, taken on the GUI thread at the
    cost of one list of its runs (the text's chunks are immutable, the events a shallow
    copy), for the memory lane to label while the writer types on. The text stays in
    the chunks the editor holds it in: joined, a 50 MB manuscript was one allocation of
    100-200 MB holding the interpreter's lock for 50-400 ms, on either thread."""

    pieces: tuple[str, ...]
    runs: list[tuple[int, int, int]]  # (start, length, event seq)
    events: dict[int, Any]  # seq -> memory.events.EditEvent
    edited: frozenset[int]

    @classmethod
    def of(cls, document: Any) -> SavedAuthorship:
        """From a `memory.document.AuthoredDocument` (on the GUI thread)."""
        return cls(
            document.authored_text.chunks(),
            document.authored_text.runs(),
            document.events_copy(),
            document.edited_models,
        )

    def labels(self) -> tuple[list[tuple[int, int, str]], Counter[int]]:
        """The origin labels (`AuthoredDocument.labels`) and the characters per event
        that still read as the model's own (`memory.feedback.model_chars_by_event`)."""
        from memory.events import AttributedSpan
        from memory.feedback import model_chars_of
        from memory.origins import label_spans
        from memory.text_pieces import PiecesText

        events = self.events
        spans = [AttributedSpan(s, n, events[e]) for s, n, e in self.runs]
        labels = label_spans(PiecesText(self.pieces), spans, self.edited)
        return labels, model_chars_of(spans, labels)

    def windows(self, labels: list[tuple[int, int, str]]) -> Windows:
        """The text in windows of whole lines with `labels` cut to each (`line_windows`)."""
        from memory.text_pieces import line_windows

        return line_windows(self.pieces, labels)


NEAR_CURSOR_CHARS = 1500
MEMORY_TOKENS = 256
_NAME = re.compile(r"\b([A-Z][a-z]+(?: [A-Z][a-z]+)+)\b")
PROPOSE_AFTER = 3  # a name the writer typed this many times is worth proposing


@dataclass
class Why:
    """What the last suggestion's prompt was made of."""

    model: PersonalizedModel

    def text(self) -> str:
        from assistant.personalize import describe_why

        return describe_why(self.model.memory, self.model.identity, self.model.last_prompt)


def names_to_propose(
    text: str, known: set[str], stretches: Sequence[tuple[int, int]] | None = None
) -> list[str]:
    """Multi-word capitalised names that occur PROPOSE_AFTER times in `text`, not known
    yet. `stretches` ([start, end) ranges, `own_stretches`): only those parts of `text`,
    each read as if it stood on a line of its own, without copying them out (the same
    names as for the stretches joined by newlines)."""
    return names_to_propose_in(
        [(0, text, [(0, len(text))] if stretches is None else stretches)], known
    )


def names_to_propose_in(
    windows: Sequence[tuple[int, str, Sequence[tuple[int, int]]]], known: set[str]
) -> list[str]:
    """`names_to_propose` of a text read as (offset, window, the window's stretches)
    windows that end after newlines: the same names in the same order (no name spans a
    line), the text never joined."""
    counts: Counter[str] = Counter()
    for _offset, text, stretches in windows:
        for match in _names_in(text, stretches):
            # "Later Mara Voss" at a sentence's start also counts as "Mara Voss": every
            # run of two or more of its capitalised words is a candidate.
            words = match.split()
            for i in range(len(words)):
                for j in range(i + 2, len(words) + 1):
                    counts[" ".join(words[i:j])] += 1
    frequent = [n for n, c in counts.items() if c >= PROPOSE_AFTER]
    # Drop a candidate inside a longer one seen as often ("Mara Voss" in "Captain Mara Voss").
    names = [
        n
        for n in frequent
        if n.lower() not in known
        and not any(n != m and f" {n} " in f" {m} " and counts[m] >= counts[n] for m in frequent)
    ]
    return sorted(names, key=lambda n: (-counts[n], _first_in(windows, n)))


def _names_in(text: str, stretches: Sequence[tuple[int, int]]) -> Iterator[str]:
    """`_NAME`'s matches in each stretch, piece by piece (a name never spans lines): one
    `findall` over a 50 MB manuscript held the interpreter's lock on the memory lane, and
    froze the window, for 0.75 s. A stretch starting inside a line is read from a copy of
    its first line (a regex looks before the position it starts from: "wroteMara" has no
    word boundary before "Mara" in place, and had one on a line of its own)."""
    for lo, hi in stretches:
        for start, end in line_pieces(text, PIECE_CHARS, lo, hi):
            if start == lo and lo > 0 and text[lo - 1] != "\n":
                yield from _NAME.findall(text[start:end])
            else:
                yield from _NAME.findall(text, start, end)


def _first_in(windows: Sequence[tuple[int, str, Sequence[tuple[int, int]]]], name: str) -> int:
    """Where `name` first occurs in the windows' stretches (in the whole text)."""
    for offset, text, stretches in windows:
        for lo, hi in stretches:
            at = text.find(name, lo, hi)
            if at >= 0:
                return offset + at
    return sys.maxsize


def occurrences(text: str, name: str, stretches: Sequence[tuple[int, int]]) -> int:
    """How many times `name` occurs in the stretches of `text` (none spans two)."""
    return sum(text.count(name, lo, hi) for lo, hi in stretches)


def own_stretches(labels: Sequence[tuple[int, int, str]], own_labels: Any) -> list[tuple[int, int]]:
    """[start, end) of the writer's own stretches: runs with one of `own_labels` that
    touch are one stretch (typing key by key makes one run per key)."""
    stretches: list[tuple[int, int]] = []
    for start, length, label in labels:
        if label not in own_labels:
            continue
        if stretches and start == stretches[-1][1]:
            stretches[-1] = (stretches[-1][0], start + length)
        else:
            stretches.append((start, start + length))
    return stretches


class Learning(QObject):
    """Connects the memory to the suggestion flow, the document and the writer."""

    changed = Signal()  # what is remembered changed (the panel refreshes)
    opened = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        db_path: str,
        writer: Callable[[], str],
    ) -> None:
        super().__init__()
        self.runner = runner
        self.db_path = db_path
        self.writer = writer
        self.store: MemoryStore | None = None
        self.doc_key = ""
        self.project = ""
        self.last_why: Why | None = None
        self._embedder: Embedder | None = None
        self._embed_lock = threading.Lock()
        self._query_cache: tuple[str, list[float]] | None = None
        self._profile: WriterProfile | None = None  # dropped whenever feedback changes
        self._accepted_seqs: list[int] = []  # ledger events of the suggestion being taken
        runner.submit(self._open, name="open memory", lane=LANE, on_success=self._opened)

    # --- opening, closing ------------------------------------------------------------
    def _open(self, ctx: TaskContext) -> MemoryStore:
        from memory.memories import MemoryStore

        return MemoryStore(self.db_path)

    def _opened(self, store: MemoryStore) -> None:
        self.store = store
        self.opened.emit()
        self.embed_later()

    def close(self) -> None:
        """Release the memory (on the single shutdown path, after the runner drained)."""
        if self.store is not None:
            self.store.close()
            self.store = None
        if self._embedder is not None:
            self._embedder.close()

    def set_document(self, doc_key: str, project: str) -> None:
        """The document now in the editor (its id) and its project (the file's folder)."""
        self.doc_key, self.project = doc_key, project

    # --- what reaches the prompt (model lane) -------------------------------------------
    def personalize(
        self, backend: LanguageModel, before: str, *, shown: bool = True
    ) -> LanguageModel:
        """`backend` wrapped with the memory recalled for the text before the cursor.

        `shown=False` for a prompt only warmed while the writer types or moves: "Why this
        suggestion?" keeps describing the prompt of the suggestion last asked for."""
        from assistant.personalize import PersonalizedModel, memory_preamble
        from memory.recall import recall

        store = self.store
        if store is None:
            return backend
        near = before[-NEAR_CURSOR_CHARS:]
        cut = near.rfind("\n")
        query = near[: cut + 1] if cut > 0 else near
        recollection = recall(
            store,
            near,
            doc_key=self.doc_key,
            project=self.project,
            query=query,
            query_vector=self._query_vector(query),
        )
        memory = memory_preamble(recollection, backend.count_tokens, MEMORY_TOKENS)
        model = PersonalizedModel(backend, memory)
        if shown:
            self.last_why = Why(model)
        return model

    def _query_vector(self, query: str) -> list[float] | None:
        """The query's embedding when the embedder is loaded already (never loads it here)."""
        embedder = self._embedder
        if embedder is None or not embedder.loaded or not query.strip():
            return None
        cached = self._query_cache
        if cached is not None and cached[0] == query:
            return cached[1]
        with self._embed_lock:
            vector = embedder.embed([query])[0]
        self._query_cache = (query, vector)
        return vector

    # --- ranking alternatives (model lane) ------------------------------------------------
    def score_alternatives(self, before: str, texts: list[str]) -> list[float]:
        """One score per alternative (in the order written; higher: likelier kept) from
        this writer's ranker. All equal (the written order stays) while the memory is
        closed or the document is private: a private document receives nothing."""
        try:
            return self._scores(before, texts)
        except (DraftsmithError, OSError) as exc:  # a ranking is a nicety: keep the order
            log.warning("alternatives not ranked: %s", exc)
            return [0.0] * len(texts)

    def _scores(self, before: str, texts: list[str]) -> list[float]:
        store = self.store
        if store is None or len(texts) < 2 or store.is_private(self.doc_key):
            return [0.0] * len(texts)
        import numpy as np

        from memory.embedder import EMBEDDING_DIMENSION
        from memory.ranker import Candidate

        profile = self._profile
        if profile is None:
            from memory.feedback import writer_profile

            profile = self._profile = writer_profile(store, self.writer())
        vectors = self._vectors([before[-NEAR_CURSOR_CHARS:] or " ", *texts])
        if vectors is None:
            zero = np.zeros(EMBEDDING_DIMENSION, dtype=np.float32)
            context, rows = None, [zero] * len(texts)
        else:
            context, rows = vectors[0], list(vectors[1:])
        candidates = [Candidate(t, v) for t, v in zip(texts, rows, strict=True)]
        return [float(x) for x in profile.scores(context, candidates)]

    def _vectors(self, texts: list[str]) -> Any:
        """Embeddings of `texts` when the embedder is loaded already (never loads it here)."""
        embedder = self._embedder
        if embedder is None or not embedder.loaded:
            return None
        import numpy as np

        with self._embed_lock:
            return np.asarray(embedder.embed(texts), dtype=np.float32)

    # --- embeddings (embedding lane) -------------------------------------------------------
    def embed_later(self) -> None:
        """Embed memories that have no vector yet, in the background."""
        store = self.store
        if store is None:
            return

        def work(ctx: TaskContext) -> int:
            missing = store.missing_embeddings()
            if not missing:
                return 0
            from memory.embedder import Embedder

            if self._embedder is None:
                self._embedder = Embedder()
            with self._embed_lock:
                vectors = self._embedder.embed([text for _, text in missing])
            store.set_embeddings([(mid, v) for (mid, _), v in zip(missing, vectors, strict=True)])
            return len(missing)

        # Its own lane: loading the embedder takes seconds, and the writer's edits in the
        # panel (on the memory lane) must not wait behind it.
        self.runner.submit(work, name="embed memories", lane=EMBED_LANE, key="embed memories")

    # --- feedback ------------------------------------------------------------------------
    def record_outcome(self, outcome: Any) -> None:
        """Record a `SuggestionOutcome` from the suggestion controller as feedback: the
        suggestion's fate, and the alternatives the writer passed over as "shown"."""
        store = self.store
        if store is None:
            return
        from dataclasses import replace

        from memory.feedback import PARTIAL, SHOWN, Feedback, record

        self._profile = None
        seqs, self._accepted_seqs = self._accepted_seqs, []
        settings: dict[str, Any] = {"shown": int(outcome.shown)}
        kind = str(getattr(outcome.outcome, "value", outcome.outcome))
        if kind in ("accepted", PARTIAL) and seqs:
            settings["ledger_seqs"] = seqs
        feedback = Feedback(
            writer=self.writer(),
            context=str(outcome.context_hash),
            text=str(outcome.text),
            outcome=kind,
            doc_key=self.doc_key,
            project=self.project,
            accepted_chars=int(outcome.accepted_chars),
            rank=int(outcome.rank),
            model=str(outcome.model),
            settings=settings,
        )
        others = [
            replace(
                feedback,
                text=str(text),
                outcome=SHOWN,
                accepted_chars=0,
                rank=int(rank),
                settings={"shown": int(outcome.shown)},
            )
            for rank, text in getattr(outcome, "passed_over", ())
        ]

        def work(ctx: TaskContext) -> int | None:
            found = None
            for item in [*others, feedback]:
                vectors = self._vectors([item.text]) if item.text.strip() else None
                embedding = None if vectors is None else vectors[0].tolist()
                found = record(store, item, embedding=embedding)
            self._profile = None
            return found

        self.runner.submit(
            work,
            name="record feedback",
            lane=LANE,
            on_success=lambda _id: self.changed.emit(),
        )

    def note_accepted(self, ledger_seq: int) -> None:
        """The ledger event that just put (part of) the suggestion on show into the text
        (called on the GUI thread when the writer takes it, before its outcome)."""
        self._accepted_seqs.append(ledger_seq)

    def measure_rewrites(self, still_model: Any) -> None:
        """After a save: how much of each suggestion kept in this document the writer has
        changed since (`memory.feedback.measure_rewrites`; `still_model` comes from
        `memory.feedback.model_chars_by_event` on the GUI thread)."""
        store, doc_key = self.store, self.doc_key
        if store is None or not doc_key:
            return
        from memory.feedback import measure_rewrites

        self.runner.submit(
            lambda ctx: measure_rewrites(store, doc_key, still_model),
            name="measure rewrites",
            lane=LANE,
            on_success=lambda _n: self.changed.emit(),
        )

    # --- learning from the document ---------------------------------------------------------
    def learn_after_save(self, saved: SavedAuthorship) -> None:
        """After a save: the document's origin labels are worked out on the memory lane
        (a 50 MB manuscript's labels are a second of work), then its voice passages,
        name proposals and accepted-then-rewritten, as `learn_from_document` and
        `measure_rewrites` do. The GUI thread only took `saved`'s copy of the runs."""
        store, doc_key = self.store, self.doc_key
        if store is None or not doc_key:
            return

        def work(ctx: TaskContext) -> list[Any]:
            from memory.feedback import measure_rewrites

            with garbage.paused():  # a manuscript's spans and labels: no full collections
                labels, still_model = saved.labels()
                if ctx.cancelled:
                    return []
                proposed = _learn_from_windows(store, doc_key, saved.windows(labels))
                measure_rewrites(store, doc_key, still_model)
            return proposed

        self.runner.submit(work, name="learn after save", lane=LANE, on_success=self._proposed)

    def learn_from_document(self, text: str, labels: list[tuple[int, int, str]]) -> None:
        """After a save: voice passages from the writer's own text, and name proposals."""
        store = self.store
        doc_key = self.doc_key
        if store is None or not doc_key:
            return
        self.runner.submit(
            lambda _ctx: _learn_from_text(store, doc_key, text, labels),
            name="learn from document",
            lane=LANE,
            on_success=self._proposed,
        )

    def _proposed(self, proposals: list[Any]) -> None:
        self.changed.emit()
        self.embed_later()
        for memory in proposals:
            messages.info(
                f"Remember “{memory.name}” as a character?",
                actions=[
                    ("Remember", self._answer(memory.id, accept=True)),
                    ("No", self._answer(memory.id, accept=False)),
                ],
                id=f"memory-proposal-{memory.id}",
            )

    def _answer(self, memory_id: int, *, accept: bool) -> Callable[[], None]:
        """The button action for a proposal: accept it or dismiss it."""

        def answer() -> None:
            if accept:
                self.apply(lambda store: store.accept(memory_id))
            else:
                self.apply(lambda store: store.dismiss(memory_id))

        return answer

    # --- the writer's changes (from the panel) ---------------------------------------------
    def apply(
        self, change: Callable[[MemoryStore], object], then: Callable[[], object] | None = None
    ) -> None:
        """Run one change to the memory on the memory lane, then refresh and re-embed."""
        store = self.store
        if store is None:
            messages.warning("The memory is not open yet; try again in a moment.")
            return

        def done(_result: object) -> None:
            self._profile = None  # a forgotten suggestion must not rank any more
            self.changed.emit()
            self.embed_later()
            if then is not None:
                then()

        self.runner.submit(
            lambda ctx: change(store), name="change memory", lane=LANE, on_success=done
        )


NO_SUGGESTION_YET = "No suggestion has been made yet in this session."


def attach_learning(room: Any) -> Learning:
    """Create the room's `Learning`, hook it to the suggestions and the document, and add
    the memory's actions to the Assistant menu (Why This Suggestion?, Pause Learning,
    Private Document, Export Memory…, Forget Everything…)."""
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from app import paths
    from ui.memory_panel import WhyDialog

    learning = Learning(room.runner, str(paths.database_path()), lambda: room.settings.writer_name)
    room.suggestions.personalize = learning.personalize
    room.suggestions.score_alternatives = learning.score_alternatives
    room.suggestions.outcome.connect(learning.record_outcome)
    session = room.session

    def document_changed(*_args: object) -> None:
        authored = session.authored
        doc_key = authored.doc_id if authored is not None else ""
        project = str(session.path.parent) if session.path is not None else ""
        learning.set_document(doc_key, project)
        private_action.setChecked(
            bool(learning.store is not None and learning.store.is_private(doc_key))
        )

    learned_at: list[tuple[str, int]] = []  # (document, ledger seq) last learned from

    def saved(*_args: object) -> None:
        document_changed()
        authored = session.authored
        if authored is None:
            return
        where = (authored.doc_id, authored.head_seq)
        if learned_at and learned_at[-1] == where:
            return  # nothing changed since the save it learned from
        learned_at[:] = [where]
        learning.learn_after_save(SavedAuthorship.of(authored))

    def taken(*_args: object) -> None:
        if session.authored is not None:
            learning.note_accepted(session.authored.head_seq)

    window = room.window
    menu = next(
        (
            act.menu()
            for act in window.menuBar().actions()
            if act.text().replace("&", "") == "Assistant" and act.menu() is not None
        ),
        None,
    ) or window.menuBar().addMenu("&Memory")
    menu.addSeparator()
    why_action = QAction("&Why This Suggestion?", window)
    why_action.setShortcut(QKeySequence("Ctrl+Shift+Y"))

    def show_why() -> None:
        text = learning.last_why.text() if learning.last_why is not None else NO_SUGGESTION_YET
        dialog = WhyDialog(text, window)
        room.why_dialog = dialog
        dialog.show()

    why_action.triggered.connect(show_why)
    pause_action = QAction("&Pause Learning", window, checkable=True)
    pause_action.toggled.connect(
        lambda on: learning.apply(lambda store: store.set_learning_paused(on))
    )
    private_action = QAction("Keep This Document &Private", window, checkable=True)
    private_action.triggered.connect(
        lambda on: learning.apply(lambda store: store.set_private(learning.doc_key, on))
    )

    def export_memory() -> None:
        import json

        from app.files import write_text_atomically

        chosen, _ = QFileDialog.getSaveFileName(
            window, "Export Memory", "memory.json", "JSON (*.json)"
        )
        if chosen:
            learning.apply(
                lambda store: write_text_atomically(
                    Path(chosen), json.dumps(store.export(), ensure_ascii=False, indent=2)
                ),
                then=lambda: messages.info(f"Exported the memory to {chosen}."),
            )

    def forget_everything() -> None:
        answer = QMessageBox.question(
            window,
            "Forget Everything?",
            "Forget every memory, all feedback and every voice sample? This cannot be undone.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            learning.apply(
                lambda store: store.forget_all(),
                then=lambda: messages.info("Draftsmith has forgotten everything it learned."),
            )

    panel = attach_memory_panel(room, learning)
    remember_action = QAction("&Remember…", window)
    remember_action.setShortcut(QKeySequence("Ctrl+Shift+M"))
    remember_action.setStatusTip("Remember the selected text (a character, a place, a rule…)")
    remember_action.triggered.connect(
        lambda: panel.ask_to_add(room.editor.textCursor().selectedText().replace("\u2029", "\n"))
    )
    panel_action = panel.toggleViewAction()
    panel_action.setText("&Memory Panel")
    panel_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
    window.addAction(remember_action)
    window.addAction(panel_action)
    menu.addAction(panel_action)
    menu.addAction(remember_action)
    export_action = QAction("&Export Memory…", window)
    export_action.triggered.connect(export_memory)
    forget_action = QAction("&Forget Everything…", window)
    forget_action.triggered.connect(forget_everything)
    for action in (why_action, pause_action, private_action, export_action, forget_action):
        menu.addAction(action)
    learning.opened.connect(
        lambda: pause_action.setChecked(bool(learning.store and learning.store.learning_paused))
    )
    learning.opened.connect(document_changed)
    session.opened.connect(document_changed)
    session.saved.connect(saved)
    room.suggestions.accepted.connect(taken)  # before its outcome, on the GUI thread
    room.learning_actions = {
        "panel": panel_action,
        "remember": remember_action,
        "why": why_action,
        "pause": pause_action,
        "private": private_action,
        "export": export_action,
        "forget": forget_action,
    }
    return learning


def attach_memory_panel(room: Any, learning: Learning) -> MemoryPanel:
    """The memory panel, docked at the right, kept in step with the memory; every change
    the writer asks for runs on the memory lane."""
    from PySide6.QtCore import Qt

    from ui.memory_panel import MemoryDraft, MemoryPanel

    panel = MemoryPanel(room.window)
    room.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, panel)
    panel.hide()
    query = {"text": ""}

    def refresh() -> None:
        store = learning.store
        if store is None or not panel.isVisible():
            return
        wanted = query["text"].strip()

        def fetch(_ctx: TaskContext) -> tuple[list[Any], list[Any]]:
            from memory.memories import ACTIVE  # numpy: on the memory lane, not at start

            found = store.search(wanted, limit=200) if wanted else store.memories(status=ACTIVE)
            return found, store.proposals()

        learning.runner.submit(
            fetch,
            name="list memories",
            lane=LANE,
            key="memory-panel",
            on_success=lambda result: panel.show_memories(*result),
        )

    def searched(text: str) -> None:
        query["text"] = text
        refresh()

    def added(draft: MemoryDraft) -> None:
        scope_ref = _scope_ref(draft.scope, learning)
        learning.apply(
            lambda store: store.add(
                draft.text,
                kind=draft.kind,
                name=draft.name,
                keywords=draft.keywords,
                scope=draft.scope,
                scope_ref=scope_ref,
            )
        )

    def edited(memory_id: int, draft: MemoryDraft) -> None:
        learning.apply(
            lambda store: store.correct(
                memory_id,
                text=draft.text,
                name=draft.name,
                keywords=draft.keywords,
                kind=draft.kind,
                scope=draft.scope,
            )
        )

    panel.search_changed.connect(searched)
    panel.add_requested.connect(added)
    panel.edit_requested.connect(edited)
    panel.pin_requested.connect(
        lambda memory_id, on: learning.apply(lambda store: store.set_pinned(memory_id, on))
    )
    panel.delete_requested.connect(
        lambda memory_id: learning.apply(lambda store: store.forget(memory_id))
    )
    panel.accept_requested.connect(
        lambda memory_id: learning.apply(lambda store: store.accept(memory_id))
    )
    panel.dismiss_requested.connect(
        lambda memory_id: learning.apply(lambda store: store.dismiss(memory_id))
    )
    panel.visibilityChanged.connect(lambda visible: refresh() if visible else None)
    learning.changed.connect(refresh)
    learning.opened.connect(refresh)
    room.memory_panel = panel
    return panel


def _scope_ref(scope: str, learning: Learning) -> str:
    """What a scope points at: the project folder or the document, for the open document."""
    if scope == "project":
        return learning.project
    if scope == "document":
        return learning.doc_key
    return ""
