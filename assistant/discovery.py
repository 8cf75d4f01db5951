"""Find the GGUF models a writer already has, where they already live, and describe them.

Looks in LM Studio's folders, Ollama's manifests and blobs, GPT4All's data folder, the
Hugging Face hub cache and any folders the writer adds, plus the bundled model. Only the
GGUF header is read (metadata and tensor shapes, a few kilobytes to a few megabytes),
never the weights, and no file is ever copied or moved: a model is used where it lies.

Every root is computed from a `home` folder and an environment mapping, so tests (and
`draftsmith models`) can point discovery at any tree.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from gguf import GGMLQuantizationType, GGUFValueType, LlamaFileType

__all__ = [
    "SOURCES",
    "FoundModel",
    "GGUFHeader",
    "ModelRoots",
    "available_memory_bytes",
    "default_roots",
    "describe_model",
    "discover",
    "read_header",
]

#: Where a model was found (the `source` of `draftsmith models --json`).
SOURCES = ("bundled", "lmstudio", "ollama", "gpt4all", "hf-cache", "folder", "remote")

#: Metadata values longer than this (tokenizer vocabularies, merges) are skipped unread.
_MAX_KEPT_ARRAY = 64
_SCALARS: dict[int, str] = {
    GGUFValueType.UINT8: "<B",
    GGUFValueType.INT8: "<b",
    GGUFValueType.UINT16: "<H",
    GGUFValueType.INT16: "<h",
    GGUFValueType.UINT32: "<I",
    GGUFValueType.INT32: "<i",
    GGUFValueType.FLOAT32: "<f",
    GGUFValueType.BOOL: "<?",
    GGUFValueType.UINT64: "<Q",
    GGUFValueType.INT64: "<q",
    GGUFValueType.FLOAT64: "<d",
}
#: Kinds of GGUF that are not language models on their own (vision projectors, adapters).
_NOT_A_MODEL = {"mmproj", "adapter", "imatrix"}


class GGUFHeaderError(ValueError):
    """The file is not a readable GGUF (the message says why, in plain words)."""


@dataclass(frozen=True)
class GGUFHeader:
    """What a GGUF header says: its metadata (long arrays left out) and tensor facts."""

    version: int
    metadata: dict[str, Any]
    tensor_count: int
    parameters: int
    tensor_types: dict[str, int]  # quantization type name -> elements of that type

    def get(self, key: str, default: Any = None) -> Any:
        return self.metadata.get(key, default)

    @property
    def architecture(self) -> str:
        return str(self.get("general.architecture", ""))

    def arch_value(self, name: str) -> Any:
        return self.get(f"{self.architecture}.{name}")


def read_header(path: Path) -> GGUFHeader:
    """Read the header of the GGUF at `path` without touching its weights.

    A streaming reader over the format `gguf` defines (its value and quantization type
    enums): `gguf.GGUFReader` also parses every token of the vocabulary into arrays,
    which takes seconds per model; here long arrays are skipped by length."""
    try:
        with open(path, "rb", buffering=1 << 16) as handle:
            return _read(handle)
    except (OSError, struct.error, UnicodeDecodeError, OverflowError, MemoryError) as exc:
        raise GGUFHeaderError(f"{Path(path).name} could not be read as GGUF ({exc})") from None


def _read(handle: BinaryIO) -> GGUFHeader:
    def take(size: int) -> bytes:
        data = handle.read(size)
        if len(data) != size:
            raise GGUFHeaderError("the file ends inside its header (is it incomplete?)")
        return data

    def unpack(fmt: str) -> Any:
        return struct.unpack(fmt, take(struct.calcsize(fmt)))[0]

    def string() -> str:
        length = unpack("<Q")
        if length > 1 << 26:
            raise GGUFHeaderError("a header string is implausibly long")
        return take(length).decode("utf-8", errors="replace")

    def value(kind: int) -> Any:
        if kind in _SCALARS:
            return unpack(_SCALARS[kind])
        if kind == GGUFValueType.STRING:
            return string()
        if kind == GGUFValueType.ARRAY:
            inner, count = unpack("<I"), unpack("<Q")
            if count <= _MAX_KEPT_ARRAY:
                return [value(inner) for _ in range(count)]
            skip(inner, count)
            return None
        raise GGUFHeaderError(f"unknown metadata type {kind}")

    def skip(kind: int, count: int) -> None:
        if kind in _SCALARS:
            handle.seek(struct.calcsize(_SCALARS[kind]) * count, os.SEEK_CUR)
        elif kind == GGUFValueType.STRING:
            for _ in range(count):
                handle.seek(unpack("<Q"), os.SEEK_CUR)
        elif kind == GGUFValueType.ARRAY:
            for _ in range(count):
                inner, n = unpack("<I"), unpack("<Q")
                skip(inner, n)
        else:
            raise GGUFHeaderError(f"unknown metadata type {kind}")

    if take(4) != b"GGUF":
        raise GGUFHeaderError("it does not start with the GGUF signature")
    version = unpack("<I")
    if version not in (2, 3):
        raise GGUFHeaderError(f"GGUF version {version} is not supported")
    tensor_count, kv_count = unpack("<Q"), unpack("<Q")
    metadata: dict[str, Any] = {}
    for _ in range(kv_count):
        key = string()
        kind = unpack("<I")
        metadata[key] = value(kind)
    parameters = 0
    types: dict[str, int] = {}
    for _ in range(tensor_count):
        string()  # tensor name
        dims = [unpack("<Q") for _ in range(unpack("<I"))]
        kind = unpack("<I")
        unpack("<Q")  # offset of its data
        elements = 1
        for dim in dims:
            elements *= dim
        parameters += elements
        try:
            name = GGMLQuantizationType(kind).name
        except ValueError:
            name = str(kind)
        types[name] = types.get(name, 0) + elements
    return GGUFHeader(version, metadata, tensor_count, parameters, types)


@dataclass(frozen=True)
class FoundModel:
    """One model Draftsmith can use, with the facts the writer chooses by."""

    name: str
    source: str  # one of SOURCES
    path: Path | None = None
    url: str = ""  # a remote model's server
    label: str = ""  # how its own tool names it: "llama3.2:latest", "org/repo"
    size_bytes: int | None = None
    parameters: int | None = None
    quantization: str = ""
    context_length: int | None = None
    has_chat_template: bool | None = None
    architecture: str = ""
    memory_needed_bytes: int | None = None
    fits_in_memory: bool | None = None
    sha256: str = ""  # known without hashing (Ollama and HF blobs are named by it)
    problem: str = ""  # why it cannot be used, when it cannot

    @property
    def parameters_label(self) -> str:
        """'135M', '7.2B', or '' when unknown."""
        count = self.parameters
        if not count:
            return ""
        for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
            if count >= size:
                shown = count / size
                return f"{shown:.0f}{suffix}" if shown >= 10 else f"{shown:.1f}{suffix}"
        return str(count)

    def to_json(self) -> dict[str, Any]:
        """The object `draftsmith models --json` prints for this model."""
        out: dict[str, Any] = {"name": self.name, "source": self.source}
        if self.path is not None:
            out["path"] = str(self.path)
        if self.url:
            out["url"] = self.url
        if self.label:
            out["label"] = self.label
        for key in (
            "size_bytes",
            "parameters",
            "context_length",
            "has_chat_template",
            "memory_needed_bytes",
            "fits_in_memory",
        ):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        for key in ("quantization", "architecture", "sha256", "problem"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


def quantization_of(header: GGUFHeader) -> str:
    """'Q4_K_M', 'Q8_0', 'F16'... from general.file_type, else the weights' main type."""
    file_type = header.get("general.file_type")
    if isinstance(file_type, int):
        try:
            name = LlamaFileType(file_type).name
        except ValueError:
            name = ""
        if name:
            return name.removeprefix("MOSTLY_").removeprefix("ALL_")
    big = {k: v for k, v in header.tensor_types.items() if k not in ("F32",)}
    return max(big, key=lambda k: big[k]) if big else ""


