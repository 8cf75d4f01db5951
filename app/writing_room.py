"""The composition root: one window, its document, the model and the suggestions.

`WritingRoom` creates the pieces and connects the window's actions to them. It is
the only place that knows all layers; each piece below it has one job.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog

from app import messages, model_catalog, paths
from app.crash import report_bug
from app.document_session import DocumentSession
from app.model_service import LoadedModel, ModelService, ModelState
from app.settings import Settings
from app.suggestions import SuggestionController
from app.tasks import Task, TaskContext, TaskRunner
from app.version import app_version
from app.window_state import WindowState
from ui.authorship_stats import AuthorshipStatsDialog
from ui.authorship_view import AuthorshipLegend
from ui.editor import SuggestionKey
from ui.main_window import MainWindow
from ui.markdown_style import authorship_layer
from ui.text_stats import ChunkWordCounter, count_words

if TYPE_CHECKING:
    from collections.abc import Callable

    from memory.store import Store

log = logging.getLogger(__name__)


#: Texts at least this long are counted on the "words" lane, off the GUI thread.
LONG_TEXT_FOR_WORDS = 100_000
#: The id of the message about the model, so a later load replaces or removes it.
MODEL_MESSAGE = "model"


class _MessageRelay(QObject):
    """Carries messages from any thread to the window's message stack (GUI thread)."""

    arrived = Signal(object)  # app.messages.Message
    retracted = Signal(str)


