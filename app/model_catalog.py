"""Every model the writer can use: discovered files, the bundled model and added servers.

The plain-Python half (`catalog`, servers kept in settings, `draftsmith models`) and
`ModelsWindow`, which runs Assistant > Models…: discovery and checks go through the
task runner, never on the GUI thread.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from PySide6.QtCore import QObject

from app import credentials, messages
from app.model_service import BUNDLED, LONG_TASKS, SUGGEST, TASKS, ModelService
from app.settings import Settings
from app.tasks import TaskContext, TaskRunner

if TYPE_CHECKING:
    from assistant.discovery import FoundModel
    from assistant.remote import ServerSpec
    from ui.model_manager import ModelManager, ModelRow

log = logging.getLogger(__name__)


# --- servers in settings -----------------------------------------------------------
def servers(settings: Settings) -> list[ServerSpec]:
    """The servers the writer added (entries that are not {"url", "model"} are skipped)."""
    from assistant.remote import ServerSpec

    found: list[ServerSpec] = []
    for entry in settings["model_servers"]:
        if isinstance(entry, dict) and isinstance(entry.get("url"), str):
            model = entry.get("model")
            if isinstance(model, str) and model:
                found.append(ServerSpec(entry["url"], model))
    return found


def add_server(settings: Settings, url: str, model: str, api_key: str = "") -> str:
    """Remember a server (and its key, in the keyring); returns a note for the writer."""
    from assistant.remote import ServerSpec

    if not url.startswith(("http://", "https://")):
        raise ValueError("A server address starts with http:// or https://.")
    spec = ServerSpec(url, model)
    entries = [
        e
        for e in settings["model_servers"]
        if not (
            isinstance(e, dict)
            and ServerSpec(str(e.get("url")), str(e.get("model"))).ref == spec.ref
        )
    ]
    entries.append({"url": spec.base_url, "model": model})
    settings.set("model_servers", entries)
    if api_key:
        return credentials.save_api_key(spec.base_url, model, api_key).note
    return ""


def remove_server(settings: Settings, ref: str) -> None:
    """Forget a server and its key."""
    from assistant.remote import ServerSpec

    spec = ServerSpec.from_ref(ref)
    if spec is None:
        return
    entries = [
        e
        for e in settings["model_servers"]
        if not (
            isinstance(e, dict) and ServerSpec(str(e.get("url")), str(e.get("model"))).ref == ref
        )
    ]
    settings.set("model_servers", entries)
    credentials.forget_api_key(spec.base_url, spec.model)


def api_key_for(server: ServerSpec) -> str | None:
    return credentials.api_key(server.base_url, server.model)


# --- the catalog ----------------------------------------------------------------------
def catalog(
    settings: Settings,
    *,
    home: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> list[FoundModel]:
    """The bundled model, every model discovered, then every server (not contacted)."""
    from assistant.discovery import FoundModel, default_roots, discover
    from assistant.model_files import default_model_path

    folders = [Path(f) for f in settings["model_folders"] if isinstance(f, str)]
    roots = default_roots(home, env, folders=folders)
    found = discover(roots, bundled=default_model_path(), n_ctx=int(settings["context_tokens"]))
    for server in servers(settings):
        found.append(
            FoundModel(name=server.model, source="remote", url=server.base_url, label=server.ref)
        )
    return found


def ref_of(model: FoundModel) -> str:
    """How settings name this model."""
    if model.source == "remote":
        return model.label
    if model.source == "bundled":
        return BUNDLED
    return str(model.path)


def row_of(model: FoundModel) -> ModelRow:
    from ui.model_manager import ModelRow

    def size(count: int | None) -> str:
        if count is None:
            return ""
        return f"{count / 1e9:.1f} GB" if count >= 1e9 else f"{count / 1e6:.0f} MB"

    fits = ""
    if model.fits_in_memory is not None:
        fits = "yes" if model.fits_in_memory else f"no (needs {size(model.memory_needed_bytes)})"
    chat = {True: "yes", False: "no", None: ""}[model.has_chat_template]
    return ModelRow(
        ref=ref_of(model),
        name=model.name + (f" — {model.label}" if model.label and model.source != "remote" else ""),
        source=model.source,
        location=model.url or str(model.path or ""),
        parameters=model.parameters_label,
        quantization=model.quantization,
        context=f"{model.context_length:,}" if model.context_length else "",
        size=size(model.size_bytes),
        chat=chat if model.source != "remote" else "server's",
        fits=fits if model.source != "remote" else "on the server",
        problem=model.problem,
        removable=model.source == "remote",
    )


def run_models(settings: Settings, out: TextIO, *, as_json: bool) -> int:
    """`draftsmith models [--json]`: every model it can use."""
    found = catalog(settings)
    if as_json:
        print(json.dumps([m.to_json() for m in found], ensure_ascii=False, indent=1), file=out)
        return 0
    if not found:
        print("No models found.", file=out)
        return 0
    for model in found:
        row = row_of(model)
        facts = ", ".join(
            x
            for x in (
                row.parameters and f"{row.parameters} parameters",
                row.quantization,
                row.context and f"{row.context} tokens of context",
                row.size,
                model.has_chat_template and "chat template",
                model.fits_in_memory is False and "does NOT fit in free memory",
            )
            if x
        )
        print(f"{model.name}  [{model.source}]", file=out)
        print(f"    {row.location}", file=out)
        if facts:
            print(f"    {facts}", file=out)
        if model.problem:
            print(f"    problem: {model.problem}", file=out)
    return 0


def check_local(path: Path | None, n_ctx: int) -> tuple[bool, str]:
    """Load a local model and write a few tokens (blocking: run it off the GUI thread)."""
    from assistant.backend import LlamaBackend, ModelLoadError
    from assistant.model_files import ModelFileError

    backend = LlamaBackend()
    try:
        from app.model_service import _model_path

        backend.load(_model_path(path), n_ctx=min(n_ctx, 1024))
        generation = backend.complete("The old lighthouse keeper", max_tokens=8, seed=1)
        return True, f"wrote “{generation.text.strip()}” at {generation.tokens_per_s:.0f} tokens/s"
    except (ModelFileError, ModelLoadError) as exc:
        return False, str(exc)
    finally:
        backend.close()


class ModelsWindow(QObject):
    """Runs Assistant > Models…: fills the window, checks models, applies choices."""

    def __init__(self, settings: Settings, model: ModelService, runner: TaskRunner) -> None:
        super().__init__()
        self.settings = settings
        self.model = model
        self.runner = runner
        self.window: ModelManager | None = None
        model.roles_changed.connect(self._show_choices)

    def open(self, parent: object = None) -> ModelManager:
        from PySide6.QtWidgets import QWidget

        from ui.model_manager import ModelManager, ModelManagerActions

        if self.window is None:
            actions = ModelManagerActions(
                check=self.check,
                choose=self.choose,
                add_server=self.add_server,
                remove_server=self.remove_server,
                add_folder=self.add_folder,
                refresh=self.refresh,
            )
            self.window = ModelManager(actions, parent if isinstance(parent, QWidget) else None)
        self.refresh()
        self._show_choices()
        self.window.show()
        self.window.raise_()
        return self.window

    def refresh(self) -> None:
        """Look for models again (headers only, on the io lane)."""
        settings = self.settings

        def done(found: list[FoundModel]) -> None:
            if self.window is not None:
                self.window.set_rows([row_of(m) for m in found])
                self._show_choices()

        self.runner.submit(
            lambda _ctx: catalog(settings),
            name="find models",
            lane="io",
            key="find-models",
            on_success=done,
        )

    def _show_choices(self) -> None:
        if self.window is not None:
            self.window.set_choices({task: self.model.choice(task) for task in TASKS})

    def check(self, ref: str) -> None:
        """Check one model off the GUI thread; the answer lands in the window."""
        from assistant.remote import ServerSpec, check_server

        server = ServerSpec.from_ref(ref)
        n_ctx = int(self.settings["context_tokens"])

        def work(_ctx: TaskContext) -> tuple[bool, str]:
            if server is not None:
                result = check_server(server, api_key=api_key_for(server))
                if not result.ok:
                    return False, result.problem
                speed = result.tokens_per_s or 0
                return True, f"wrote “{result.text.strip()}” at {speed:.0f} tokens/s"
            return check_local(None if ref == BUNDLED else Path(ref), n_ctx)

        def done(result: tuple[bool, str]) -> None:
            if self.window is not None:
                self.window.show_check(ref, *result)

        def failed(exc: BaseException, _details: str) -> None:
            if self.window is not None:
                self.window.show_check(ref, False, str(exc))

        self.runner.submit(
            work,
            name="check model",
            lane="check",
            key=f"check:{ref}",
            on_success=done,
            on_failure=failed,
        )

    def choose(self, task: str, ref: str) -> None:
        if task == SUGGEST or task in LONG_TASKS:
            self.model.use(task, ref)

    def add_server(self, url: str, model: str, key: str) -> str:
        try:
            note = add_server(self.settings, url, model, key)
        except ValueError as exc:
            return str(exc)
        if note:
            messages.info(note, id="api-key")
        self.refresh()
        return ""

    def remove_server(self, ref: str) -> None:
        for task in TASKS:
            if self.model.choice(task) == ref:
                self.model.use(task, BUNDLED if task == SUGGEST else "")
        remove_server(self.settings, ref)
        self.refresh()

    def add_folder(self, folder: str) -> None:
        folders = [f for f in self.settings["model_folders"] if isinstance(f, str)]
        if folder not in folders:
            self.settings.set("model_folders", [*folders, folder])
        self.refresh()


def main_models(as_json: bool) -> int:
    """The CLI entry: settings from the data folder, output to stdout."""
    from app import paths

    return run_models(Settings(paths.settings_path()), sys.stdout, as_json=as_json)