def memory_needed(header: GGUFHeader, file_size: int, n_ctx: int) -> int:
    """Bytes of RAM to run the model with `n_ctx` tokens: the weights (mapped), an f16
    KV cache for the context, and a tenth more for llama.cpp's buffers."""
    layers = header.arch_value("block_count")
    width = header.arch_value("embedding_length")
    heads = header.arch_value("attention.head_count")
    kv_heads = header.arch_value("attention.head_count_kv") or heads
    kv = 0
    if all(isinstance(x, int) and x > 0 for x in (layers, width, heads, kv_heads)):
        kv = 2 * layers * n_ctx * (width // heads) * kv_heads * 2
    return int(file_size * 1.1) + kv


def available_memory_bytes(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """Memory a new program can use now (see `assistant.model_files.available_memory`)."""
    from assistant.model_files import available_memory

    return available_memory(meminfo)


def describe_model(
    path: Path,
    source: str,
    *,
    name: str = "",
    label: str = "",
    sha256: str = "",
    n_ctx: int = 2048,
    free_memory: int | None = None,
) -> FoundModel | None:
    """The facts of the GGUF at `path`; None when it is not a language model (a vision
    projector, an adapter); a `FoundModel` with `problem` set when it cannot be read."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return FoundModel(name or path.name, source, path, label=label, problem=str(exc))
    try:
        header = read_header(path)
    except GGUFHeaderError as exc:
        return FoundModel(
            name or _stem(path), source, path, label=label, size_bytes=size, problem=str(exc)
        )
    kind = str(header.get("general.type", "model"))
    if kind in _NOT_A_MODEL or header.architecture in ("clip",):
        return None
    size = _split_size(path, size)
    context = header.arch_value("context_length")
    needed = memory_needed(header, size, n_ctx)
    return FoundModel(
        name=name or str(header.get("general.name") or "") or _stem(path),
        source=source,
        path=path,
        label=label,
        size_bytes=size,
        parameters=header.parameters or None,
        quantization=quantization_of(header),
        context_length=int(context) if isinstance(context, int) else None,
        has_chat_template=bool(header.get("tokenizer.chat_template")),
        architecture=header.architecture,
        memory_needed_bytes=needed,
        fits_in_memory=None if free_memory is None else needed <= free_memory,
        sha256=sha256,
    )


def _stem(path: Path) -> str:
    name = path.name
    return name[:-5] if name.lower().endswith(".gguf") else name


def _split_size(path: Path, size: int) -> int:
    """A split model (`name-00001-of-00003.gguf`) is as big as all its parts."""
    parts = _split_parts(path.name)
    if parts is None or parts[0] != 1:
        return size
    total = size
    prefix = path.name[: -len(f"-00001-of-{parts[1]:05d}.gguf")]
    for index in range(2, parts[1] + 1):
        sibling = path.with_name(f"{prefix}-{index:05d}-of-{parts[1]:05d}.gguf")
        try:
            total += sibling.stat().st_size
        except OSError:
            pass
    return total


def _split_parts(name: str) -> tuple[int, int] | None:
    stem = name[:-5] if name.lower().endswith(".gguf") else name
    pieces = stem.rsplit("-", 3)
    if len(pieces) == 4 and pieces[2] == "of" and pieces[1].isdigit() and pieces[3].isdigit():
        return int(pieces[1]), int(pieces[3])
    return None


# --- where each tool keeps its models -----------------------------------------------


@dataclass(frozen=True)
class ModelRoots:
    """The folders to look in, one list per source."""

    lmstudio: tuple[Path, ...] = ()
    ollama: tuple[Path, ...] = ()
    gpt4all: tuple[Path, ...] = ()
    hf_cache: tuple[Path, ...] = ()
    folders: tuple[Path, ...] = field(default_factory=tuple)


def default_roots(
    home: Path | None = None,
    env: Mapping[str, str] | None = None,
    *,
    folders: Sequence[Path | str] = (),
    platform: str | None = None,
) -> ModelRoots:
    """Where LM Studio, Ollama, GPT4All and the Hugging Face cache keep models for the
    account whose home is `home` (default: this one), honouring the tools' own
    variables (OLLAMA_MODELS, HF_HUB_CACHE, HF_HOME, XDG_*) in `env`."""
    env = os.environ if env is None else env
    home = Path.home() if home is None else Path(home)
    platform = platform or sys.platform

    lmstudio = [home / ".lmstudio" / "models", home / ".cache" / "lm-studio" / "models"]
    settings = home / ".lmstudio" / "settings.json"
    try:
        moved = json.loads(settings.read_text(encoding="utf-8")).get("downloadsFolder")
        if isinstance(moved, str) and moved:
            lmstudio.insert(0, Path(moved).expanduser())
    except (OSError, ValueError, AttributeError):
        pass

    ollama = [Path(env["OLLAMA_MODELS"]).expanduser()] if env.get("OLLAMA_MODELS") else []
    ollama.append(home / ".ollama" / "models")
    if platform.startswith("linux"):
        ollama.append(Path("/usr/share/ollama/.ollama/models"))  # the Linux service's own

    if platform == "darwin":
        gpt4all = home / "Library" / "Application Support" / "nomic.ai" / "GPT4All"
    elif platform.startswith("win"):
        base = env.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        gpt4all = Path(base) / "nomic.ai" / "GPT4All"
    else:
        data = env.get("XDG_DATA_HOME") or str(home / ".local" / "share")
        gpt4all = Path(data) / "nomic.ai" / "GPT4All"

    if env.get("HF_HUB_CACHE"):
        hf = Path(env["HF_HUB_CACHE"]).expanduser()
    elif env.get("HF_HOME"):
        hf = Path(env["HF_HOME"]).expanduser() / "hub"
    else:
        cache = env.get("XDG_CACHE_HOME") or str(home / ".cache")
        hf = Path(cache) / "huggingface" / "hub"

    return ModelRoots(
        lmstudio=_unique(lmstudio),
        ollama=_unique(ollama),
        gpt4all=(gpt4all,),
        hf_cache=(hf,),
        folders=_unique(Path(f).expanduser() for f in folders),
    )


def _unique(paths: Iterable[Path]) -> tuple[Path, ...]:
    seen: list[Path] = []
    for path in paths:
        if path not in seen:
            seen.append(path)
    return tuple(seen)


@dataclass(frozen=True)
class _Candidate:
    path: Path
    source: str
    name: str = ""
    label: str = ""
    sha256: str = ""


def _gguf_files(root: Path, depth: int = 4) -> Iterator[Path]:
    """*.gguf under `root`, at most `depth` folders down, in a stable order."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir():
                if depth > 0 and not entry.name.startswith("."):
                    yield from _gguf_files(Path(entry.path), depth - 1)
            elif entry.name.lower().endswith(".gguf") and entry.is_file():
                parts = _split_parts(entry.name)
                if parts is None or parts[0] == 1:
                    yield Path(entry.path)
        except OSError:
            continue


def _lmstudio(roots: Sequence[Path]) -> Iterator[_Candidate]:
    for root in roots:
        for path in _gguf_files(root, depth=3):
            relative = path.parent.relative_to(root)
            yield _Candidate(path, "lmstudio", label="/".join(relative.parts))


def _ollama(roots: Sequence[Path]) -> Iterator[_Candidate]:
    """Ollama's manifests name the model layer's blob by digest; the blob is the GGUF."""
    for root in roots:
        manifests = root / "manifests"
        if not manifests.is_dir():
            continue
        for manifest in sorted(p for p in manifests.rglob("*") if p.is_file()):
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
                layers = data.get("layers") or []
            except (OSError, ValueError, AttributeError):
                continue
            for layer in layers:
                if not isinstance(layer, dict):
                    continue
                if layer.get("mediaType") != "application/vnd.ollama.image.model":
                    continue
                digest = str(layer.get("digest", ""))
                algorithm, _, hexdigest = digest.partition(":")
                blob = root / "blobs" / f"{algorithm}-{hexdigest}"
                if algorithm != "sha256" or not blob.is_file():
                    continue
                yield _Candidate(
                    blob,
                    "ollama",
                    label=_ollama_name(manifest.relative_to(manifests)),
                    sha256=hexdigest.lower(),
                )


def _ollama_name(relative: Path) -> str:
    """manifests/registry.ollama.ai/library/llama3/latest -> 'llama3:latest'."""
    parts = relative.parts
    host, rest = parts[0], list(parts[1:])
    if len(rest) < 2:
        return "/".join(parts)
    *repo, tag = rest
    if host == "registry.ollama.ai" and repo[:1] == ["library"]:
        repo = repo[1:]
    elif host != "registry.ollama.ai":
        repo = [host, *repo]
    return f"{'/'.join(repo)}:{tag}"


def _gpt4all(roots: Sequence[Path]) -> Iterator[_Candidate]:
    for root in roots:
        for path in _gguf_files(root, depth=1):
            yield _Candidate(path, "gpt4all")


def _hf_cache(roots: Sequence[Path]) -> Iterator[_Candidate]:
    """models--org--name/snapshots/REV/**.gguf, symlinks into blobs/ named by their hash.
    The revision `refs/main` points to comes first; a blob seen twice is listed once."""
    for root in roots:
        try:
            repos = sorted(p for p in root.glob("models--*") if p.is_dir())
        except OSError:
            continue
        for repo in repos:
            label = repo.name.removeprefix("models--").replace("--", "/")
            snapshots = repo / "snapshots"
            try:
                main = (repo / "refs" / "main").read_text(encoding="utf-8").strip()
            except OSError:
                main = ""
            revisions = sorted(
                (p for p in snapshots.glob("*") if p.is_dir()),
                key=lambda p: (p.name != main, p.name),
            )
            for revision in revisions:
                for path in _gguf_files(revision, depth=3):
                    blob_name = path.resolve().name if path.is_symlink() else ""
                    sha = blob_name if len(blob_name) == 64 and _is_hex(blob_name) else ""
                    yield _Candidate(path, "hf-cache", label=label, sha256=sha)


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text.lower())


def _folders(roots: Sequence[Path]) -> Iterator[_Candidate]:
    for root in roots:
        if root.is_file() and root.name.lower().endswith(".gguf"):
            yield _Candidate(root, "folder")
        else:
            for path in _gguf_files(root, depth=3):
                yield _Candidate(path, "folder")


def discover(
    roots: ModelRoots | None = None,
    *,
    bundled: Path | None = None,
    n_ctx: int = 2048,
    free_memory: int | None = -1,
) -> list[FoundModel]:
    """Every local model: the bundled one first, then each tool's, each file once.

    `free_memory` -1 (the default) reads the machine's available memory; None skips
    the "fits in memory" judgement."""
    roots = default_roots() if roots is None else roots
    memory = available_memory_bytes() if free_memory == -1 else free_memory
    candidates: list[_Candidate] = []
    if bundled is not None:
        candidates.append(_Candidate(bundled, "bundled"))
    candidates += _lmstudio(roots.lmstudio)
    candidates += _ollama(roots.ollama)
    candidates += _gpt4all(roots.gpt4all)
    candidates += _hf_cache(roots.hf_cache)
    candidates += _folders(roots.folders)
    found: list[FoundModel] = []
    seen: set[Path] = set()
    for candidate in candidates:
        try:
            real = candidate.path.resolve()
        except OSError:
            real = candidate.path
        if real in seen:
            continue
        seen.add(real)
        model = describe_model(
            candidate.path,
            candidate.source,
            # The name each tool shows: Ollama's model:tag, otherwise the file's own name.
            name=candidate.name
            or (candidate.label if candidate.source == "ollama" else "")
            or _stem(candidate.path),
            label=candidate.label,
            sha256=candidate.sha256,
            n_ctx=n_ctx,
            free_memory=memory,
        )
        if model is not None:
            found.append(model)
    return found