class _AfterFirstPaint(QObject):
    """Calls `then` once, on the first pass of the event loop after `widget` first
    paints, or after `latest_ms` if it never does (a window that opens hidden)."""

    def __init__(self, widget: QObject, then: Callable[[], None], latest_ms: int = 1500) -> None:
        super().__init__(widget)
        self._widget = widget
        self._then: Callable[[], None] | None = then
        widget.installEventFilter(self)
        QTimer.singleShot(latest_ms, self, self._fire)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint and self._then is not None:
            QTimer.singleShot(0, self, self._fire)
        return False

    def _fire(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            self._widget.removeEventFilter(self)
            then()


class WritingRoom(QObject):
    """Everything one open window needs, created once and closed on one path."""

    exported = Signal(list)

    def __init__(
        self,
        settings: Settings,
        *,
        model_path: Path | None = None,
        load_model: bool = True,
        background_after_paint: bool = False,
    ) -> None:
        """`background_after_paint` (`draftsmith FILE`): background work (the model,
        the memory, the spelling dictionaries) waits until the window has painted."""
        super().__init__()
        self.settings = settings
        self.state = WindowState(paths.window_state_path())
        self.window = MainWindow(font_size=int(settings["editor_font_size"]), version=app_version)
        self._relay = _MessageRelay(self)
        self._relay.arrived.connect(self._show_message)
        self._relay.retracted.connect(self.window.messages.retract)
        self.editor = self.window.editor
        self.editor.set_max_text_width(int(settings["editor_max_width"]))
        self.editor.set_writing_aids(
            continue_lists=bool(settings["continue_lists"]),
            smart_punctuation=bool(settings["smart_punctuation"]),
        )
        self.runner = TaskRunner(self, on_problem=self._task_failed, on_bug=report_bug)
        if background_after_paint:
            self.runner.hold()  # released by show(), after the first paint
        self._store_problem = ""
        self._word_counter = ChunkWordCounter()  # a long text's count, chunk by chunk
        self.model = ModelService(
            self.runner,
            n_ctx=int(settings["context_tokens"]),
            n_threads=int(settings["model_threads"]),
            hash_cache=paths.data_dir() / "model-hashes.json",
            settings=settings,
            api_key_for=model_catalog.api_key_for,
        )
        self.models_window = model_catalog.ModelsWindow(settings, self.model, self.runner)
        self.suggestions = SuggestionController(self.editor, self.model, settings)
        # `draftsmith FILE`: the co-writer (rewrite, brainstorm: 0.1 s of imports and
        # widgets) is built after the first paint, or when its action is used first.
        self._cowriter_built = False
        if not background_after_paint:
            self._build_cowriter()
        self.session = DocumentSession(self.window, settings, self.state, self._open_store())
        # Styling off screen waits while a save is written or a suggestion generated.
        self.editor.styler.wait_while = self.lane_busy
        from app.learning import attach_learning

        self.learning = attach_learning(self)
        from app.project_room import attach_projects

        self.projects = attach_projects(self)
        from app.manuscript_room import attach_manuscript

        attach_manuscript(self)
        self._closed = False
        self._wire()
        self._deliver = self._relay.arrived.emit
        messages.hub.attach(self._deliver, self._relay.retracted.emit)
        for problem in settings.problems:
            messages.warning(problem)
        # Unsaved work from before a crash, every document's, titled or not.
        self.session.offer_recoverable()
        if os.environ.get("DRAFTSMITH_SCRIPTED_TYPING"):  # scripted_typing.ENV (tests only)
            from app import scripted_typing

            scripted_typing.start(self)
        self._model_path = model_path or (
            Path(settings["model_path"]) if settings["model_path"] else None
        )
        self._start_model = (lambda: self.model.start(model_path)) if load_model else None
        if load_model and not background_after_paint:
            # Let the window paint first; the model loads behind it.
            QTimer.singleShot(0, self._start_background)

    def _start_background(self) -> None:
        """After the first paint: the co-writer, the held background work, the model."""
        try:
            if not self._closed:
                self._ensure_cowriter()
        finally:  # a bug there is reported, and the rest still starts
            self.runner.release()
            start, self._start_model = self._start_model, None
            if start is not None and not self._closed:
                start()

    def _ensure_cowriter(self) -> None:
        """Build and connect the co-writer if it is not yet (after the first paint)."""
        if not self._cowriter_built:
            self._build_cowriter()
            self._wire_cowriter()
            if self.session.authored is not None:
                self.brainstorm.document_opened()  # the document opened before it

    def _build_cowriter(self) -> None:
        """The co-writer's tools: rewrite (Ctrl+K) and the brainstorm panel."""
        from PySide6.QtCore import Qt

        from app.brainstorm import BrainstormController
        from app.rewrite import RewriteController
        from assistant.brainstorm import KINDS
        from ui.brainstorm_panel import BrainstormPanel

        self.rewrite = RewriteController(self.editor, self.model, self.suggestions)
        self.brainstorm_panel = BrainstormPanel(
            {kind: label for kind, (label, _request) in KINDS.items()}, self.window
        )
        self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.brainstorm_panel)
        self.brainstorm_panel.hide()
        self.brainstorm = BrainstormController(
            self.editor,
            self.model,
            self.brainstorm_panel,
            self._brainstorm_store,
            self.suggestions,
        )
        self._cowriter_built = True

    def _wire_cowriter(self) -> None:
        w = self.window
        self.rewrite.decided.connect(
            lambda kept, total: w.status.showMessage(
                f"Rewrite: kept {kept} of {total} change{'s' if total != 1 else ''}"
                + (" (Ctrl+Z takes them back)" if kept else ""),
                6000,
            )
        )
        self.session.opened.connect(self.brainstorm.document_opened)

    def _open_rewrite(self) -> None:
        self._ensure_cowriter()
        self.rewrite.open_bar()

    def _toggle_brainstorm(self) -> None:
        self._ensure_cowriter()
        self.brainstorm.toggle()

    def _brainstorm_store(self) -> tuple[Store, str] | None:
        session = getattr(self, "session", None)
        if session is None or session.store is None or session.authored is None:
            return None
        return session.store, session.authored.doc_id

    def _open_store(self) -> Store | None:
        from memory.store import open_library

        # A damaged library is moved aside and a fresh one started; an unwritable one
        # is replaced by an in-memory one for the session (see `open_library`).
        opened = open_library(paths.database_path())
        if opened.notice:
            (messages.error if opened.in_memory else messages.warning)(opened.notice)
        self.library = opened
        return opened.store

    def _wire(self) -> None:
        w = self.window
        if self._store_problem:
            messages.error(
                f"{self._store_problem} You can keep writing and saving files; authorship "
                "and crash recovery are off until the database is repaired or moved aside.",
            )
        from app.preferences import attach_preferences

        attach_preferences(self)  # Edit > Preferences…; the theme first: the legend reads it
        from app.spelling import attach_spelling

        self.spelling = attach_spelling(self)  # marks after a pause, Edit > Spelling
        self._build_view_menu()
        self._build_export_menu()
        self.name_action = QAction("Writer &Name…", w)
        self.name_action.setStatusTip("Whose name your typing is recorded under")
        self.name_action.triggered.connect(self.ask_writer_name)
        w.edit_menu.addSeparator()
        w.edit_menu.addAction(self.name_action)
        if not self.settings["writer_name"]:
            self._introduce_writer()
        self.session.opened.connect(self._document_changed)
        w.new_action.triggered.connect(self.session.new_document)
        w.open_action.triggered.connect(self.session.ask_and_open)
        w.save_action.triggered.connect(self.session.save_in_background)
        w.save_as_action.triggered.connect(self.session.save_as)
        w.set_close_guard(self._confirm_close)
        self.session.recent_changed.connect(self._refresh_recent)
        self._refresh_recent()
        w.suggest_action.triggered.connect(self.suggestions.request)
        w.accept_action.triggered.connect(lambda: self.suggestions.accept())
        w.accept_word_action.triggered.connect(
            lambda: self.suggestions.suggestion_key(SuggestionKey.ACCEPT_WORD)
        )
        w.dismiss_action.triggered.connect(lambda: self.suggestions.dismiss())
        w.accept_sentence_action.triggered.connect(
            lambda: self.suggestions.suggestion_key(SuggestionKey.ACCEPT_SENTENCE)
        )
        w.next_alternative_action.triggered.connect(self.suggestions.next_alternative)
        w.previous_alternative_action.triggered.connect(self.suggestions.previous_alternative)
        w.rewrite_action.triggered.connect(self._open_rewrite)
        w.brainstorm_action.triggered.connect(self._toggle_brainstorm)
        if self._cowriter_built:
            self._wire_cowriter()
        w.suggestions_toggle.setChecked(self.suggestions.enabled)
        w.suggestions_toggle.toggled.connect(self._toggle_suggestions)
        w.choose_model_action.triggered.connect(self._choose_model)
        w.default_model_action.triggered.connect(self._use_default_model)
        self.models_action = QAction("&Models…", w)
        self.models_action.setStatusTip("Models found on this computer, servers, and who does what")
        self.models_action.triggered.connect(lambda: self.models_window.open(self.window))
        w.assistant_menu.addAction(self.models_action)
        self.model.roles_changed.connect(self._model_roles)
        self.model.state_changed.connect(self._model_state)
        self.model.progressed.connect(self._model_progress)
        self.model.failed.connect(self._model_failed)
        self.model.loaded.connect(self._model_loaded)
        self.suggestions.speed_measured.connect(w.status.set_speed)
        # Counting words walks the whole text: do it once typing pauses, not per keystroke.
        self._word_count = QTimer(self.window)  # dies with the window it counts
        self._word_count.setSingleShot(True)
        self._word_count.setInterval(400)
        self._word_count.timeout.connect(self._count_words_behind)
        self.editor.textChanged.connect(self._word_count.start)
        self._count_words()

    # --- the writer -------------------------------------------------------------------
    def _introduce_writer(self) -> None:
        """First run: record the account's name, and say how to change it (asked once)."""
        name = self.settings.writer_name
        self.settings.set("writer_name", name)
        messages.info(
            f"Welcome to Draftsmith. What you type is recorded as written by “{name}”.",
            actions=[("Change Name…", self.ask_writer_name)],
        )

    def ask_writer_name(self) -> None:
        name, ok = QInputDialog.getText(
            self.window,
            "Writer Name",
            "Your name, as it will appear in authorship records and exports.\n"
            "Several people can write in one document, each under their own name.",
            text=self.settings.writer_name,
        )
        if ok and name.strip():
            self.set_writer_name(name.strip())

    def set_writer_name(self, name: str) -> None:
        """From now on, typing is attributed to `name`."""
        self.settings.set("writer_name", name)
        self.window.status.showMessage(f"Writing as {name}", 4000)

    # --- authorship view, statistics, export --------------------------------------
    def _build_view_menu(self) -> None:
        w = self.window
        self.legend = AuthorshipLegend(w)
        w.add_banner(self.legend)
        self.authorship_action = QAction("Show &Authorship Colours", w)
        self.authorship_action.setCheckable(True)
        self.authorship_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.authorship_action.toggled.connect(self.show_authorship)
        self.stats_action = QAction("Authorship &Statistics…", w)
        self.stats_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.stats_action.triggered.connect(self.show_statistics)
        for action in (self.authorship_action, self.stats_action):
            w.addAction(action)
            w.view_menu.addAction(action)

    def show_authorship(self, on: bool) -> None:
        """Tint the text by origin (and explain the tints), or go back to plain text."""
        bridge = self.session.bridge
        if on and bridge is not None:
            # A layer over the Markdown look: one highlighter owns a paragraph's formats.
            self.editor.styler.set_layer("authorship", authorship_layer(bridge.block_labels))
            self.editor.set_tooltip_source(bridge.describe_at)
        else:
            self.editor.styler.set_layer("authorship", None)
            self.editor.set_tooltip_source(None)
        self.legend.setVisible(on and bridge is not None)
        if on and bridge is None:
            messages.warning("Authorship is not recorded for this document.")

    def _document_changed(self) -> None:
        if self.authorship_action.isChecked():
            self.show_authorship(True)

    def show_statistics(self) -> None:
        bridge = self.session.bridge
        if bridge is None:
            messages.warning("Authorship is not recorded for this document.")
            return
        counts, scope = bridge.shares_for_selection()
        AuthorshipStatsDialog(counts, scope, self.window).exec()

    def _build_export_menu(self) -> None:
        menu = self.window.export_menu
        for label, fmt, suffix in (
            ("Markdown with Authorship…", "markdown", ".md"),
            ("HTML…", "html", ".html"),
            ("PDF…", "pdf", ".pdf"),
            ("Provenance Report (HTML)…", "report-html", ".report.html"),
            ("Provenance Report (PDF)…", "report-pdf", ".report.pdf"),
            ("PROV-JSON Sidecar…", "prov", ".prov.json"),
        ):
            action = menu.addAction(label)
            action.triggered.connect(
                lambda _checked=False, f=fmt, x=suffix: self.export_document(f, x)
            )

    def export_document(self, fmt: str, suffix: str, out: Path | None = None) -> Task | None:
        """Export in the background with a progress bar; the window stays responsive."""
        from memory.errors import DraftsmithError
        from memory.provenance.chain import signed_record_for

        authored = self.session.authored
        if authored is None:
            messages.warning(
                "Authorship is not recorded for this document, so it cannot "
                "be exported with provenance.",
            )
            return None
        self.session.flush()
        working = self.session.path
        stem = working.stem if working else "Untitled"
        if out is None:
            folder = working.parent if working else Path.home()
            proposed = folder / f"{stem}{suffix}"
            if working is not None and proposed.resolve() == working.resolve():
                proposed = folder / f"{stem}.export{suffix}"  # never the working file
            chosen = self.window.ask_export_path(str(proposed))
            if not chosen:
                return None
            out = Path(chosen)
        if working is not None and out.resolve() == working.resolve():
            messages.warning(
                f"“{out.name}” is the document you are working on, and an export never "
                "replaces it: choose another name. (Saving it writes its authorship "
                "block too.)"
            )
            return None
        try:
            record = signed_record_for(authored, stem, app_version())
        except DraftsmithError as error:  # a broken hash chain, a damaged library
            messages.error(str(error))
            return None
        keys = paths.keys_dir()
        status = self.window.status
        status.progress.show()
        status.set_progress(0.0)

        def work(ctx: TaskContext) -> list[Path]:
            from app.export import export

            return export(record, fmt, out, keys, progress=lambda f: ctx.progress(f))

        def done(written: list[Path]) -> None:
            status.progress.hide()
            messages.info(f"Exported {', '.join(p.name for p in written)} to {out.parent}.")
            self.exported.emit([str(p) for p in written])

        def failed(exc: BaseException, details: str) -> None:
            status.progress.hide()
            log.error("export failed: %s\n%s", exc, details)
            messages.error(f"Export failed: {exc}")

        return self.runner.submit(
            work,
            name=f"export {fmt}",
            lane="io",
            on_success=done,
            on_failure=failed,
            on_progress=lambda f, _m: status.set_progress(f),
        )

    # --- model ----------------------------------------------------------------
    # The model's signals can arrive queued after `shutdown` (closing the model emits
    # them from its lane), when the window's widgets may be gone: they are ignored then.
    def _model_roles(self) -> None:
        if not self._closed:
            self.window.status.set_roles(self.model.roles())

    def _model_progress(self, fraction: float) -> None:
        if not self._closed:
            self.window.status.set_progress(fraction)

    def _model_state(self, state: ModelState, detail: str) -> None:
        if self._closed:
            return
        self.window.status.set_model_state(state, detail)
        model = self.model.model_file
        lines = [f"Data folder: {paths.data_dir()}"]
        if model is not None:
            lines.insert(0, f"Model: {model.path.name} (SHA-256 {model.sha256[:12]}…)")
        self.window.about_details = "\n".join(lines)

    def _model_failed(self, message: str, path: Path | None) -> None:
        if self._closed:
            return
        from assistant.model_files import model_display_name

        name = model_display_name(path) if path else "The bundled model"
        if self.model.ready:
            text = (
                f"{name} could not be loaded: {message} "
                f"Suggestions still come from {self.model.detail}."
            )
            messages.warning(text, id=MODEL_MESSAGE)
        else:
            text = (
                f"{name} could not be loaded: {message} You can keep writing; "
                "suggestions are off until a model loads."
            )
            messages.error(
                text,
                id=MODEL_MESSAGE,
                actions=[
                    ("Choose Model File…", self._choose_model),
                    ("Use the Bundled Model", self._use_default_model),
                ],
            )

    def _model_loaded(self, loaded: LoadedModel) -> None:
        """Only a model that loaded becomes the one remembered for next time."""
        if self._closed:
            return
        messages.retract(MODEL_MESSAGE)
        self.settings.set("model_path", str(loaded.requested) if loaded.requested else "")

    def _choose_model(self) -> None:
        chosen = self.window.ask_model_path()
        if chosen:
            self._model_path = Path(chosen)
            self.model.load(self._model_path)

    def _use_default_model(self) -> None:
        self._model_path = None
        self.model.load(None)

    def _toggle_suggestions(self, enabled: bool) -> None:
        self.suggestions.set_enabled(enabled)
        self.settings.set("suggestions_enabled", enabled)

    # --- window ---------------------------------------------------------------
    def _show_message(self, message: messages.Message) -> None:
        self.window.messages.show_message(
            message.level.value,
            message.text,
            [(action.label, action.callback) for action in message.actions],
            message.id,
        )

    def lane_busy(self) -> bool:
        """Whether a lane runs Python the window should not compete with for the
        interpreter's lock (a save being written, a suggestion being generated)."""
        return self.session.saving or self.suggestions.generating

    def _count_words_behind(self) -> None:
        """After a pause: a long text is counted on the "words" lane (a megabyte is 0.1 s
        of Python that would stall the next key), the newest count winning; a short
        one at once."""
        if self.session.loading:
            return  # a long file's first screen is no count: its load ends with one
        authored = self.session.authored
        if authored is not None and self.suggestions.generating:
            # A count after the cursor moved recounts the chunks the edit cut (up to the
            # whole text): its Python stalled the streaming ghost text up to 25 ms.
            self._word_count.start()  # again when the suggestion is done
            return
        if authored is None or len(authored) < LONG_TEXT_FOR_WORDS:
            self._count_words()
            return
        # The editor's text, recorded edit by edit, as the chunks it is held in: neither
        # a copy from Qt nor a join of the whole text here (50 MB: up to 0.6 s); only
        # the chunks changed since the last count are counted (one, after a keystroke).
        pieces, length = authored.authored_text.chunks(), len(authored)
        counter = self._word_counter

        def work(_context: TaskContext) -> tuple[int, int]:
            return counter.count(pieces), length

        status = self.window.status
        self.runner.submit(
            work,
            name="count words",
            lane="words",
            key="words",
            on_success=lambda counted: status.set_word_count(*counted),
        )

    def _count_words(self) -> None:
        text = self.editor.toPlainText()  # "#" and "-" are no words (`count_words`)
        self.window.status.set_word_count(count_words(text), len(text))

    def _refresh_recent(self) -> None:
        self.window.set_recent_files(self.state.recent_files, self.open_recent)

    def open_recent(self, path: str | Path) -> bool:
        """A recent file opens as a document; a recent folder as a project."""
        if Path(path).is_dir():
            return self.projects.open_folder(Path(path))
        return bool(self.session.open_path(path))

    def _task_failed(self, exc: BaseException, details: str) -> None:
        log.warning("background task failed: %s\n%s", exc, details)
        messages.error(str(exc) or exc.__class__.__name__)

    def _confirm_close(self) -> bool:
        if not self.session.confirm_discard():
            return False
        self.shutdown()
        return True

    def shutdown(self) -> None:
        """The one shutdown path: stop suggestions, drain the runner, release the model."""
        if self._closed:
            return
        self._closed = True
        messages.hub.detach(self._deliver)
        self._word_count.stop()
        self.suggestions.dismiss(notify=False)
        if self._cowriter_built:
            self.rewrite.cancel()
            self.brainstorm.stop()
        self.runner.shutdown()
        self.learning.close()
        self.model.close()
        self.session.close()

    def show(self) -> None:
        if self.runner.held:
            _AfterFirstPaint(self.editor.viewport(), self._start_background)
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        self.editor.setFocus()
