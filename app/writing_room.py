"""The composition root: one window, its document, the model and the suggestions.

`WritingRoom` creates the pieces and connects the window's actions to them. It is
the only place that knows all layers; each piece below it has one job.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox

from app import paths
from app.document_session import DocumentSession
from app.model_service import ModelService
from app.settings import Settings
from app.suggestions import SuggestionController
from app.tasks import TaskRunner
from app.window_state import WindowState
from ui.main_window import MainWindow
from ui.messages import Level
from ui.status_bar import ModelState

log = logging.getLogger(__name__)


class WritingRoom(QObject):
    """Everything one open window needs, created once and closed on one path."""

    def __init__(
        self,
        settings: Settings,
        *,
        model_path: Path | None = None,
        load_model: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.state = WindowState(paths.window_state_path())
        self.window = MainWindow(font_size=int(settings["editor_font_size"]))
        self.editor = self.window.editor
        self.editor.set_max_text_width(int(settings["editor_max_width"]))
        self.runner = TaskRunner(self)
        self.runner.default_failure = self._task_failed
        self.model = ModelService(
            self.runner,
            n_ctx=int(settings["context_tokens"]),
            n_threads=int(settings["model_threads"]),
        )
        self.suggestions = SuggestionController(self.editor, self.model, settings)
        self.session = DocumentSession(self.window, settings, self.state)
        self._closed = False
        self._wire()
        for problem in settings.problems:
            self.window.messages.show_message(Level.WARNING, problem)
        self._model_path = model_path or (
            Path(settings["model_path"]) if settings["model_path"] else None
        )
        if load_model:
            # Let the window paint first; the model loads behind it.
            QTimer.singleShot(0, lambda: self.model.load(self._model_path))

    def _wire(self) -> None:
        w = self.window
        w.new_action.triggered.connect(self.session.new_document)
        w.open_action.triggered.connect(self.session.ask_and_open)
        w.save_action.triggered.connect(self.session.save)
        w.save_as_action.triggered.connect(self.session.save_as)
        w.confirm_close = self._confirm_close
        self.session.recent_changed.connect(self._refresh_recent)
        self._refresh_recent()
        w.suggest_action.triggered.connect(self.suggestions.request)
        w.suggestions_toggle.setChecked(self.suggestions.enabled)
        w.suggestions_toggle.toggled.connect(self._toggle_suggestions)
        w.choose_model_action.triggered.connect(self._choose_model)
        w.default_model_action.triggered.connect(self._use_default_model)
        self.model.state_changed.connect(self._model_state)
        self.model.progressed.connect(w.status.set_progress)
        self.model.failed.connect(self._model_failed)
        self.suggestions.speed_measured.connect(w.status.set_speed)
        self.editor.textChanged.connect(self._count_words)
        self._count_words()

    # --- model ----------------------------------------------------------------
    def _model_state(self, state: ModelState, detail: str) -> None:
        if state is ModelState.READY and not self.suggestions.enabled:
            self.window.status.set_model_state(ModelState.READY, detail)
        self.window.status.set_model_state(state, detail)

    def _model_failed(self, message: str) -> None:
        self.window.messages.show_message(
            Level.ERROR,
            f"The model could not be loaded: {message} You can keep writing; "
            "suggestions are off until a model loads.",
            [("Choose Model File…", self._choose_model)],
        )

    def _choose_model(self) -> None:
        chosen = self.window.ask_model_path()
        if chosen:
            self._model_path = Path(chosen)
            self.settings.set("model_path", chosen)
            self.model.load(self._model_path)

    def _use_default_model(self) -> None:
        self._model_path = None
        self.settings.set("model_path", "")
        self.model.load(None)

    def _toggle_suggestions(self, enabled: bool) -> None:
        self.suggestions.set_enabled(enabled)
        self.settings.set("suggestions_enabled", enabled)

    # --- window ---------------------------------------------------------------
    def _count_words(self) -> None:
        text = self.editor.toPlainText()
        self.window.status.set_word_count(len(text.split()), len(text))

    def _refresh_recent(self) -> None:
        self.window.set_recent_files(self.state.recent_files, self.session.open_path)

    def _task_failed(self, exc: BaseException, details: str) -> None:
        log.error("background task failed: %s\n%s", exc, details)
        self.window.messages.show_message(Level.ERROR, f"{exc}")

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
        self.suggestions.cancel()
        self.runner.shutdown()
        self.model.close()
        self.session.close()

    def show(self) -> None:
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        self.editor.setFocus()


def ask_yes_no(parent: object, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)  # type: ignore[arg-type]
    return answer == QMessageBox.StandardButton.Yes
