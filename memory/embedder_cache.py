"""Where the embedder's built GGUF is, and whether it is whole (`memory.embedder_build`
builds it; `memory.embedder` runs it).

`KEY.gguf` in the user cache folder (`~/.cache/draftsmith/embedder`, or
`$DRAFTSMITH_EMBEDDER_CACHE`), with its record `KEY.json` (size, SHA-256, what it was
made from). KEY is a hash of what the file is made from: the model folder's small files
(config, tokenizer, vocabulary, pooling), the safetensors' size and header (no weights
are read), the llama-cpp-python version, the output type and `FORMAT`. A file whose
record is missing, or whose size or SHA-256 is not its record's, is not whole.

Standard library only (platformdirs inside `cache_dir`): the app reads this on its way
to loading the embedder.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path

FORMAT = 3  # bump when what the build writes changes (2: the token table in q8_0; 3: the
# matrices in bf16 where the CPU has AVX512_BF16, `memory.embedder_build.matrix_type`)
OUTTYPE = "f16"  # cosine >= 0.99999 against sentence-transformers; q8_0 fell to 0.998 and
# was slower on AVX2 (43.9 against 39.2 ms of CPU for 88 tokens), f32 too (49.4)
#: ggml's type for the token table (`token_embd.weight`, half the file) when OUTTYPE is
#: f16: `GGML_TYPE_Q8_0`. Only the rows of a text's tokens are read from it (no matrix
#: product), and llama.cpp maps the whole file resident: 23.4 -> 12.5 MB, the vectors'
#: cosine with sentence-transformers' 0.99997 at least (0.99999 all f16).
TOKEN_TABLE_TYPE = 8
CACHE_ENV = "DRAFTSMITH_EMBEDDER_CACHE"
_SMALL_FILE = 4 * 1024 * 1024


def cache_dir() -> Path:
    """Where built files go: `$DRAFTSMITH_EMBEDDER_CACHE`, else the user cache folder."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("draftsmith", appauthor=False)) / "embedder"


def llama_cpp_version() -> str | None:
    """The installed llama-cpp-python's version, read without importing it."""
    try:
        return metadata.version("llama-cpp-python")
    except metadata.PackageNotFoundError:
        return None


def _safetensors_header(path: Path) -> bytes:
    with path.open("rb") as f:
        head = f.read(8)
        if len(head) < 8:
            return head
        size = int.from_bytes(head, "little")
        return head + f.read(min(size, _SMALL_FILE))


def source_key(folder: Path, outtype: str = OUTTYPE) -> str:
    """A hash of what the GGUF of `folder` is made from (cheap: no weights are read)."""
    digest = hashlib.sha256()
    digest.update(f"draftsmith-embedder {FORMAT} {outtype} {llama_cpp_version()}\n".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel.startswith(".") or rel == "README.md":
            continue
        size = path.stat().st_size
        digest.update(f"{rel}\0{size}\0".encode())
        if path.suffix == ".safetensors":
            digest.update(_safetensors_header(path))
        elif size <= _SMALL_FILE:
            digest.update(path.read_bytes())
    return digest.hexdigest()


def target(folder: Path, cache: Path | None = None, outtype: str = OUTTYPE) -> Path:
    """Where the GGUF of `folder` is (or will be) built."""
    return (cache or cache_dir()) / f"{source_key(folder, outtype)[:32]}.gguf"


def sidecar(gguf: Path) -> Path:
    return gguf.with_suffix(".json")


def sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def problem(gguf: Path) -> str | None:
    """Why `gguf` cannot be used (in plain words), or None when it is whole."""
    side = sidecar(gguf)
    if not gguf.is_file():
        return "it has not been built"
    try:
        record = json.loads(side.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "it was not finished (its record is missing)"
    except (OSError, ValueError) as exc:
        return f"its record cannot be read ({exc})"
    if not isinstance(record, dict):
        return "its record is damaged"
    try:
        size = gguf.stat().st_size
        if record.get("size") != size:
            return f"it is {size:,} bytes where {record.get('size')} were written"
        with gguf.open("rb") as f:
            if f.read(4) != b"GGUF":
                return "it is not a GGUF file"
        if record.get("sha256") != sha256(gguf):
            return "its contents changed after it was built"
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    return None


def built(folder: Path, cache: Path | None = None) -> Path | None:
    """The built, whole GGUF for the model `folder`, or None. Never raises."""
    try:
        gguf = target(folder, cache)
    except OSError:
        return None
    return gguf if problem(gguf) is None else None
