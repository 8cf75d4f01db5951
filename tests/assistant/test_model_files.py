"""Finding, describing and checking model files."""

from __future__ import annotations

import hashlib
import os
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


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 100)
    path.chmod(0)
    with pytest.raises(ModelFileError, match="not allowed"):
        check_model_file(path)


def test_display_name() -> None:
    assert model_display_name(Path("/x/SmolLM2.Q4_1.gguf")) == "SmolLM2.Q4_1"
