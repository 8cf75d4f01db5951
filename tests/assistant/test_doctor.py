"""`draftsmith doctor` with the real model and with a bogus one."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.doctor import run_doctor
from assistant.model_files import describe

pytestmark = [pytest.mark.model, pytest.mark.embedder]


def test_doctor_passes_with_the_real_model(tmp_path: Path, default_model: Path) -> None:
    out = io.StringIO()
    assert run_doctor(None, tmp_path, out) == 0
    report = out.getvalue()
    for line in (
        "Draftsmith:",
        "Python:",
        "llama-cpp-python:",
        "PySide6:",
        "sentence-transformers:",
        "torch:",
        "Model size:",
        "tokens/s",
        "384 dimensions",
    ):
        assert line in report
    assert str(tmp_path) in report
    assert describe(default_model).sha256[:12] in report
    assert "All checks passed" in report


def test_doctor_fails_plainly_with_a_bogus_model(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_text("this is not a model")
    out = io.StringIO()
    assert run_doctor(bogus, tmp_path, out) == 1
    report = out.getvalue()
    assert "not a GGUF model file" in report
    assert "not ready" in report
    assert "Traceback" not in report
