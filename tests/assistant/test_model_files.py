"""Finding, describing and checking model files."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.model_files import (
    ModelFileError,
    check_model_file,
    default_model_path,
    describe,
    model_display_name,
)


def test_default_model_is_the_bundled_gguf(default_model: Path) -> None:
    assert default_model == default_model_path()
    assert default_model.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert default_model.read_bytes()[:4] == b"GGUF"


def test_describe_gives_size_and_sha256(default_model: Path) -> None:
    expected = hashlib.sha256(default_model.read_bytes()).hexdigest()
    fractions: list[float] = []
    described = describe(default_model, progress=fractions.append)
    assert described.sha256 == expected
    assert described.size_bytes == default_model.stat().st_size
    assert described.name == default_model.name
    assert fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert describe(default_model) is described  # cached by path, size and mtime


def test_describe_notices_a_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "m.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 100)
    first = describe(path)
    path.write_bytes(b"GGUF" + b"\1" * 200)
    second = describe(path)
    assert second.size_bytes == 204
    assert second.sha256 != first.sha256


def test_the_bundled_model_passes_the_check(default_model: Path) -> None:
    check_model_file(default_model)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p, "does not exist"),
        (lambda p: (p.mkdir(), p)[1], "folder"),
        (lambda p: (p.write_bytes(b""), p)[1], "empty"),
        (lambda p: (p.write_text("<html>Not found</html>"), p)[1], "not a GGUF"),
        (lambda p: (p.write_bytes(b"GGUF\3\0"), p)[1], "truncated"),
    ],
    ids=["missing", "directory", "empty", "not-gguf", "truncated"],
)
def test_unusable_files_get_a_plain_reason(tmp_path: Path, make, words: str) -> None:
    path = make(tmp_path / "model.gguf")
    with pytest.raises(ModelFileError, match=words):
        check_model_file(path)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 100)
    path.chmod(0)
    if os.geteuid() == 0:  # root reads files whatever their mode: refuse it as the OS would
        opened = Path.open

        def refused(self: Path, *args: object, **kwargs: object) -> object:
            if self == path:
                raise PermissionError(13, "Permission denied", str(self))
            return opened(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Path, "open", refused)
    with pytest.raises(ModelFileError, match="not allowed"):
        check_model_file(path)


def test_display_name() -> None:
    assert model_display_name(Path("/x/SmolLM2.Q4_1.gguf")) == "SmolLM2.Q4_1"


# --- the SHA-256 cache on disk ---------------------------------------------------------


@pytest.fixture()
def hash_counter(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Counts the real hashing reads (a fresh launch: nothing remembered in memory)."""
    import assistant.model_files as model_files

    real = model_files._hash_file
    reads: list[Path] = []

    def counting(
        path: Path, expected: int, progress: Callable[[float], None] | None
    ) -> tuple[str, int]:
        reads.append(path)
        return real(path, expected, progress)

    monkeypatch.setattr(model_files, "_hash_file", counting)
    monkeypatch.setattr(model_files, "_describe_cache", {})
    return reads


def _new_launch(monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.model_files as model_files

    monkeypatch.setattr(model_files, "_describe_cache", {})


def test_hash_is_remembered_across_launches(
    tmp_path: Path, hash_counter: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 5000)
    cache = tmp_path / "data" / "model-hashes.json"
    first = describe(model, hash_cache=cache)
    assert cache.is_file() and len(hash_counter) == 1
    _new_launch(monkeypatch)
    fractions: list[float] = []
    second = describe(model, progress=fractions.append, hash_cache=cache)
    assert len(hash_counter) == 1  # not read again
    assert second == first
    assert second.sha256 == hashlib.sha256(model.read_bytes()).hexdigest()
    assert fractions == [1.0]


def test_changed_size_or_mtime_hashes_again(
    tmp_path: Path, hash_counter: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 100)
    cache = tmp_path / "model-hashes.json"
    describe(model, hash_cache=cache)

    _new_launch(monkeypatch)
    model.write_bytes(b"GGUF" + b"\1" * 200)  # another size
    grown = describe(model, hash_cache=cache)
    assert len(hash_counter) == 2
    assert grown.sha256 == hashlib.sha256(model.read_bytes()).hexdigest()

    _new_launch(monkeypatch)
    model.write_bytes(b"GGUF" + b"\2" * 200)  # same size, new content and time
    stat = model.stat()
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    changed = describe(model, hash_cache=cache)
    assert len(hash_counter) == 3
    assert changed.sha256 == hashlib.sha256(model.read_bytes()).hexdigest()
    assert changed.sha256 != grown.sha256

    _new_launch(monkeypatch)
    assert describe(model, hash_cache=cache) == changed
    assert len(hash_counter) == 3
    entries = json.loads(cache.read_text(encoding="utf-8"))["files"]
    assert list(entries) == [str(model.resolve())]  # one entry a file, the newest


@pytest.mark.parametrize(
    "damage",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b"[1, 2, 3]",
        b'{"version": 1, "files": {"/x.gguf": "nonsense"}}',
        b'{"version": 99, "files": {}}',
        b"",
    ],
    ids=["not-json", "not-utf8", "a-list", "bad-entry", "future-version", "empty"],
)
def test_damaged_cache_is_ignored_and_rewritten(
    tmp_path: Path,
    hash_counter: list[Path],
    monkeypatch: pytest.MonkeyPatch,
    damage: bytes,
) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 100)
    cache = tmp_path / "model-hashes.json"
    cache.write_bytes(damage)
    described = describe(model, hash_cache=cache)
    assert described.sha256 == hashlib.sha256(model.read_bytes()).hexdigest()
    rewritten = json.loads(cache.read_text(encoding="utf-8"))
    assert rewritten["files"][str(model.resolve())]["sha256"] == described.sha256
    _new_launch(monkeypatch)
    describe(model, hash_cache=cache)
    assert len(hash_counter) == 1


def test_a_cache_entry_with_a_wrong_hash_shape_is_not_trusted(
    tmp_path: Path, hash_counter: list[Path]
) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 100)
    stat = model.stat()
    cache = tmp_path / "model-hashes.json"
    entry = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": "not-a-hash"}
    cache.write_text(json.dumps({"version": 1, "files": {str(model.resolve()): entry}}))
    assert describe(model, hash_cache=cache).sha256 == (
        hashlib.sha256(model.read_bytes()).hexdigest()
    )
    assert len(hash_counter) == 1


def test_unwritable_cache_is_not_an_error(tmp_path: Path, hash_counter: list[Path]) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 100)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    described = describe(model, hash_cache=blocker / "model-hashes.json")  # parent is a file
    assert described.sha256 == hashlib.sha256(model.read_bytes()).hexdigest()
    assert set(tmp_path.iterdir()) == {model, blocker}


def test_cache_is_written_in_one_step(tmp_path: Path, hash_counter: list[Path]) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 100)
    cache = tmp_path / "model-hashes.json"
    describe(model, hash_cache=cache)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.gguf", "model-hashes.json"]


@pytest.mark.model
def test_backend_load_uses_the_cache(
    default_model: Path, tmp_path: Path, hash_counter: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.backend import LlamaBackend

    cache = tmp_path / "model-hashes.json"
    for _launch in range(2):
        _new_launch(monkeypatch)
        backend = LlamaBackend()
        try:
            loaded = backend.load(default_model, n_ctx=256, n_threads=2, hash_cache=cache)
        finally:
            backend.close()
        assert len(loaded.sha256) == 64
    assert len(hash_counter) == 1
