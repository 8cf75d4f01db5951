"""Discovery: models found where LM Studio, Ollama, GPT4All, the HF cache and the writer
keep them, described from their GGUF headers, never copied."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import gguf
import pytest

from assistant.discovery import (
    available_memory_bytes,
    default_roots,
    describe_model,
    discover,
    read_header,
)
from tests.assistant.gguf_samples import write_gguf

NO_ENV: dict[str, str] = {}


def _tree_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() and not p.is_symlink()}


def _ollama(home: Path, name: str, tag: str, *, namespace: str = "library") -> Path:
    models = home / ".ollama" / "models"
    blob_source = write_gguf(home / "scratch" / f"{name}.gguf", name=f"{name} model")
    data = blob_source.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    blob = models / "blobs" / f"sha256-{digest}"
    blob.parent.mkdir(parents=True, exist_ok=True)
    blob_source.rename(blob)
    (models / "blobs" / "sha256-params").write_text('{"temperature": 0.7}')
    manifest = models / "manifests" / "registry.ollama.ai" / namespace / name / tag
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(
        json.dumps(
            {
                "schemaVersion": 2,
                "layers": [
                    {
                        "mediaType": "application/vnd.ollama.image.model",
                        "digest": f"sha256:{digest}",
                        "size": len(data),
                    },
                    {
                        "mediaType": "application/vnd.ollama.image.params",
                        "digest": "sha256:params",
                        "size": 20,
                    },
                ],
            }
        )
    )
    return blob


def test_every_tool_s_layout_is_found_in_place(tmp_path: Path) -> None:
    home = tmp_path / "home"
    lmstudio = write_gguf(
        home / ".lmstudio" / "models" / "bartowski" / "Tiny-GGUF" / "Tiny-Q4_K_M.gguf",
        name="Tiny LM Studio",
        context=8192,
    )
    old_lmstudio = write_gguf(
        home / ".cache" / "lm-studio" / "models" / "someone" / "Old" / "old.Q8_0.gguf",
        file_type=gguf.LlamaFileType.MOSTLY_Q8_0,
    )
    write_gguf(  # a vision projector beside a model is not a model of its own
        home / ".lmstudio" / "models" / "bartowski" / "Tiny-GGUF" / "mmproj-Tiny-f16.gguf",
        kind="mmproj",
    )
    blob = _ollama(home, "llama3.2", "latest")
    _ollama(home, "storyteller", "7b", namespace="someone")
    gpt4all = write_gguf(
        home / ".local" / "share" / "nomic.ai" / "GPT4All" / "orca-mini-3b.gguf",
        chat_template=None,
        context=2048,
    )
    hub = home / ".cache" / "huggingface" / "hub" / "models--TheOrg--Tiny-GGUF"
    blob_hf = write_gguf(hub / "blobs" / "scratch.gguf", name="Tiny from the Hub")
    digest = hashlib.sha256(blob_hf.read_bytes()).hexdigest()
    blob_hf = blob_hf.rename(hub / "blobs" / digest)
    for revision in ("aaa111", "bbb222"):  # two snapshots share one blob: listed once
        link = hub / "snapshots" / revision / "tiny-q4_k_m.gguf"
        link.parent.mkdir(parents=True)
        link.symlink_to(os.path.relpath(blob_hf, link.parent))
    (hub / "refs").mkdir()
    (hub / "refs" / "main").write_text("bbb222")
    folder = write_gguf(tmp_path / "my models" / "draft-helper.gguf", name="Draft helper")
    before = _tree_files(tmp_path)

    roots = default_roots(home, NO_ENV, folders=[tmp_path / "my models"], platform="linux")
    found = discover(roots, free_memory=10**12)

    by_source: dict[str, list] = {}
    for model in found:
        by_source.setdefault(model.source, []).append(model)
    assert sorted(by_source) == ["folder", "gpt4all", "hf-cache", "lmstudio", "ollama"]
    assert {m.path for m in by_source["lmstudio"]} == {lmstudio, old_lmstudio}
    first = next(m for m in by_source["lmstudio"] if m.path == lmstudio)
    assert first.label == "bartowski/Tiny-GGUF"
    assert first.context_length == 8192
    assert first.quantization == "Q4_K_M"
    assert first.parameters == 160
    assert first.has_chat_template is True
    assert first.fits_in_memory is True
    assert first.size_bytes == lmstudio.stat().st_size
    assert next(m for m in by_source["lmstudio"] if m.path == old_lmstudio).quantization == "Q8_0"

    ollama = {m.name: m for m in by_source["ollama"]}
    assert set(ollama) == {"llama3.2:latest", "someone/storyteller:7b"}
    assert ollama["llama3.2:latest"].path == blob
    assert ollama["llama3.2:latest"].sha256 == blob.name.removeprefix("sha256-")

    (gpt,) = by_source["gpt4all"]
    assert gpt.path == gpt4all and gpt.has_chat_template is False and gpt.context_length == 2048

    (hf,) = by_source["hf-cache"]
    assert hf.path == hub / "snapshots" / "bbb222" / "tiny-q4_k_m.gguf", "refs/main first"
    assert hf.label == "TheOrg/Tiny-GGUF" and hf.sha256 == digest
    assert hf.size_bytes == blob_hf.stat().st_size

    (mine,) = by_source["folder"]
    assert mine.path == folder

    assert _tree_files(tmp_path) == before, "discovery never copies or writes a file"


def test_the_tools_own_variables_move_their_folders(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ollama_elsewhere = tmp_path / "big-disk" / "ollama"
    hub = tmp_path / "hf-home"
    roots = default_roots(
        home,
        {"OLLAMA_MODELS": str(ollama_elsewhere), "HF_HOME": str(hub)},
        platform="linux",
    )
    assert roots.ollama[0] == ollama_elsewhere
    assert roots.hf_cache == (hub / "hub",)
    assert default_roots(home, {"HF_HUB_CACHE": str(hub / "x")}).hf_cache == (hub / "x",)
    assert default_roots(home, NO_ENV, platform="darwin").gpt4all == (
        home / "Library" / "Application Support" / "nomic.ai" / "GPT4All",
    )
    settings = home / ".lmstudio" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"downloadsFolder": str(tmp_path / "lms")}))
    assert default_roots(home, NO_ENV).lmstudio[0] == tmp_path / "lms"


def test_a_broken_file_is_listed_with_its_problem_and_the_rest_still_found(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "models"
    write_gguf(folder / "good.gguf")
    (folder / "truncated.gguf").write_bytes(write_gguf(tmp_path / "x.gguf").read_bytes()[:200])
    (folder / "not-gguf.gguf").write_bytes(b"PK\x03\x04 a zip file")
    found = {m.path.name: m for m in discover(default_roots(tmp_path, NO_ENV, folders=[folder]))}
    assert not found["good.gguf"].problem
    assert "incomplete" in found["truncated.gguf"].problem
    assert "GGUF signature" in found["not-gguf.gguf"].problem


def test_split_models_are_one_model_as_big_as_its_parts(tmp_path: Path) -> None:
    first = write_gguf(tmp_path / "big-00001-of-00002.gguf")
    second = tmp_path / "big-00002-of-00002.gguf"
    second.write_bytes(b"x" * 1000)
    found = discover(default_roots(tmp_path, NO_ENV, folders=[tmp_path]), free_memory=None)
    assert [m.path for m in found] == [first]
    assert found[0].size_bytes == first.stat().st_size + 1000
    assert found[0].fits_in_memory is None


def test_the_header_reader_agrees_with_gguf_s_own_reader(default_model: Path) -> None:
    """The bundled model, read by the fast header reader and by gguf.GGUFReader."""
    header = read_header(default_model)
    reader = gguf.GGUFReader(default_model, "r")
    assert header.parameters == sum(int(t.n_elements) for t in reader.tensors)
    for key in ("general.name", "general.architecture", "llama.context_length"):
        assert header.get(key) == reader.fields[key].contents()
    model = describe_model(default_model, "bundled", free_memory=available_memory_bytes())
    assert model is not None
    assert model.quantization == "Q4_1"
    assert model.parameters_label == "135M"
    assert model.has_chat_template is True
    assert model.context_length == 8192


def test_free_memory_falls_back_when_meminfo_is_missing(tmp_path: Path) -> None:
    fake = tmp_path / "meminfo"
    fake.write_text("MemTotal: 1000 kB\nMemAvailable:  2048 kB\n")
    assert available_memory_bytes(fake) == 2048 * 1024
    fallback = available_memory_bytes(tmp_path / "missing")
    assert fallback is None or fallback > 0


@pytest.mark.parametrize("context", [512, 32768])
def test_a_model_too_big_for_free_memory_says_so(tmp_path: Path, context: int) -> None:
    path = write_gguf(tmp_path / "m.gguf", context=context)
    model = describe_model(path, "folder", free_memory=10)
    assert model is not None and model.fits_in_memory is False
    assert model.memory_needed_bytes and model.memory_needed_bytes > path.stat().st_size
